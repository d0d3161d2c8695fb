import type * as tfl from '@tensorflow/tfjs-layers';
import lstmWasm from '../kernels/lstm.wasm';
import { createLstmKernels, type LstmKernels } from '../kernels/lstm-kernels.ts';
import networkWasm from '../kernels/network.wasm';
import { createNetworkKernels, type NetworkKernels } from '../kernels/network-kernels.ts';
import { type CompileOutcome, compileNetwork } from '../model/compiled-network.ts';
import { registerFastRecurrentLayers } from '../model/fast-lstm.ts';
import { initWasmBackend } from './wasm-backend.ts';

let lstmKernels: LstmKernels | undefined;
let networkKernels: NetworkKernels | undefined;

/** The fused LSTM kernels (a compiled module bundled by wrangler, since workerd cannot compile wasm at run time). */
function workerLstmKernels(): LstmKernels {
  if (lstmKernels === undefined) {
    lstmKernels = createLstmKernels(lstmWasm);
    registerFastRecurrentLayers(lstmKernels);
  }
  return lstmKernels;
}

/**
 * What the Worker runs before its first model load: tfjs's WASM SIMD backend, then the fused LSTM kernels
 * registered under tfjs's 'LSTM' class name, so that every served model's recurrent layers take the fused
 * path when it runs on tfjs (a network the compiler does not support).
 */
export async function prepareWorkerBackend(): Promise<void> {
  await initWasmBackend();
  workerLstmKernels();
}

/**
 * How the Worker runs a loaded network: compiled to the inference kernels (functions/model/compiled-network.ts:
 * dense and convolution layers in `network.wasm`, recurrences in the fused LSTM kernels), probing its
 * attention layer.
 */
export function compileWorkerNetwork(
  network: tfl.LayersModel,
  attentionLayer: string | null,
): CompileOutcome {
  networkKernels ??= createNetworkKernels(networkWasm);
  return compileNetwork(network, { lstm: workerLstmKernels(), network: networkKernels }, attentionLayer);
}
