/**
 * The per-frame columns of a feature set, for a whole clip in one call: log-mel, MFCC, zero-crossing rate,
 * RMS, spectral centroid, bandwidth, roll-off and contrast, each written into its columns of a frame-major
 * matrix. What is left to feature-set.ts works across frames (deltas) or on its own signal path (pitch).
 *
 * Pure TypeScript here, frame by frame over spectrogram.ts's whole-clip magnitudes and log-mel energies: the
 * default and the reference. WebAssembly SIMD (optional; core/kernels/spectrum-kernels.ts, registered
 * with `useSpectrumKernels` by the Worker at start-up, and in Node by scripts that load it with
 * core/kernels/load-node.ts) computes every column in one call, two frames per f64x2 vector, and writes
 * the matrix itself. Its values differ from these loops' by float rounding only (mostly sums in the same order;
 * a series instead of mel.ts's log table, within 1e-6 dB): at most one f32 step in most values, 6e-5 in MFCC.
 * Feature sets through `createFeatureExtractor` (deltas and matrix included) for 3 s at 16 kHz (188 frames of
 * 512), `npm run bench:features` with Node 22 on the 2-core development VM (load average 1.0), median / min of
 * 200:
 *
 *              | logmel40    | full (92 columns)
 *   TypeScript | 1.41 / 1.26 | 3.42 / 2.45 ms
 *   wasm       | 0.45 / 0.29 | 0.85 / 0.71 ms
 *
 * Calls that would need more than 16 MiB of wasm memory (inputs over about 3 M samples) run these loops.
 */

import { type MelFilterbank, powerToDb } from './mel.ts';
import type { Dct } from './mfcc.ts';
import {
  countZeroCrossings,
  measureSpectralShape,
  rootMeanSquare,
  type SpectralContrast,
  type SpectralShape,
  writeContrast,
  zeroCrossingRate,
} from './spectral.ts';
import { createSpectrogram } from './spectrogram.ts';
import { fftFrequencies, type Stft } from './stft.ts';

/** Where each per-frame feature goes in the matrix: its first column, or −1 when the set leaves it out. */
export interface FrameColumns {
  /** mel.nMels columns. */
  logMel: number;
  /** dct.outputs columns. */
  mfcc: number;
  zcr: number;
  rms: number;
  centroid: number;
  bandwidth: number;
  rolloff: number;
  /** contrast.bands columns. */
  contrast: number;
}

/**
 * A log-mel set's features before the floor and the log: column m of frame t is
 * powerToDb(g² · energies[t·nMels + m] + floor[m]) for the signal scaled by g.
 */
export interface MelEnergies {
  readonly nMels: number;
  /** What the noise floor adds to each band's energy. */
  readonly floor: Float64Array;
  /** Every frame's mel energies, frame-major, without the floor. */
  compute(signal: Float32Array): Float64Array;
  /** Whole rows of such energies into `out` (as long) as log-mel: powerToDb(gainSquared · energy + floor[m]). */
  toDecibels(energies: Float64Array, gainSquared: number, out: Float32Array): void;
}

/** Everything a clip's per-frame features depend on; made once per feature extractor and reused. */
export interface FrameFeaturesPlan {
  readonly stft: Stft;
  readonly sampleRate: number;
  /** Added to every power bin |X_t[k]|² (a noise floor's expected power; 0 for none). */
  readonly floorPower: number;
  /** Added to every frame's mean square before the RMS's square root (the same floor in the time domain). */
  readonly floorMeanSquare: number;
  /** Samples with |x| ≤ this count as zero for the zero-crossing rate. */
  readonly zcrThreshold: number;
  /** Fraction of spectral magnitude below the roll-off frequency. */
  readonly rolloffPercent: number;
  /** Present when the columns take log-mel or MFCC. */
  readonly mel: MelFilterbank | null;
  /** Present when the columns take MFCC. */
  readonly dct: Dct | null;
  /** Present when the columns take spectral contrast. */
  readonly contrast: SpectralContrast | null;
  /** Columns of the matrix rows. */
  readonly dims: number;
  readonly columns: Readonly<FrameColumns>;
}

