/**
 * The Worker: the API on the models bundled by `npm run models:bundle`, tfjs on the WASM SIMD backend with
 * the fused LSTM kernels, and the audio front end's wasm loops (the resampler for uploads at other rates than
 * 16 kHz, the spectrogram for every feature extraction).
 * Static site files (site/dist) are served by the assets layer before the Worker runs, except on the API
 * routes listed in wrangler.toml's `run_worker_first`.
 */
import { createApp } from './app.ts';
import { bundledModels } from './model/bundled-models.ts';
import { prepareWorkerAudio } from './runtime/worker-audio.ts';
import { prepareWorkerBackend } from './runtime/worker-backend.ts';

prepareWorkerAudio();

export default createApp({ models: bundledModels, prepareBackend: prepareWorkerBackend });
