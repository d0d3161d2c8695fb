/**
 * The Worker: the API on the models bundled by `npm run models:bundle`, each network compiled to the inference
 * kernels (dense, convolution and LSTM layers on 16-bit integers) with tfjs on the WASM SIMD backend for any
 * it cannot compile, and the audio front end's wasm loops (16-bit downmix and resampling for uploads at other
 * rates than 16 kHz, the frame features of every extraction); see functions/worker.ts.
 * Static site files (site/dist) are served by the assets layer before the Worker runs, except on the API
 * routes listed in wrangler.toml's `run_worker_first`.
 */
import { bundledModels } from './model/bundled-models.ts';
import { createWorker } from './worker.ts';

export default createWorker(bundledModels);
