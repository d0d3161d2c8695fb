// Every per-frame feature of a clip in WebAssembly SIMD, in one call: windowing, real FFT, |X|² plus the noise
// floor, mel filterbank and power → dB (log-mel), DCT (MFCC), magnitudes with their centroid, bandwidth,
// roll-off and octave-band contrast, and the time-domain RMS and zero-crossing rate, written straight into
// their columns of the f32 feature matrix. For windows that share frames (core/audio/window-front-end.ts), the
// mel energies alone (`melEnergyFrames`) and a window's gain, floor and log of them (`scaledLogMel`).
// core/audio/frame-features.ts is the reference and documents the maths; ../spectrum-kernels.ts is the JS face
// that lays out memory and calls this.
//
// Everything is f64 (an f32 FFT errs by up to 2e-3 dB on a full-scale tone over the −80 dBFS floor), two frames
// per vector: lane 0 is frame t, lane 1 frame t + 1. Every butterfly and every per-frame sum is then plain
// vector arithmetic with no shuffles across lanes, each lane summing in the reference's order, and a table
// value is one splat load. Buffers are at byte addresses in this memory: the signal f32 (as decoded), the
// feature matrix f32, everything else f64.

export function heapBase(): usize {
  return __heap_base;
}

// The plan record the JS face writes once per plan: i32 fields, then f64 ones.
const HOP = 0;
const HALF = 4;
const WINDOW = 8;
const TWIDDLES = 12;
const REVERSED = 16;
// Mel band records {i32 first bin, i32 bin count, i32 byte address of its f64 weights, unused}; 0 for none.
const MEL_BANDS = 20;
const N_MELS = 24;
// f64 [nMfcc × nMels] row-major; 0 for none.
const DCT = 28;
const N_MFCC = 32;
// f64 frequency of each bin; 0 when no shape column is wanted.
const FREQS = 36;
// Contrast band records {i32 first bin, i32 end bin, i32 take, unused}; 0 for none.
const CONTRAST_BANDS = 40;
const N_CONTRAST = 44;
const MAX_TAKE = 48;
const DIMS = 52;
// First column of each feature in a matrix row, −1 when absent.
const COLUMN_LOG_MEL = 56;
const COLUMN_MFCC = 60;
const COLUMN_CENTROID = 64;
const COLUMN_BANDWIDTH = 68;
const COLUMN_ROLLOFF = 72;
const COLUMN_CONTRAST = 76;
const COLUMN_RMS = 80;
const COLUMN_ZCR = 84;
// f32: the smallest f32 ≥ −threshold, so that x < it exactly when f64(x) < −threshold.
const ZCR_LIMIT = 88;
const FLOOR_POWER = 96;
const ROLLOFF_PERCENT = 104;
const FLOOR_MEAN_SQUARE = 112;

/** Bytes of f64x2 scratch `frameFeatures` needs besides the contrast store: see its layout. */
export function scratchBytes(half: i32, nMels: i32, maxTake: i32): i32 {
  return (3 * half + 1 + nMels + 2 * maxTake) << 4;
}

/**
 * For frames t = 0 … frames − 1 of a signal of `samples` samples (frame t is samples [t·hop, t·hop + 2·half) of
 * the f32 `padded`, the signal after `half` zeros, which the caller zero-pads so that frame `frames` exists too
 * when `frames` is odd), writes the plan's columns of row t of the f32 matrix `out` (dims columns, room for an
 * even number of rows: the odd frame's partner is written and ignored). `scratch` holds scratchBytes(…);
 * `contrastStore` holds 2 vectors per band per frame pair when the plan has contrast columns.
 */
