import { getKernel, type KernelFunc } from '@tensorflow/tfjs-core';

/** The registered wasm kernel function for `name`; throws when tfjs-backend-wasm has not registered it. */
export function requireWasmKernel(name: string): KernelFunc {
  const config = getKernel(name, 'wasm');
  if (config == null) {
    throw new Error(
      `expected the wasm kernel '${name}' to be registered (import @tensorflow/tfjs-backend-wasm), got none`,
    );
  }
  return config.kernelFunc;
}