export interface FrameFeatures extends FrameFeaturesPlan {
  /**
   * Writes the plan's columns for every frame of `signal` (stft.frameCount(signal.length) rows of `dims`) into
   * `out`, leaving the other columns as they are.
   */
  compute(signal: Float32Array, out: Float32Array): void;
  /**
   * The mel energies Σ_k weight · |X_t[k]|² of every frame, with neither the noise floor (its share per band is
   * floorPower · Σ_k weight[m][k]) nor the log: a gain g scales them by g², so that a window of a longer clip can
   * take its log-mel from energies computed once for the clip (window-front-end.ts). Null without mel filters.
   */
  readonly melEnergies: MelEnergies | null;
}

/**
 * A faster implementation of `compute`, injected because this module stays free of platform APIs
 * (core/kernels/spectrum-kernels.ts wraps the WebAssembly SIMD one). `frameFeatures` must write what
 * `compute` would, up to float rounding, and return true; it returns false when it cannot take this call
 * (too long for its memory), and the TypeScript loops run instead. Plans are made once per extractor and
 * reused as the same object, so kernels can key their copies of its tables on it.
 */
export interface SpectrumKernels {
  frameFeatures(plan: FrameFeaturesPlan, signal: Float32Array, out: Float32Array): boolean;
  /** What `FrameFeatures.melEnergies` writes, up to float rounding; false when it cannot take this call. */
  melEnergies(plan: FrameFeaturesPlan, signal: Float32Array, out: Float64Array): boolean;
  /** What `MelEnergies.toDecibels` writes, up to float rounding; false when it cannot take this call. */
  scaledLogMel(energies: Float64Array, gainSquared: number, floor: Float64Array, out: Float32Array): boolean;
}

let kernels: SpectrumKernels | null = null;

/**
 * Makes every later frame-feature computation use `accelerated` (null: this module's TypeScript loops, the
 * default and the reference). Process-wide, like `useResampleKernels`: the Worker sets it at start-up.
 */
export function useSpectrumKernels(accelerated: SpectrumKernels | null): void {
  kernels = accelerated;
}