export function frameFeatures(
  plan: usize, padded: usize, frames: i32, samples: i32, out: usize, scratch: usize, contrastStore: usize,
): void {
  const hop = load<i32>(plan, HOP);
  const half = load<i32>(plan, HALF);
  const nMels = load<i32>(plan, N_MELS);
  const dims = <usize>load<i32>(plan, DIMS);
  const re = scratch;
  const im = re + (<usize>half << 4);
  const power = im + (<usize>half << 4);
  const mel = power + (<usize>(half + 1) << 4);
  const low = mel + (<usize>nMels << 4);
  const high = low + (<usize>load<i32>(plan, MAX_TAKE) << 4);
  const rowBytes = dims << 2;
  const frameStep = <usize>hop << 2;
  const columnLogMel = load<i32>(plan, COLUMN_LOG_MEL);
  const melBands = <usize>load<i32>(plan, MEL_BANDS);
  const dct = <usize>load<i32>(plan, DCT);
  const freqs = <usize>load<i32>(plan, FREQS);
  const contrastBands = <usize>load<i32>(plan, CONTRAST_BANDS);
  const columnRms = load<i32>(plan, COLUMN_RMS);
  const columnZcr = load<i32>(plan, COLUMN_ZCR);
  for (let t = 0; t < frames; t += 2) {
    const a = padded + <usize>t * frameStep;
    const row = out + <usize>t * rowBytes;
    let span = firstStage(a, a + frameStep, half, load<usize>(plan, WINDOW), load<usize>(plan, REVERSED), re, im);
    for (; span * 4 <= half; span *= 4) radix22(re, im, half, span, load<usize>(plan, TWIDDLES));
    powerSpectrum(re, im, half, load<usize>(plan, TWIDDLES), load<f64>(plan, FLOOR_POWER), power);
    if (melBands != 0) {
      melEnergies(power, melBands, nMels, mel);
      for (let m = 0; m < nMels; m++) {
        const at = mel + (<usize>m << 4);
        const decibels = powerToDb(v128.load(at));
        v128.store(at, decibels);
        if (columnLogMel >= 0) storeRow(row, rowBytes, columnLogMel + m, decibels);
      }
      if (dct != 0) cosineTransform(plan, dct, mel, nMels, row, rowBytes);
    }
    if (freqs != 0 || contrastBands != 0) {
      // Magnitudes in place of the powers, which nothing reads any more.
      const end = power + (<usize>(half + 1) << 4);
      for (let at = power; at < end; at += 16) v128.store(at, f64x2.sqrt(v128.load(at)));
      if (freqs != 0) spectralShape(plan, power, half + 1, freqs, row, rowBytes);
      if (contrastBands != 0) {
        spectralContrast(power, contrastBands, load<i32>(plan, N_CONTRAST), low, high, contrastStore + ((<usize>t * <usize>load<i32>(plan, N_CONTRAST)) << 4));
      }
    }
    if (columnRms >= 0) rootMeanSquare(plan, a, a + frameStep, half << 1, row, rowBytes, columnRms);
    if (columnZcr >= 0) {
      zeroCrossingRate(plan, padded, t, hop, half, samples, row, columnZcr);
      if (t + 1 < frames) zeroCrossingRate(plan, padded, t + 1, hop, half, samples, row + rowBytes, columnZcr);
    }
  }
  if (contrastBands != 0) writeContrast(contrastStore, load<i32>(plan, N_CONTRAST), frames, out, rowBytes, load<i32>(plan, COLUMN_CONTRAST));
}

/**
 * The mel energies Σ_k weight · |X_t[k]|² of frames t = 0 … frames − 1, with no noise floor and no log, as f64
 * rows of nMels at `out` (room for an even number of rows, as `frameFeatures` has): what a window of a longer
 * signal scales by its gain, floors and logs for itself (core/audio/window-front-end.ts). `padded` and
 * `scratch` as for `frameFeatures`.
 */
export function melEnergyFrames(plan: usize, padded: usize, frames: i32, out: usize, scratch: usize): void {
  const hop = load<i32>(plan, HOP);
  const half = load<i32>(plan, HALF);
  const nMels = load<i32>(plan, N_MELS);
  const re = scratch;
  const im = re + (<usize>half << 4);
  const power = im + (<usize>half << 4);
  const mel = power + (<usize>(half + 1) << 4);
  const rowBytes = <usize>nMels << 3;
  const frameStep = <usize>hop << 2;
  for (let t = 0; t < frames; t += 2) {
    const a = padded + <usize>t * frameStep;
    let span = firstStage(a, a + frameStep, half, load<usize>(plan, WINDOW), load<usize>(plan, REVERSED), re, im);
    for (; span * 4 <= half; span *= 4) radix22(re, im, half, span, load<usize>(plan, TWIDDLES));
    powerSpectrum(re, im, half, load<usize>(plan, TWIDDLES), 0.0, power);
    melEnergies(power, <usize>load<i32>(plan, MEL_BANDS), nMels, mel);
    const row = out + <usize>t * rowBytes;
    for (let m = 0; m < nMels; m++) {
      const value = v128.load(mel + (<usize>m << 4));
      store<f64>(row + (<usize>m << 3), f64x2.extract_lane(value, 0));
      store<f64>(row + rowBytes + (<usize>m << 3), f64x2.extract_lane(value, 1));
    }
  }
}

// Lane 0 of `value` into column `column` of the row at `row`, lane 1 into the row after it, as f32.
// @ts-ignore: decorator
@inline function storeRow(row: usize, rowBytes: usize, column: i32, value: v128): void {
  const at = row + (<usize>column << 2);
  store<f32>(at, <f32>f64x2.extract_lane(value, 0));
  store<f32>(at + rowBytes, <f32>f64x2.extract_lane(value, 1));
}

