/**
 * The Worker: the API on the models bundled by `npm run models:bundle`, tfjs on the WASM SIMD backend with
 * the fused LSTM kernels.
 * Static site files (site/dist) are served by the assets layer before the Worker runs, except on the API
 * routes listed in wrangler.toml's `run_worker_first`.
 */
import { createApp } from './app.ts';
import { bundledModels } from './model/bundled-models.ts';
import { prepareWorkerBackend } from './runtime/worker-backend.ts';

export default createApp({ models: bundledModels, prepareBackend: prepareWorkerBackend });
