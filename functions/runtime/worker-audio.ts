import { useSpectrumKernels } from '../audio/frame-features.ts';
import { useResampleKernels } from '../audio/resample.ts';
import resampleWasm from '../kernels/resample.wasm';
import { createResampleKernels, type WasmResampleKernels } from '../kernels/resample-kernels.ts';
import spectrumWasm from '../kernels/spectrum.wasm';
import { createSpectrumKernels, type WasmSpectrumKernels } from '../kernels/spectrum-kernels.ts';

/** The front end's WebAssembly SIMD kernels as the Worker registers them. */
export interface WorkerAudioKernels {
  /** The resampler's loops, with decoding's 16-bit downmix in front of them (`useResampleKernels`). */
  resample: WasmResampleKernels;
  /** The frame features' loops: every per-frame column of a feature set for whole clips (`useSpectrumKernels`). */
  spectrum: WasmSpectrumKernels;
}

let kernels: WorkerAudioKernels | undefined;

/**
 * Registers the audio front end's WebAssembly SIMD loops (compiled modules bundled by wrangler, since workerd
 * cannot compile wasm at run time) for every later decode and feature extraction, and returns them.
 * Synchronous, so Worker entries run it at start-up: a request decodes its upload before the first model load
 * prepares the backend.
 */
export function prepareWorkerAudio(): WorkerAudioKernels {
  kernels ??= {
    resample: createResampleKernels(resampleWasm),
    spectrum: createSpectrumKernels(spectrumWasm),
  };
  useResampleKernels(kernels.resample);
  useSpectrumKernels(kernels.spectrum);
  return kernels;
}