// MFCC: the first nMfcc rows of the orthonormal DCT matrix times both frames' log-mel vectors, each sum in
// order. Four coefficients at a time: four independent sums hide the latency of each add.
// @ts-ignore: decorator
@inline function cosineTransform(plan: usize, dct: usize, mel: usize, nMels: i32, row: usize, rowBytes: usize): void {
  const nMfcc = load<i32>(plan, N_MFCC);
  const column = load<i32>(plan, COLUMN_MFCC);
  const rowStride = <usize>nMels << 3;
  let k = 0;
  for (; k + 4 <= nMfcc; k += 4) {
    const w0 = dct + <usize>k * rowStride;
    const w1 = w0 + rowStride;
    const w2 = w1 + rowStride;
    const w3 = w2 + rowStride;
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    for (let n = 0; n < nMels; n++) {
      const x = v128.load(mel + (<usize>n << 4));
      const at = <usize>n << 3;
      s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(w0 + at), x));
      s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(w1 + at), x));
      s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(w2 + at), x));
      s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(w3 + at), x));
    }
    storeRow(row, rowBytes, column + k, s0);
    storeRow(row, rowBytes, column + k + 1, s1);
    storeRow(row, rowBytes, column + k + 2, s2);
    storeRow(row, rowBytes, column + k + 3, s3);
  }
  for (; k < nMfcc; k++) {
    const weights = dct + <usize>k * rowStride;
    let sum = f64x2.splat(0);
    for (let n = 0; n < nMels; n++) {
      sum = f64x2.add(sum, f64x2.mul(v128.load64_splat(weights + (<usize>n << 3)), v128.load(mel + (<usize>n << 4))));
    }
    storeRow(row, rowBytes, column + k, sum);
  }
}

// Centroid, bandwidth and roll-off of both frames' magnitudes (`bins` vectors at `magnitude`), as
// core/audio/spectral.ts's measureSpectralShape: the roll-off bin is the first whose running sum reaches
// the threshold, capped at the last bin; since the running sums only grow, it is how many of bins 0 … bins − 2
// stay below it.
function spectralShape(plan: usize, magnitude: usize, bins: i32, freqs: usize, row: usize, rowBytes: usize): void {
  const zero = f64x2.splat(0);
  let total = zero;
  let first = zero;
  let second = zero;
  for (let k = 0; k < bins; k++) {
    const m = v128.load(magnitude + (<usize>k << 4));
    const f = v128.load64_splat(freqs + (<usize>k << 3));
    const weighted = f64x2.mul(m, f);
    total = f64x2.add(total, m);
    first = f64x2.add(first, weighted);
    second = f64x2.add(second, f64x2.mul(weighted, f));
  }
  const sounding = f64x2.gt(total, zero);
  const centroid = v128.and(f64x2.div(first, total), sounding);
  const spread = f64x2.max(zero, f64x2.sub(f64x2.div(second, total), f64x2.mul(centroid, centroid)));
  const bandwidth = v128.and(f64x2.sqrt(spread), sounding);
  const threshold = f64x2.mul(v128.load64_splat(plan, ROLLOFF_PERCENT), total);
  let running = zero;
  let below = i64x2.splat(0);
  for (let k = 0; k < bins - 1; k++) {
    running = f64x2.add(running, v128.load(magnitude + (<usize>k << 4)));
    // All ones (−1) in each lane still below the threshold.
    below = i64x2.sub(below, f64x2.lt(running, threshold));
  }
  const rolloff = f64x2.replace_lane(
    v128.load64_splat(freqs + (<usize>i64x2.extract_lane(below, 0) << 3)),
    1,
    load<f64>(freqs + (<usize>i64x2.extract_lane(below, 1) << 3)),
  );
  const columnCentroid = load<i32>(plan, COLUMN_CENTROID);
  const columnBandwidth = load<i32>(plan, COLUMN_BANDWIDTH);
  const columnRolloff = load<i32>(plan, COLUMN_ROLLOFF);
  if (columnCentroid >= 0) storeRow(row, rowBytes, columnCentroid, centroid);
  if (columnBandwidth >= 0) storeRow(row, rowBytes, columnBandwidth, bandwidth);
  if (columnRolloff >= 0) storeRow(row, rowBytes, columnRolloff, rolloff);
}