export function createFrameFeatures(plan: FrameFeaturesPlan): FrameFeatures {
  const { stft, mel, dims, columns } = plan;
  const { nFft, hop, bins } = stft;
  for (const [name, column] of Object.entries(columns)) {
    if (!(Number.isInteger(column) && column >= -1 && column < dims)) {
      throw new RangeError(`frame features: expected column ${name} in −1…${dims - 1}, got ${column}`);
    }
  }
  if ((columns.logMel >= 0 || columns.mfcc >= 0) && !mel) {
    throw new RangeError('frame features: expected mel filters for log-mel or MFCC columns, got none');
  }
  if (columns.mfcc >= 0 && !plan.dct) {
    throw new RangeError('frame features: expected a DCT for MFCC columns, got none');
  }
  if (columns.contrast >= 0 && !plan.contrast) {
    throw new RangeError('frame features: expected contrast bands for contrast columns, got none');
  }
  // What the plan has but its columns do not take is left out.
  const dct = columns.mfcc >= 0 ? plan.dct : null;
  const contrast = columns.contrast >= 0 ? plan.contrast : null;
  const nMels = mel?.nMels ?? 0;
  const needsMel = columns.logMel >= 0 || columns.mfcc >= 0;
  const needsShape = columns.centroid >= 0 || columns.bandwidth >= 0 || columns.rolloff >= 0;
  const needsMagnitude = contrast !== null || needsShape;
  const freqs = fftFrequencies(plan.sampleRate, nFft);
  const spectrogram = createSpectrogram(stft, plan.floorPower, needsMel ? mel : null);
  const shape: SpectralShape = { centroid: 0, bandwidth: 0, rolloff: 0 };
  // Whole-clip buffers (running crossing counts, magnitude and log-mel spectrograms), kept between calls and
  // grown to the longest signal seen, so that clips do not each allocate them (3 s of magnitudes is 390 kB).
  let crossings = new Int32Array(0);
  let magnitudes = new Float64Array(0);
  let logMels = new Float64Array(0);

  const power = new Float64Array(bins);
  const melEnergies = (filters: MelFilterbank): MelEnergies => {
    const floor = new Float64Array(nMels);
    filters.apply(new Float64Array(bins).fill(plan.floorPower), floor);
    return {
      nMels,
      floor,
      compute(signal) {
        const frames = stft.frameCount(signal.length);
        const out = new Float64Array(frames * nMels);
        if (kernels?.melEnergies(frameFeatures, signal, out)) return out;
        for (let t = 0; t < frames; t++) {
          stft.powerSpectrum(signal, t, power);
          filters.apply(power, out.subarray(t * nMels, (t + 1) * nMels));
        }
        return out;
      },
      toDecibels(energies, gainSquared, out) {
        if (kernels?.scaledLogMel(energies, gainSquared, floor, out)) return;
        for (let i = 0; i < energies.length; i++) {
          out[i] = powerToDb(gainSquared * energies[i] + floor[i % nMels]);
        }
      },
    };
  };

  const frameFeatures: FrameFeatures = {
    ...plan,
    melEnergies: mel ? melEnergies(mel) : null,
    compute(signal, out) {
      const frames = stft.frameCount(signal.length);
      if (out.length < frames * dims) {
        throw new RangeError(`frame features: expected room for ${frames * dims} values, got ${out.length}`);
      }
      if (kernels?.frameFeatures(frameFeatures, signal, out)) return;
      if (columns.zcr >= 0) {
        if (crossings.length < signal.length) crossings = new Int32Array(signal.length);
        countZeroCrossings(signal, plan.zcrThreshold, crossings);
      }
      if (needsMagnitude && magnitudes.length < frames * bins) magnitudes = new Float64Array(frames * bins);
      if (needsMel && logMels.length < frames * nMels) logMels = new Float64Array(frames * nMels);
      spectrogram.compute(signal, needsMagnitude ? magnitudes : null, needsMel ? logMels : null);
      const peaksDb = contrast ? new Float64Array(frames * contrast.bands) : null;
      const valleysDb = contrast ? new Float64Array(frames * contrast.bands) : null;

      for (let t = 0; t < frames; t++) {
        const row = t * dims;
        if (needsMel) {
          const logMel = logMels.subarray(t * nMels, (t + 1) * nMels);
          if (columns.logMel >= 0) out.set(logMel, row + columns.logMel);
          if (dct) dct.apply(logMel, out, row + columns.mfcc);
        }
        if (needsMagnitude) {
          const magnitude = magnitudes.subarray(t * bins, (t + 1) * bins);
          if (needsShape) {
            measureSpectralShape(magnitude, freqs, plan.rolloffPercent, shape);
            if (columns.centroid >= 0) out[row + columns.centroid] = shape.centroid;
            if (columns.bandwidth >= 0) out[row + columns.bandwidth] = shape.bandwidth;
            if (columns.rolloff >= 0) out[row + columns.rolloff] = shape.rolloff;
          }
          if (contrast && peaksDb && valleysDb) {
            contrast.measure(magnitude, peaksDb, valleysDb, t * contrast.bands);
          }
        }
        if (columns.zcr >= 0)
          out[row + columns.zcr] = zeroCrossingRate(crossings, signal.length, t, nFft, hop);
        if (columns.rms >= 0)
          out[row + columns.rms] = rootMeanSquare(signal, t, nFft, hop, plan.floorMeanSquare);
      }
      if (contrast && peaksDb && valleysDb) {
        // Only the first `frames` rows: `out` may be longer.
        writeContrast(peaksDb, valleysDb, contrast.bands, out, dims, columns.contrast);
      }
    },
  };
  return frameFeatures;
}
