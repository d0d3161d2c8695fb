import lstmWasm from '../../core/kernels/lstm.wasm';
import { createLstmKernels, type LstmKernels } from '../../core/kernels/lstm-kernels.ts';
import networkWasm from '../../core/kernels/network.wasm';
import {
  createNetworkKernels,
  type NetworkKernels,
  SERVED_PRECISION,
} from '../../core/kernels/network-kernels.ts';
import { type CompileOutcome, compileNetwork } from '../../core/network/compiled-network.ts';
import { registerFastRecurrentLayers } from '../../core/network/fast-lstm.ts';
import type { SavedModel } from '../../core/network/saved-model.ts';
import { initWasmBackend } from './wasm-backend.ts';

/** Runs on silence at start-up: enough for the engine to optimise the network's loops before the first request. */
const WARM_UP_RUNS = 5;

let lstmKernels: LstmKernels | undefined;
let networkKernels: NetworkKernels | undefined;

/**
 * The fused LSTM kernels (a compiled module bundled by wrangler, since workerd cannot compile wasm at run time),
 * registered for tfjs's LSTMs too.
 */
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
 * How the Worker runs a served model: compiled from its files to the inference kernels (core/network/
 * compiled-network.ts: dense, convolution and recurrent layers in `network.wasm`, on 16-bit integers at
 * SERVED_PRECISION), probing its attention layer, then run a few times on silence. The Worker does this at start-up, in its global scope,
 * so the first request pays neither the compilation nor the kernels' first-call warm-up (about 100 ms of CPU
 * with tfjs, against the 10 ms a request gets on the free plan).
 */
/** Bytes of the network and LSTM kernels' memories created so far (0 before the first model compiles). */
export function networkKernelBytes(): number {
  return (networkKernels?.memoryBytes() ?? 0) + (lstmKernels?.memoryBytes() ?? 0);
}

export function compileWorkerNetwork(saved: SavedModel, attentionLayer: string | null): CompileOutcome {
  networkKernels ??= createNetworkKernels(networkWasm, SERVED_PRECISION);
  const outcome = compileNetwork(
    saved,
    { lstm: workerLstmKernels(), network: networkKernels },
    attentionLayer,
  );
  if (outcome.network) {
    const size = outcome.network.inputShape.reduce((a, b) => a * b, 1);
    const silence = new Float32Array(size);
    for (let run = 0; run < WARM_UP_RUNS; run++) outcome.network.run(silence);
  }
  return outcome;
}