// Each band's peak and valley in dB (10·log10, amin 1e-10) for both frames, as spectral.ts's contrast measure:
// the mean of the `take` largest and smallest magnitudes in the band, kept sorted in `high` (descending) and
// `low` (ascending) by running each value down a chain of min/max, which is insertion without branches.
// Stored as {peaks, valleys} vector pairs per band at `extremes`.
function spectralContrast(magnitude: usize, records: usize, bands: i32, low: usize, high: usize, extremes: usize): void {
  for (let band = 0; band < bands; band++) {
    const record = records + (<usize>band << 4);
    const from = load<i32>(record);
    const to = load<i32>(record, 4);
    const take = load<i32>(record, 8);
    if (take == 1) {
      // Plain minimum and maximum, in registers (every band under 75 bins at quantile 0.02).
      let lowest = v128.load(magnitude + (<usize>from << 4));
      let highest = lowest;
      for (let k = from + 1; k < to; k++) {
        const x = v128.load(magnitude + (<usize>k << 4));
        lowest = f64x2.min(lowest, x);
        highest = f64x2.max(highest, x);
      }
      const at = extremes + (<usize>band << 5);
      v128.store(at, powerToDb(highest));
      v128.store(at, powerToDb(lowest), 16);
      continue;
    }
    if (take == 2 && to - from >= 2) {
      // The two smallest and largest, in registers (the band up to 4 kHz at nFft 512 and quantile 0.02).
      const x0 = v128.load(magnitude + (<usize>from << 4));
      const x1 = v128.load(magnitude + (<usize>(from + 1) << 4));
      let low0 = f64x2.min(x0, x1);
      let low1 = f64x2.max(x0, x1);
      let high0 = low1;
      let high1 = low0;
      for (let k = from + 2; k < to; k++) {
        const x = v128.load(magnitude + (<usize>k << 4));
        low1 = f64x2.min(low1, f64x2.max(low0, x));
        low0 = f64x2.min(low0, x);
        high1 = f64x2.max(high1, f64x2.min(high0, x));
        high0 = f64x2.max(high0, x);
      }
      const two = f64x2.splat(2);
      const at = extremes + (<usize>band << 5);
      v128.store(at, powerToDb(f64x2.div(f64x2.add(high0, high1), two)));
      v128.store(at, powerToDb(f64x2.div(f64x2.add(low0, low1), two)), 16);
      continue;
    }
    for (let i = 0; i < take; i++) {
      v128.store(low + (<usize>i << 4), f64x2.splat(Infinity));
      v128.store(high + (<usize>i << 4), f64x2.splat(-Infinity));
    }
    for (let k = from; k < to; k++) {
      let small = v128.load(magnitude + (<usize>k << 4));
      let large = small;
      for (let i = 0; i < take; i++) {
        const lowAt = low + (<usize>i << 4);
        const highAt = high + (<usize>i << 4);
        const lowest = v128.load(lowAt);
        const highest = v128.load(highAt);
        v128.store(lowAt, f64x2.min(lowest, small));
        small = f64x2.max(lowest, small);
        v128.store(highAt, f64x2.max(highest, large));
        large = f64x2.min(highest, large);
      }
    }
    // A band shorter than `take` averages what it has.
    const filled = min(take, to - from);
    let valley = f64x2.splat(0);
    let peak = f64x2.splat(0);
    for (let i = 0; i < filled; i++) {
      valley = f64x2.add(valley, v128.load(low + (<usize>i << 4)));
      peak = f64x2.add(peak, v128.load(high + (<usize>i << 4)));
    }
    const count = f64x2.splat(<f64>filled);
    valley = f64x2.div(valley, count);
    peak = f64x2.div(peak, count);
    const at = extremes + (<usize>band << 5);
    v128.store(at, powerToDb(peak));
    v128.store(at, powerToDb(valley), 16);
  }
}

// Contrast = peak − valley after clipping each to its clip-wide maximum − 80 dB (librosa's top_db), as
// spectral.ts's writeContrast: only real frames count towards the maxima, not an odd clip's padding partner.
function writeContrast(extremes: usize, bands: i32, frames: i32, out: usize, rowBytes: usize, column: i32): void {
  let peakFloor = -Infinity;
  let valleyFloor = -Infinity;
  for (let t = 0; t < frames; t++) {
    const pair = extremes + ((<usize>(t >> 1) * <usize>bands) << 5) + (<usize>(t & 1) << 3);
    for (let band = 0; band < bands; band++) {
      peakFloor = max(peakFloor, load<f64>(pair + (<usize>band << 5)) - TOP_DB);
      valleyFloor = max(valleyFloor, load<f64>(pair + (<usize>band << 5), 16) - TOP_DB);
    }
  }
  for (let t = 0; t < frames; t++) {
    const pair = extremes + ((<usize>(t >> 1) * <usize>bands) << 5) + (<usize>(t & 1) << 3);
    const row = out + <usize>t * rowBytes + (<usize>column << 2);
    for (let band = 0; band < bands; band++) {
      const peak = max(load<f64>(pair + (<usize>band << 5)), peakFloor);
      const valley = max(load<f64>(pair + (<usize>band << 5), 16), valleyFloor);
      store<f32>(row + (<usize>band << 2), <f32>(peak - valley));
    }
  }
}

const TOP_DB = 80.0;

