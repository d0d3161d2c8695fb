import { POWER_DB_AMIN, powerToDb } from './mel.ts';

/**
 * Running zero-crossing counts of a whole signal, librosa `zero_crossings` semantics (samples with
 * |x| ≤ threshold count as zero, and zero as positive): out[i] = sign changes between consecutive samples up
 * to index i. Counting once per signal, not once per overlapping frame, halves the work at 50 % overlap.
 */
export function countZeroCrossings(signal: Float32Array, threshold: number, out: Int32Array): void {
  if (signal.length === 0) return;
  let crossings = 0;
  let previous = signal[0] < -threshold ? 1 : 0;
  out[0] = 0;
  for (let i = 1; i < signal.length; i++) {
    // Branch-free: on noisy audio a data-dependent branch mispredicts about half the time.
    const negative = signal[i] < -threshold ? 1 : 0;
    crossings += negative ^ previous;
    previous = negative;
    out[i] = crossings;
  }
}

/**
 * Zero-crossing rate of the centred frame `frame` (librosa `zero_crossing_rate`, center=True): sign changes
 * within the frame / frameLength, from the running counts of {@link countZeroCrossings} over `samples`
 * samples. librosa pads with the edge samples, which never adds a crossing.
 */
export function zeroCrossingRate(
  counts: Int32Array,
  samples: number,
  frame: number,
  frameLength: number,
  hop: number,
): number {
  const start = frame * hop - (frameLength >> 1);
  const from = Math.max(0, start);
  const to = Math.min(samples, start + frameLength);
  return to - from < 2 ? 0 : (counts[to - 1] - counts[from]) / frameLength;
}

/**
 * Root-mean-square of the centred, zero-padded frame `frame` (librosa `rms(y=…)`, center=True), with
 * `floorPower` (a noise floor's mean square) added before the square root.
 */
export function rootMeanSquare(
  signal: Float32Array,
  frame: number,
  frameLength: number,
  hop: number,
  floorPower: number,
): number {
  const start = frame * hop - (frameLength >> 1);
  const from = Math.max(0, start);
  const to = Math.min(signal.length, start + frameLength);
  let sum = 0;
  for (let i = from; i < to; i++) sum += signal[i] * signal[i];
  return Math.sqrt(sum / frameLength + floorPower);
}

/** Where a spectrum's magnitude lies: librosa `spectral_centroid`, `spectral_bandwidth` (p=2), `spectral_rolloff`. */
export interface SpectralShape {
  /** Magnitude-weighted mean frequency; 0 for a silent frame. */
  centroid: number;
  /** Magnitude-weighted standard deviation of frequency about the centroid; 0 for a silent frame. */
  bandwidth: number;
  /** Lowest bin frequency at or below which `rollPercent` of the magnitude lies; bin 0 for a silent frame. */
  rolloff: number;
}

/** Measures all three in two passes over `magnitude`, writing into `out` (no allocation). */
export function measureSpectralShape(
  magnitude: Float64Array,
  freqs: Float64Array,
  rollPercent: number,
  out: SpectralShape,
): void {
  let total = 0;
  let first = 0;
  let second = 0;
  for (let k = 0; k < magnitude.length; k++) {
    const weighted = magnitude[k] * freqs[k];
    total += magnitude[k];
    first += weighted;
    second += weighted * freqs[k];
  }
  const centroid = total > 0 ? first / total : 0;
  out.centroid = centroid;
  // Σm(f − c)² / Σm = Σmf² / Σm − c²; float64 keeps the cancellation far below librosa's float32 noise.
  out.bandwidth = total > 0 ? Math.sqrt(Math.max(0, second / total - centroid * centroid)) : 0;
  const threshold = rollPercent * total;
  let cumulative = 0;
  let k = 0;
  while (k < magnitude.length - 1) {
    cumulative += magnitude[k];
    if (cumulative >= threshold) break;
    k++;
  }
  out.rolloff = freqs[k];
}

/** librosa's `power_to_db` default `top_db`, which `spectral_contrast` applies to its peaks and valleys. */
export const CONTRAST_TOP_DB = 80;

export interface SpectralContrastOptions {
  sampleRate: number;
  nFft: number;
  /** Upper edge of the first band; band k > 0 spans [fmin·2^(k−1), fmin·2^k]. */
  fmin: number;
  /** Octave bands above fmin; the contrast has nBands + 1 values. */
  nBands: number;
  /** Fraction of each band's bins averaged for its peak and its valley. */
  quantile: number;
}

/** Octave-band spectral contrast (librosa `spectral_contrast`, linear=False). */
export interface SpectralContrast {
  /** nBands + 1. */
  readonly bands: number;
  /** Per band: its bins are [first, end), and its peak and valley each average `take` of them. */
  readonly first: Int32Array;
  readonly end: Int32Array;
  readonly take: Int32Array;
  /**
   * Writes each band's peak and valley of one magnitude spectrum, in dB (10·log10, amin 1e-10, as librosa
   * applies `power_to_db` to magnitudes), into `peaksDb` / `valleysDb` from `offset`.
   */
  measure(magnitude: Float64Array, peaksDb: Float64Array, valleysDb: Float64Array, offset: number): void;
}

