import { useResampleKernels } from '../audio/resample.ts';
import resampleWasm from '../kernels/resample.wasm';
import { createResampleKernels, type WasmResampleKernels } from '../kernels/resample-kernels.ts';

let kernels: WasmResampleKernels | undefined;

/**
 * Registers the resampler's WebAssembly SIMD loops (a compiled module bundled by wrangler, since workerd
 * cannot compile wasm at run time) for every later decode, and returns them. Synchronous, so Worker entries
 * run it at start-up: a request decodes its upload before the first model load prepares the backend.
 */
export function prepareWorkerAudio(): WasmResampleKernels {
  kernels ??= createResampleKernels(resampleWasm);
  useResampleKernels(kernels);
  return kernels;
}