// RMS of both frames: Σx² over the zero-padded frame in order (zeros outside the signal add nothing), over the
// frame length, plus the floor's mean square, square-rooted. Four samples of each frame per step, interleaved
// into (frame t, frame t + 1) pairs so that each lane sums its own frame in order.
// @ts-ignore: decorator
@inline function rootMeanSquare(plan: usize, a: usize, b: usize, length: i32, row: usize, rowBytes: usize, column: i32): void {
  let sum = f64x2.splat(0);
  for (let i = 0; i < length; i += 4) {
    const at = <usize>i << 2;
    const x = v128.load(a + at);
    const y = v128.load(b + at);
    const pairs01 = f32x4.shuffle(x, y, 0, 4, 1, 5);
    const pairs23 = f32x4.shuffle(x, y, 2, 6, 3, 7);
    const p0 = f64x2.promote_low_f32x4(pairs01);
    const p1 = f64x2.promote_low_f32x4(f32x4.shuffle(pairs01, pairs01, 2, 3, 0, 1));
    const p2 = f64x2.promote_low_f32x4(pairs23);
    const p3 = f64x2.promote_low_f32x4(f32x4.shuffle(pairs23, pairs23, 2, 3, 0, 1));
    sum = f64x2.add(sum, f64x2.mul(p0, p0));
    sum = f64x2.add(sum, f64x2.mul(p1, p1));
    sum = f64x2.add(sum, f64x2.mul(p2, p2));
    sum = f64x2.add(sum, f64x2.mul(p3, p3));
  }
  const meanSquare = f64x2.add(f64x2.div(sum, f64x2.splat(<f64>length)), v128.load64_splat(plan, FLOOR_MEAN_SQUARE));
  storeRow(row, rowBytes, column, f64x2.sqrt(meanSquare));
}

// Zero-crossing rate of frame t, as spectral.ts's zeroCrossingRate: sign changes between consecutive samples
// within the frame clipped to the signal, over the frame length; a sample below −threshold is negative, any
// other one positive. Four sample pairs per vector.
function zeroCrossingRate(plan: usize, padded: usize, t: i32, hop: i32, half: i32, samples: i32, row: usize, column: i32): void {
  const start = t * hop - half;
  const from = max(0, start);
  const to = min(samples, start + 2 * half);
  let crossings = 0;
  if (to - from >= 2) {
    const limit = f32x4.splat(load<f32>(plan, ZCR_LIMIT));
    // Signal sample j is at padded + 4·(j + half).
    const base = padded + (<usize>half << 2);
    let counts = i32x4.splat(0);
    let j = from + 1;
    for (; j + 4 <= to; j += 4) {
      const at = base + (<usize>j << 2);
      const changed = v128.xor(f32x4.lt(v128.load(at), limit), f32x4.lt(v128.load(at - 4), limit));
      counts = i32x4.sub(counts, changed);
    }
    crossings = i32x4.extract_lane(counts, 0) + i32x4.extract_lane(counts, 1) + i32x4.extract_lane(counts, 2) + i32x4.extract_lane(counts, 3);
    const scalarLimit = load<f32>(plan, ZCR_LIMIT);
    for (; j < to; j++) {
      const at = base + (<usize>j << 2);
      crossings += <i32>(load<f32>(at) < scalarLimit) ^ <i32>(load<f32>(at - 4) < scalarLimit);
    }
  }
  store<f32>(row + (<usize>column << 2), <f32>(<f64>crossings / <f64>(2 * half)));
}

// x[2n], x[2n + 1] of an f32 frame as f64, where `at` is the byte offset 16·n of z[n] in f64 buffers.
// @ts-ignore: decorator
@inline function samples(frame: usize, at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(frame + (at >> 1)));
}

