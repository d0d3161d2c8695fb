/**
 * The spectral front half of the frame features, for a whole clip at once: every centred STFT frame's power
 * spectrum |X_t[k]|² plus a noise floor, as magnitudes √(…) (spectral shape and contrast) and as log-mel
 * energies in dB (log-mel and MFCC). Pure TypeScript here, frame by frame (stft.ts, real-fft.ts, mel.ts):
 * the default and the reference.
 *
 * WebAssembly SIMD (optional; functions/kernels/spectrum-kernels.ts, registered with `useSpectrumKernels` by
 * the Worker at start-up, and in Node by scripts that load it with functions/kernels/load-node.ts) does the
 * same for all frames in one call, so the per-call cost is paid once per clip: f64 throughout, two frames per
 * f64x2 vector, a radix-2² FFT, and log10 by a series instead of a table. Its log-mel values differ from these
 * loops' by at most 6e-7 dB (this module's log table) and its magnitudes by 1e-15 of each frame's largest;
 * the features, stored as f32, by at most one f32 step (MFCC 6e-5, log-mel 8e-6). f32 arithmetic is not
 * enough: an f32 FFT errs by up to 2e-3 dB in log-mel on a full-scale tone over the −80 dBFS floor, and by
 * 0.15 dB without the floor. For 3 s at 16 kHz (188 frames of 512, 40 mels), best of 500 with Node 22 on the
 * 2-core development VM (load average 4–5 from training jobs):
 *
 *              | log-mel | log-mel and magnitudes
 *   TypeScript | 1.12 ms | 1.26 ms
 *   wasm       | 0.28 ms | 0.36 ms
 *
 * Calls that would need more than 16 MiB of wasm memory (inputs over about 1.2 M samples with magnitudes, 3 M
 * without) run these loops.
 */
import { type MelFilterbank, powerToDb } from './mel.ts';
import type { Stft } from './stft.ts';

/** What a spectrogram computes: its frames (window, FFT size, hop), floor and mel filters. */
export interface SpectrogramPlan {
  readonly stft: Stft;
  /** Added to every power bin |X_t[k]|² before anything else (a noise floor's expected power; 0 for none). */
  readonly floorPower: number;
  /** The filters of the log-mel energies; null when only magnitudes are wanted. */
  readonly mel: MelFilterbank | null;
}

/** Computes a clip's spectrogram into caller buffers. Made once per feature extractor and reused. */
export interface Spectrogram extends SpectrogramPlan {
  /**
   * For every frame t of `signal` (stft.frameCount(signal.length) of them), with P = |X_t[k]|² + floorPower:
   * writes √P into `magnitude[t·bins + k]` and powerToDb(Σ_k mel weight · P) into `logMel[t·nMels + m]`.
   * Either may be null (not computed); a given one must hold at least frames · bins (frames · nMels) values.
   */
  compute(signal: Float32Array, magnitude: Float64Array | null, logMel: Float64Array | null): void;
}

/**
 * A faster implementation of `compute`, injected because this module stays free of platform APIs
 * (functions/kernels/spectrum-kernels.ts wraps the WebAssembly SIMD one). `spectrogram` must write what
 * `compute` would, up to float rounding, and return true; it returns false when it cannot take this call
 * (too long for its memory), and the TypeScript loops run instead. Plans are made once per extractor and
 * reused as the same object, so kernels can key their copies of its tables on it.
 */
export interface SpectrumKernels {
  spectrogram(
    plan: SpectrogramPlan,
    signal: Float32Array,
    magnitude: Float64Array | null,
    logMel: Float64Array | null,
  ): boolean;
}

let kernels: SpectrumKernels | null = null;

/**
 * Makes every later spectrogram use `accelerated` (null: this module's TypeScript loops, the default and the
 * reference). Process-wide, like `useResampleKernels`: the Worker sets it at start-up.
 */
export function useSpectrumKernels(accelerated: SpectrumKernels | null): void {
  kernels = accelerated;
}

export function createSpectrogram(stft: Stft, floorPower: number, mel: MelFilterbank | null): Spectrogram {
  if (!(Number.isFinite(floorPower) && floorPower >= 0)) {
    throw new RangeError(`spectrogram: expected a finite floorPower ≥ 0, got ${floorPower}`);
  }
  if (mel && mel.bins !== stft.bins) {
    throw new RangeError(`spectrogram: expected mel filters over ${stft.bins} bins, got ${mel.bins}`);
  }
  const { bins } = stft;
  const power = new Float64Array(bins);
  const melEnergy = new Float64Array(mel?.nMels ?? 0);
  const plan: Spectrogram = {
    stft,
    floorPower,
    mel,
    compute(signal, magnitude, logMel) {
      const frames = stft.frameCount(signal.length);
      const nMels = mel?.nMels ?? 0;
      if (magnitude && magnitude.length < frames * bins) {
        throw new RangeError(
          `spectrogram: expected room for ${frames * bins} magnitudes, got ${magnitude.length}`,
        );
      }
      if (logMel && logMel.length < frames * nMels) {
        throw new RangeError(
          `spectrogram: expected room for ${frames * nMels} log-mel values, got ${logMel.length}`,
        );
      }
      if (logMel && !mel) {
        throw new RangeError(
          `spectrogram: expected no logMel buffer without mel filters, got ${logMel.length} values`,
        );
      }
      if (!magnitude && !logMel) return;
      if (kernels?.spectrogram(plan, signal, magnitude, logMel)) return;
      for (let t = 0; t < frames; t++) {
        stft.powerSpectrum(signal, t, power);
        if (floorPower > 0) for (let k = 0; k < bins; k++) power[k] += floorPower;
        if (mel && logMel) {
          mel.apply(power, melEnergy);
          for (let m = 0; m < nMels; m++) logMel[t * nMels + m] = powerToDb(melEnergy[m]);
        }
        if (magnitude) for (let k = 0; k < bins; k++) magnitude[t * bins + k] = Math.sqrt(power[k]);
      }
    },
  };
  return plan;
}
