import { readFileSync } from 'node:fs';
import { createLstmKernels, type LstmKernels } from './lstm-kernels.ts';

/** Node only: compiles the committed `lstm.wasm` from its bytes (workerd imports it as a module instead). */
export function loadLstmKernels(): LstmKernels {
  return createLstmKernels(new WebAssembly.Module(readFileSync(new URL('./lstm.wasm', import.meta.url))));
}