// The transform of the f32 frame pair at `a` and `b` is a complex FFT of `half` points (a power of two) on
// z[n] = x[2n] + i·x[2n + 1], windowed: decimation in time, bit-reversed input, natural-order output. Its
// first stage reads the frames directly: positions j … j + 3 of the bit-reversed order hold z[r], z[r + half/2],
// z[r + half/4] and z[r + 3·half/4], r = reversed(j). That stage is a radix-2 one when log2(half) is odd, a
// radix-2² one (twiddles all 1) otherwise; radix-2² stages (two radix-2 stages at once, 3 complex multiplies
// per 4 points) follow. Returns the size of the transforms the first stage made.
function firstStage(
  a: usize, b: usize, half: i32, window: usize, reversed: usize, re: usize, im: usize,
): i32 {
  const bytes = <usize>half << 4;
  const h2 = bytes >> 1;
  if (ctz(half) & 1) {
    for (let j: usize = 0; j < bytes; j += 32) {
      const n0 = <usize>load<i32>(reversed + (j >> 2));
      const w0 = v128.load(window + n0);
      const w1 = v128.load(window + n0 + h2);
      const x0 = f64x2.mul(samples(a, n0), w0);
      const y0 = f64x2.mul(samples(b, n0), w0);
      const x1 = f64x2.mul(samples(a, n0 + h2), w1);
      const y1 = f64x2.mul(samples(b, n0 + h2), w1);
      const a0r = v128.shuffle<f64>(x0, y0, 0, 2);
      const a0i = v128.shuffle<f64>(x0, y0, 1, 3);
      const a1r = v128.shuffle<f64>(x1, y1, 0, 2);
      const a1i = v128.shuffle<f64>(x1, y1, 1, 3);
      v128.store(re + j, f64x2.add(a0r, a1r));
      v128.store(im + j, f64x2.add(a0i, a1i));
      v128.store(re + j, f64x2.sub(a0r, a1r), 16);
      v128.store(im + j, f64x2.sub(a0i, a1i), 16);
    }
    return 2;
  }
  const h4 = bytes >> 2;
  for (let j: usize = 0; j < bytes; j += 64) {
    const n0 = <usize>load<i32>(reversed + (j >> 2));
    const n1 = n0 + h2;
    const n2 = n0 + h4;
    const n3 = n1 + h4;
    const w0 = v128.load(window + n0);
    const w1 = v128.load(window + n1);
    const w2 = v128.load(window + n2);
    const w3 = v128.load(window + n3);
    const x0 = f64x2.mul(samples(a, n0), w0);
    const y0 = f64x2.mul(samples(b, n0), w0);
    const x1 = f64x2.mul(samples(a, n1), w1);
    const y1 = f64x2.mul(samples(b, n1), w1);
    const x2 = f64x2.mul(samples(a, n2), w2);
    const y2 = f64x2.mul(samples(b, n2), w2);
    const x3 = f64x2.mul(samples(a, n3), w3);
    const y3 = f64x2.mul(samples(b, n3), w3);
    const a0r = v128.shuffle<f64>(x0, y0, 0, 2);
    const a0i = v128.shuffle<f64>(x0, y0, 1, 3);
    const a1r = v128.shuffle<f64>(x1, y1, 0, 2);
    const a1i = v128.shuffle<f64>(x1, y1, 1, 3);
    const a2r = v128.shuffle<f64>(x2, y2, 0, 2);
    const a2i = v128.shuffle<f64>(x2, y2, 1, 3);
    const a3r = v128.shuffle<f64>(x3, y3, 0, 2);
    const a3i = v128.shuffle<f64>(x3, y3, 1, 3);
    const b0r = f64x2.add(a0r, a1r);
    const b0i = f64x2.add(a0i, a1i);
    const b1r = f64x2.sub(a0r, a1r);
    const b1i = f64x2.sub(a0i, a1i);
    const c0r = f64x2.add(a2r, a3r);
    const c0i = f64x2.add(a2i, a3i);
    const c1r = f64x2.sub(a2r, a3r);
    const c1i = f64x2.sub(a2i, a3i);
    v128.store(re + j, f64x2.add(b0r, c0r));
    v128.store(im + j, f64x2.add(b0i, c0i));
    v128.store(re + j, f64x2.sub(b0r, c0r), 32);
    v128.store(im + j, f64x2.sub(b0i, c0i), 32);
    // X[1] = B0' − i·B1', X[3] = B0' + i·B1'.
    v128.store(re + j, f64x2.add(b1r, c1i), 16);
    v128.store(im + j, f64x2.sub(b1i, c1r), 16);
    v128.store(re + j, f64x2.sub(b1r, c1i), 48);
    v128.store(im + j, f64x2.add(b1i, c1r), 48);
  }
  return 4;
}

