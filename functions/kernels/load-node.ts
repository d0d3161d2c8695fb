import { readFileSync } from 'node:fs';
import { createLstmKernels, type LstmKernels } from './lstm-kernels.ts';
import { createResampleKernels, type WasmResampleKernels } from './resample-kernels.ts';
import { createSpectrumKernels, type WasmSpectrumKernels } from './spectrum-kernels.ts';

/** Node only: compiles a committed kernel file from its bytes (workerd imports it as a module instead). */
function compile(file: string): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(new URL(file, import.meta.url)));
}

export function loadLstmKernels(): LstmKernels {
  return createLstmKernels(compile('./lstm.wasm'));
}

/** The resampler's SIMD loops, for `useResampleKernels` (functions/audio/resample.ts). */
export function loadResampleKernels(): WasmResampleKernels {
  return createResampleKernels(compile('./resample.wasm'));
}

/** The spectrogram's SIMD loops, for `useSpectrumKernels` (functions/audio/spectrogram.ts). */
export function loadSpectrumKernels(): WasmSpectrumKernels {
  return createSpectrumKernels(compile('./spectrum.wasm'));
}
