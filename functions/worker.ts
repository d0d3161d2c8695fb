/**
 * The Worker, made from a set of models: the audio front end's wasm loops, the API, and how the networks run.
 * `functions/index.ts` deploys it on the bundled models; the serving bench and the bundle test build the same
 * thing on other models (scripts/local-worker.ts), so the two cannot drift apart.
 */

import type { ModelSource } from '../core/serving/model-source.ts';
import { createApp } from './app.ts';
import { initWasmBackend } from './runtime/wasm-backend.ts';
import { audioKernelBytes, prepareWorkerAudio } from './runtime/worker-audio.ts';
import { compileWorkerNetwork, networkKernelBytes, prepareWorkerBackend } from './runtime/worker-backend.ts';

/**
 * `compiled` (deployed): each network compiled to the inference kernels, tfjs on WASM SIMD with the fused LSTM
 * for any it cannot compile; `fused`: tfjs's graph with the fused LSTM layers; `stock`: tfjs's own LSTM. The
 * last two exist for comparisons.
 */
export type NetworkPath = 'compiled' | 'fused' | 'stock';

export function createWorker(models: ModelSource, network: NetworkPath = 'compiled') {
  // Uploads decode and give features through the front end's wasm loops.
  prepareWorkerAudio();
  return createApp({
    models,
    prepareBackend: network === 'stock' ? initWasmBackend : prepareWorkerBackend,
    ...(network === 'compiled' ? { compileNetwork: compileWorkerNetwork } : {}),
    kernelBytes: () => audioKernelBytes() + networkKernelBytes(),
  });
}