// Combines groups of four transforms of `span` points into transforms of 4·span. With A0 … A3 the four
// sub-transforms (bit-reversed input makes them consecutive), w2 = W_{2·span}^k and w4 = W_{4·span}^k:
//   B0 = A0 + w2·A1, B0' = A0 − w2·A1, B1 = A2 + w2·A3, B1' = A2 − w2·A3,
//   X[k] = B0 + w4·B1, X[k + 2·span] = B0 − w4·B1, X[k + span] = B0' − i·w4·B1', X[k + 3·span] = B0' + i·w4·B1'.
function radix22(re: usize, im: usize, size: i32, span: i32, twiddles: usize): void {
  const bytes = <usize>size << 4;
  const quarter = <usize>span << 4;
  const block = quarter << 2;
  // W_{4·span}^k = W_{2·size}^(k · 2·size / (4·span)) in the table of the real transform's twiddles.
  const step = <usize>(size / (2 * span)) << 4;
  for (let k = 0; k < span; k++) {
    const t4 = twiddles + <usize>k * step;
    const t2 = twiddles + <usize>(2 * k) * step;
    const w4r = v128.load64_splat(t4);
    const w4i = v128.load64_splat(t4, 8);
    const w2r = v128.load64_splat(t2);
    const w2i = v128.load64_splat(t2, 8);
    for (let j = <usize>k << 4; j < bytes; j += block) {
      const p0r = re + j;
      const p0i = im + j;
      const p1r = p0r + quarter;
      const p1i = p0i + quarter;
      const p2r = p1r + quarter;
      const p2i = p1i + quarter;
      const p3r = p2r + quarter;
      const p3i = p2i + quarter;
      const a0r = v128.load(p0r);
      const a0i = v128.load(p0i);
      const a1r = v128.load(p1r);
      const a1i = v128.load(p1i);
      const a2r = v128.load(p2r);
      const a2i = v128.load(p2i);
      const a3r = v128.load(p3r);
      const a3i = v128.load(p3i);
      const t1r = f64x2.sub(f64x2.mul(a1r, w2r), f64x2.mul(a1i, w2i));
      const t1i = f64x2.add(f64x2.mul(a1r, w2i), f64x2.mul(a1i, w2r));
      const t3r = f64x2.sub(f64x2.mul(a3r, w2r), f64x2.mul(a3i, w2i));
      const t3i = f64x2.add(f64x2.mul(a3r, w2i), f64x2.mul(a3i, w2r));
      const b0r = f64x2.add(a0r, t1r);
      const b0i = f64x2.add(a0i, t1i);
      const b1r = f64x2.sub(a0r, t1r);
      const b1i = f64x2.sub(a0i, t1i);
      const c0r = f64x2.add(a2r, t3r);
      const c0i = f64x2.add(a2i, t3i);
      const c1r = f64x2.sub(a2r, t3r);
      const c1i = f64x2.sub(a2i, t3i);
      const u0r = f64x2.sub(f64x2.mul(c0r, w4r), f64x2.mul(c0i, w4i));
      const u0i = f64x2.add(f64x2.mul(c0r, w4i), f64x2.mul(c0i, w4r));
      const u1r = f64x2.sub(f64x2.mul(c1r, w4r), f64x2.mul(c1i, w4i));
      const u1i = f64x2.add(f64x2.mul(c1r, w4i), f64x2.mul(c1i, w4r));
      v128.store(p0r, f64x2.add(b0r, u0r));
      v128.store(p0i, f64x2.add(b0i, u0i));
      v128.store(p2r, f64x2.sub(b0r, u0r));
      v128.store(p2i, f64x2.sub(b0i, u0i));
      v128.store(p1r, f64x2.add(b1r, u1i));
      v128.store(p1i, f64x2.sub(b1i, u1r));
      v128.store(p3r, f64x2.sub(b1r, u1i));
      v128.store(p3i, f64x2.add(b1i, u1r));
    }
  }
}

// Z (the half-size transform) → X[k] = E[k] + W_{2·half}^k·O[k] → |X[k]|² + floor, as
// core/audio/real-fft.ts's powerSpectrum does it, into `power` (half + 1 vectors). Bins k and half − k
// read the same two points of Z and W^(half − k) = −conj(W^k): both come from one set of loads and products.
// E and O are kept doubled (so X is too) and the power quartered: scaling by 2 and ¼ is exact in binary.
// @ts-ignore: decorator
@inline function powerSpectrum(
  re: usize, im: usize, half: i32, twiddles: usize, floorPower: f64, power: usize,
): void {
  const floor = f64x2.splat(floorPower);
  const quarter = f64x2.splat(0.25);
  const z0r = v128.load(re);
  const z0i = v128.load(im);
  const dc = f64x2.add(z0r, z0i);
  const nyquist = f64x2.sub(z0r, z0i);
  const end = <usize>half << 4;
  v128.store(power, f64x2.add(f64x2.mul(dc, dc), floor));
  v128.store(power + end, f64x2.add(f64x2.mul(nyquist, nyquist), floor));
  // Up to k = half / 2 included, where both bins are the same one and X[k] is stored last.
  for (let k: usize = 16; k + k <= end; k += 16) {
    const zr = v128.load(re + k);
    const zi = v128.load(im + k);
    const mr = v128.load(re + end - k);
    const mi = v128.load(im + end - k);
    const evenRe = f64x2.add(zr, mr);
    const evenIm = f64x2.sub(zi, mi);
    const oddRe = f64x2.add(zi, mi);
    const oddIm = f64x2.sub(mr, zr);
    const wr = v128.load64_splat(twiddles + k);
    const wi = v128.load64_splat(twiddles + k, 8);
    const p = f64x2.sub(f64x2.mul(wr, oddRe), f64x2.mul(wi, oddIm));
    const q = f64x2.add(f64x2.mul(wr, oddIm), f64x2.mul(wi, oddRe));
    const ar = f64x2.add(evenRe, p);
    const ai = f64x2.add(evenIm, q);
    const br = f64x2.sub(evenRe, p);
    const bi = f64x2.sub(q, evenIm);
    const mirror = f64x2.add(f64x2.mul(br, br), f64x2.mul(bi, bi));
    v128.store(power + end - k, f64x2.add(f64x2.mul(quarter, mirror), floor));
    const own = f64x2.add(f64x2.mul(ar, ar), f64x2.mul(ai, ai));
    v128.store(power + k, f64x2.add(f64x2.mul(quarter, own), floor));
  }
}

