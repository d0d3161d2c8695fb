import lstmWasm from '../kernels/lstm.wasm';
import { createLstmKernels } from '../kernels/lstm-kernels.ts';
import { registerFastRecurrentLayers } from '../model/fast-lstm.ts';
import { initWasmBackend } from './wasm-backend.ts';

let fastLayersRegistered = false;

/**
 * What the Worker runs before its first model load: tfjs's WASM SIMD backend, then the fused LSTM kernels
 * (a compiled module bundled by wrangler, since workerd cannot compile wasm at run time) registered under
 * tfjs's 'LSTM' class name, so every served model's recurrent layers take the fused path.
 */
export async function prepareWorkerBackend(): Promise<void> {
  await initWasmBackend();
  if (!fastLayersRegistered) {
    registerFastRecurrentLayers(createLstmKernels(lstmWasm));
    fastLayersRegistered = true;
  }
}
