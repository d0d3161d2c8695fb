/**
 * The spectral front half of the frame features, for a whole clip at once: every centred STFT frame's power
 * spectrum |X_t[k]|² plus a noise floor, as magnitudes √(…) (spectral shape and contrast) and as log-mel
 * energies in dB (log-mel and MFCC), frame by frame (stft.ts, real-fft.ts, mel.ts). frame-features.ts runs it
 * on its TypeScript path; the wasm kernels (core/kernels/assembly/spectrum.ts) do the same maths in f64,
 * two frames per vector, with a radix-2² FFT and log10 by a series instead of mel.ts's table. f32 arithmetic
 * would not be enough: an f32 FFT errs by up to 2e-3 dB in log-mel on a full-scale tone over the −80 dBFS
 * floor, and by 0.15 dB without the floor.
 */
import { type MelFilterbank, powerToDb } from './mel.ts';
import type { Stft } from './stft.ts';

/** Computes a clip's spectrogram into caller buffers. Made once per feature extractor and reused. */
export interface Spectrogram {
  /** Its frames: window, FFT size, hop. */
  readonly stft: Stft;
  /** Added to every power bin |X_t[k]|² before anything else (a noise floor's expected power; 0 for none). */
  readonly floorPower: number;
  /** The filters of the log-mel energies; null when only magnitudes are wanted. */
  readonly mel: MelFilterbank | null;
  /**
   * For every frame t of `signal` (stft.frameCount(signal.length) of them), with P = |X_t[k]|² + floorPower:
   * writes √P into `magnitude[t·bins + k]` and powerToDb(Σ_k mel weight · P) into `logMel[t·nMels + m]`.
   * Either may be null (not computed); a given one must hold at least frames · bins (frames · nMels) values.
   */
  compute(signal: Float32Array, magnitude: Float64Array | null, logMel: Float64Array | null): void;
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
  return {
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
}
