import * as tf from '@tensorflow/tfjs-core';
// The ESM build of tfjs-core leaves chained ops (tensor.reshape(), …) unregistered; tfjs-layers' initialisers need them.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js';
import '@tensorflow/tfjs-backend-wasm/dist/register_all_kernels.js';
import simdBinary from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import createWasmModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';

/**
 * Brings up tfjs's WASM backend inside workerd, where the package's own `init()` cannot work: it fetches the
 * binary and calls `WebAssembly.instantiate(bytes)`, which workerd refuses. Instead the SIMD binary is bundled
 * as a compiled `WebAssembly.Module` (wrangler's default rule for `*.wasm`) and handed to the Emscripten glue
 * through its `instantiateWasm` hook. The glue is the same for the plain and SIMD binaries.
 *
 * The `module.tfjs` object below mirrors `init()` in tfjs-backend-wasm 4.22.0's `backend_wasm.js`: its shape
 * is internal to tfjs, so the tfjs version is pinned in package.json.
 */

const BACKEND = 'wasm';
// Above tfjs's own registrations (cpu 1, wasm 2) so nothing else is picked by default.
const PRIORITY = 3;

type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;
/** Emscripten's `cwrap`, which the glue's type declarations leave out. */
type Cwrap = (
  name: string,
  returnType: 'number' | null,
  argTypes: 'number'[],
) => (...args: number[]) => number;

async function createBackend(): Promise<BackendWasm> {
  // The glue ignores failures inside the hook, so they are raced against its ready promise.
  let failInstantiation: (error: Error) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });
  const wasm = await Promise.race([
    createWasmModule({
      instantiateWasm(imports: WebAssembly.Imports, receiveInstance: ReceiveInstance) {
        WebAssembly.instantiate(simdBinary, imports).then(
          (instance) => receiveInstance(instance, simdBinary),
          (error: unknown) =>
            failInstantiation(new Error(`tfjs wasm: instantiating the SIMD binary failed: ${error}`)),
        );
        // Emscripten takes `{}` to mean "instantiation is asynchronous, wait for the callback".
        return {};
      },
    }),
    instantiationFailed,
  ]);
  const cwrap = (wasm as typeof wasm & { cwrap: Cwrap }).cwrap;
  wasm.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  };
  return new BackendWasm(wasm);
}

let ready: Promise<void> | undefined;

/**
 * Registers and selects the WASM backend once per isolate; later calls return the same promise. Rejects if
 * tfjs ends up on any other backend, so a silent fallback can never serve results.
 */
export function initWasmBackend(): Promise<void> {
  ready ??= (async () => {
    if (tf.findBackendFactory(BACKEND) !== null) tf.removeBackend(BACKEND);
    tf.registerBackend(BACKEND, createBackend, PRIORITY);
    // tfjs reports a failed backend factory as a console warning and `false`, not as an error.
    if (!(await tf.setBackend(BACKEND))) {
      throw new Error(
        `expected the tfjs '${BACKEND}' backend to initialise, got a failure (see the warning above)`,
      );
    }
    if (tf.getBackend() !== BACKEND) {
      throw new Error(`expected the tfjs backend to be '${BACKEND}', got '${tf.getBackend()}'`);
    }
  })().catch((error: unknown) => {
    // Let the next request retry instead of caching a failed bring-up for the isolate's lifetime.
    ready = undefined;
    throw error;
  });
  return ready;
}