// Mel energies of both frames' power spectra, one vector per band into `out`.
// @ts-ignore: decorator
@inline function melEnergies(power: usize, bands: usize, nMels: i32, out: usize): void {
  for (let m = 0; m < nMels; m++) {
    const record = bands + (<usize>m << 4);
    const from = power + (<usize>load<i32>(record) << 4);
    const count = load<i32>(record, 4);
    const weights = <usize>load<i32>(record, 8);
    // Two accumulators: each add waits on the one before it otherwise.
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let i = 0;
    for (; i + 2 <= count; i += 2) {
      const w = weights + (<usize>i << 3);
      const p = from + (<usize>i << 4);
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(w), v128.load(p)));
      a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(w, 8), v128.load(p, 16)));
    }
    if (i < count) {
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(weights + (<usize>i << 3)), v128.load(from + (<usize>i << 4))));
    }
    v128.store(out + (<usize>m << 4), f64x2.add(a0, a1));
  }
}

const AMIN = 1e-10;
const LOG10_2 = 0.30102999566398120;
// 10·log10(e): dB per natural-log unit.
const DB_PER_NEPER = 4.3429448190325182;
const SQRT2 = 1.4142135623730951;

// 10·log10(max(x, 1e-10)) on both lanes, within 1e-11 dB (the TS path's log table: 1e-6 dB). x = m·2^e with
// m in (√½, √2]: ln m = 2·atanh(s), s = (m − 1) / (m + 1), |s| ≤ 0.172, summed to s^13. NaN and +∞ pass
// through as they would through Math.log10.
// @ts-ignore: decorator
@inline function powerToDb(x: v128): v128 {
  const clamped = f64x2.max(x, f64x2.splat(AMIN));
  const exponent = i64x2.sub(i64x2.shr_u(clamped, 52), i64x2.splat(1023));
  let m = v128.or(v128.and(clamped, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const above = f64x2.gt(m, f64x2.splat(SQRT2));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, above);
  // `above` lanes are all ones, i.e. −1: subtracting adds 1 to the exponent there.
  const e = i64x2.sub(exponent, above);
  const eFloat = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(e, e, 0, 2, 0, 2));
  const s = f64x2.div(f64x2.sub(m, f64x2.splat(1)), f64x2.add(m, f64x2.splat(1)));
  const s2 = f64x2.mul(s, s);
  let series = f64x2.splat(1.0 / 13);
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1.0 / 11));
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1.0 / 9));
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1.0 / 7));
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1.0 / 5));
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1.0 / 3));
  series = f64x2.add(f64x2.mul(series, s2), f64x2.splat(1));
  const ln = f64x2.mul(f64x2.add(s, s), series);
  const decibels = f64x2.add(
    f64x2.mul(eFloat, f64x2.splat(10 * LOG10_2)),
    f64x2.mul(ln, f64x2.splat(DB_PER_NEPER)),
  );
  // Finite lanes take the result; NaN and +∞ stay as they are (log10 of either is itself).
  return v128.bitselect(decibels, clamped, f64x2.lt(clamped, f64x2.splat(Infinity)));
}

/**
 * Log-mel values of a window from mel energies kept without floor or log (melEnergyFrames): for `frames` rows of
 * `nMels` f64 energies at `energies`, f32 powerToDb(gainSquared · energy + floor[m]) at `out`, `floor` the nMels
 * f64 the noise floor adds to each band. Two bands per vector; an odd last band goes alone.
 */
export function scaledLogMel(
  energies: usize, frames: i32, nMels: i32, gainSquared: f64, floor: usize, out: usize,
): void {
  const gain = f64x2.splat(gainSquared);
  const pairs = nMels & ~1;
  for (let t = 0; t < frames; t++) {
    const row = energies + ((<usize>t * <usize>nMels) << 3);
    const target = out + ((<usize>t * <usize>nMels) << 2);
    for (let m = 0; m < pairs; m += 2) {
      const at = <usize>m;
      const value = f64x2.add(f64x2.mul(gain, v128.load(row + (at << 3))), v128.load(floor + (at << 3)));
      const decibels = powerToDb(value);
      store<f32>(target + (at << 2), <f32>f64x2.extract_lane(decibels, 0));
      store<f32>(target + (at << 2), <f32>f64x2.extract_lane(decibels, 1), 4);
    }
    if (pairs < nMels) {
      const at = <usize>pairs;
      const value = f64x2.splat(gainSquared * load<f64>(row + (at << 3)) + load<f64>(floor + (at << 3)));
      store<f32>(target + (at << 2), <f32>f64x2.extract_lane(powerToDb(value), 0));
    }
  }
}
