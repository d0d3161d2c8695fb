import { decodeAudio } from '../../core/audio/decode.ts';
import { createFeatureExtractor } from '../../core/audio/feature-set.ts';
import { useSpectrumKernels } from '../../core/audio/frame-features.ts';
import { useResampleKernels } from '../../core/audio/resample.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import resampleWasm from '../../core/kernels/resample.wasm';
import { createResampleKernels, type WasmResampleKernels } from '../../core/kernels/resample-kernels.ts';
import spectrumWasm from '../../core/kernels/spectrum.wasm';
import { createSpectrumKernels, type WasmSpectrumKernels } from '../../core/kernels/spectrum-kernels.ts';

/** The front end's WebAssembly SIMD kernels as the Worker registers them. */
export interface WorkerAudioKernels {
  /** The resampler's loops, with decoding's 16-bit downmix in front of them (`useResampleKernels`). */
  resample: WasmResampleKernels;
  /** The frame features' loops: every per-frame column of a feature set for whole clips (`useSpectrumKernels`). */
  spectrum: WasmSpectrumKernels;
}

let kernels: WorkerAudioKernels | undefined;

/** How many times each start-up clip is decoded and its features extracted (see below). */
const WARM_UP_RUNS = 3;

/**
 * Registers the audio front end's WebAssembly SIMD loops (compiled modules bundled by wrangler, since workerd
 * cannot compile wasm at run time) for every later decode and feature extraction, and returns them.
 * Synchronous, so Worker entries run it at start-up. The first time, it also decodes two short synthetic clips
 * (16 kHz mono, 44.1 kHz stereo) and extracts every feature column from them a few times: the engine compiles
 * those paths then, in the global scope's budget, instead of in the first request.
 */
export function prepareWorkerAudio(): WorkerAudioKernels {
  const first = kernels === undefined;
  kernels ??= {
    resample: createResampleKernels(resampleWasm),
    spectrum: createSpectrumKernels(spectrumWasm),
  };
  useResampleKernels(kernels.resample);
  useSpectrumKernels(kernels.spectrum);
  if (first) warmUp();
  return kernels;
}

/** Bytes of the front end kernels' memories (0 before prepareWorkerAudio). */
export function audioKernelBytes(): number {
  return kernels === undefined ? 0 : kernels.resample.memoryBytes() + kernels.spectrum.memoryBytes();
}

function warmUp(): void {
  const extractor = createFeatureExtractor('full');
  for (const [rate, channels] of [
    [16000, 1],
    [44100, 2],
  ]) {
    const tone = Float32Array.from(
      { length: rate / 2 },
      (_, i) => 0.1 * Math.sin((2 * Math.PI * 220 * i) / rate),
    );
    const clip = encodeWav(new Array(channels).fill(tone), rate);
    for (let run = 0; run < WARM_UP_RUNS; run++) extractor.extract(decodeAudio(clip).samples);
  }
}