export function createSpectralContrast({
  sampleRate,
  nFft,
  fmin,
  nBands,
  quantile,
}: SpectralContrastOptions): SpectralContrast {
  if (!Number.isInteger(nBands) || nBands < 1) {
    throw new RangeError(`contrast: expected a positive integer band count, got ${nBands}`);
  }
  if (!(quantile > 0 && quantile < 1)) {
    throw new RangeError(`contrast: expected 0 < quantile < 1, got ${quantile}`);
  }
  const topEdge = fmin * 2 ** (nBands - 1);
  if (!(fmin > 0 && topEdge < sampleRate / 2)) {
    throw new RangeError(
      `contrast: expected 0 < fmin and fmin·2^(nBands−1) < ${sampleRate / 2} Hz, got fmin ${fmin}, top band from ${topEdge} Hz`,
    );
  }
  const bins = nFft / 2 + 1;
  const bands = nBands + 1;
  // Per band: bins [first, end) and how many of them to average; librosa's bin selection, reproduced.
  const first = new Int32Array(bands);
  const end = new Int32Array(bands);
  const take = new Int32Array(bands);
  for (let band = 0; band < bands; band++) {
    const low = band === 0 ? 0 : fmin * 2 ** (band - 1);
    const high = fmin * 2 ** band;
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < bins; k++) {
      const hz = (k * sampleRate) / nFft;
      if (hz >= low && hz <= high) {
        if (lo < 0) lo = k;
        hi = k;
      }
    }
    // Every band but the first also takes the bin just below it; the last runs to Nyquist.
    if (band > 0) lo -= 1;
    if (band === nBands) hi = bins - 1;
    // librosa drops the top bin of every band but the last (after counting it for `take`).
    const stop = band < nBands ? hi : hi + 1;
    if (lo < 0 || stop <= lo) {
      throw new RangeError(
        `contrast: expected FFT bins in band ${band} (${low}–${high} Hz), got none with nFft ${nFft}`,
      );
    }
    take[band] = Math.max(1, roundHalfEven(quantile * (hi - lo + 1)));
    first[band] = lo;
    end[band] = stop;
  }
  const maxTake = Math.max(...take);
  const smallest = new Float64Array(maxTake);
  const largest = new Float64Array(maxTake);

  return {
    bands,
    first,
    end,
    take,
    measure(magnitude, peaksDb, valleysDb, offset) {
      for (let band = 0; band < bands; band++) {
        const n = take[band];
        let valley = 0;
        let peak = 0;
        if (n === 1) {
          // One bin at each end (at quantile 0.02, any band under 75 bins): plain min and max.
          valley = magnitude[first[band]];
          peak = valley;
          for (let k = first[band] + 1; k < end[band]; k++) {
            const x = magnitude[k];
            if (x < valley) valley = x;
            if (x > peak) peak = x;
          }
        } else {
          const filled = keepExtremes(magnitude, first[band], end[band], n, smallest, largest);
          for (let i = 0; i < filled; i++) {
            valley += smallest[i];
            peak += largest[i];
          }
          valley /= filled;
          peak /= filled;
        }
        peaksDb[offset + band] = powerToDb(peak, POWER_DB_AMIN);
        valleysDb[offset + band] = powerToDb(valley, POWER_DB_AMIN);
      }
    },
  };
}

/**
 * Collects the n smallest (ascending) and n largest (descending) of values[from..to) by insertion; returns
 * how many it kept (fewer than n only when the range is shorter).
 */
function keepExtremes(
  values: Float64Array,
  from: number,
  to: number,
  n: number,
  smallest: Float64Array,
  largest: Float64Array,
): number {
  let filled = 0;
  for (let k = from; k < to; k++) {
    const x = values[k];
    if (filled < n) {
      insertAscending(smallest, filled, x);
      insertDescending(largest, filled, x);
      filled++;
    } else {
      if (x < smallest[n - 1]) insertAscending(smallest, n - 1, x);
      if (x > largest[n - 1]) insertDescending(largest, n - 1, x);
    }
  }
  return filled;
}

/** numpy's `rint` for x ≥ 0: halves round to the even neighbour. */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 === 1 ? rounded - 1 : rounded;
}

/** Inserts x into sorted[0..length) ascending, writing at most index `length`. */
function insertAscending(sorted: Float64Array, length: number, x: number): void {
  let i = length;
  while (i > 0 && sorted[i - 1] > x) {
    sorted[i] = sorted[i - 1];
    i--;
  }
  sorted[i] = x;
}

function insertDescending(sorted: Float64Array, length: number, x: number): void {
  let i = length;
  while (i > 0 && sorted[i - 1] < x) {
    sorted[i] = sorted[i - 1];
    i--;
  }
  sorted[i] = x;
}

/**
 * Final contrast for a clip from per-frame peaks and valleys in dB ([frames × bands]): each set is first
 * clipped to its clip-wide maximum − CONTRAST_TOP_DB (librosa's power_to_db top_db, applied to the whole
 * array), then contrast = peak − valley, written to columns [column, column + bands) of a frame-major matrix
 * with `dims` columns. At the default settings the −80 dBFS noise floor keeps every magnitude within
 * 53 dB of full scale, so the clip only ever acts with `noiseFloorDb: null`.
 */
export function writeContrast(
  peaksDb: Float64Array,
  valleysDb: Float64Array,
  bands: number,
  out: Float32Array,
  dims: number,
  column: number,
): void {
  let peakFloor = Number.NEGATIVE_INFINITY;
  let valleyFloor = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < peaksDb.length; i++) {
    peakFloor = Math.max(peakFloor, peaksDb[i] - CONTRAST_TOP_DB);
    valleyFloor = Math.max(valleyFloor, valleysDb[i] - CONTRAST_TOP_DB);
  }
  const frames = peaksDb.length / bands;
  for (let t = 0; t < frames; t++) {
    for (let band = 0; band < bands; band++) {
      const i = t * bands + band;
      out[t * dims + column + band] = Math.max(peaksDb[i], peakFloor) - Math.max(valleysDb[i], valleyFloor);
    }
  }
}
