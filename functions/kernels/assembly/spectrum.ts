// Whole-clip spectrogram in WebAssembly SIMD: windowing, real FFT, |X|² plus the noise floor, magnitudes, mel
// filterbank and power → dB, every frame of a clip in one call. functions/audio/spectrogram.ts is the
// reference and documents the maths; ../spectrum-kernels.ts is the JS face that lays out memory and calls this.
//
// Everything is f64 (an f32 FFT errs by up to 2e-3 dB on a full-scale tone over the −80 dBFS floor), two frames
// per vector: lane 0 is frame t, lane 1 frame t + 1. Every butterfly is then plain vector arithmetic with no
// shuffles across lanes, and a twiddle is one splat load. Buffers are at byte addresses in this memory: the
// signal f32 (as decoded), everything else f64.

export function heapBase(): usize {
  return __heap_base;
}

/**
 * For frames t = 0 … frames − 1 (frame t is samples [t·hop, t·hop + 2·half) of the f32 `padded`, which the
 * caller zero-pads so that frame `frames` exists too when `frames` is odd), writes
 *   magnitude[t·bins + k] = √(|X_t[k]|² + floorPower), bins = half + 1,                 unless magnitude = 0,
 *   logMel[t·nMels + m] = 10·log10(max(1e-10, Σ_k weight · (|X_t[k]|² + floorPower))),  unless logMel = 0,
 * both with room for an even number of rows (the odd frame's partner is written and ignored).
 * Tables: `window` f64[2·half]; `twiddles` {cos, −sin} of 2πk / (2·half), k = 0 … half; `reversed` i32[half],
 * 16 · the bit reversal of j for each j (byte offsets of complex points); `bands` one 16-byte record
 * per mel band {i32 first bin, i32 bin count, i32 byte address of its f64 weights, unused}.
 * `scratch` holds (3·half + 1) vectors.
 */
export function spectrogram(
  padded: usize, frames: i32, hop: i32, half: i32, window: usize, twiddles: usize, reversed: usize,
  floorPower: f64, magnitude: usize, bands: usize, nMels: i32, logMel: usize, scratch: usize,
): void {
  const re = scratch;
  const im = re + (<usize>half << 4);
  const power = im + (<usize>half << 4);
  const bins = half + 1;
  const frameStep = <usize>hop << 2;
  for (let t = 0; t < frames; t += 2) {
    const a = padded + <usize>t * frameStep;
    let span = firstStage(a, a + frameStep, half, window, reversed, re, im);
    for (; span * 4 <= half; span *= 4) radix22(re, im, half, span, twiddles);
    powerSpectrum(re, im, half, twiddles, floorPower, power);
    if (magnitude != 0) {
      const row = magnitude + ((<usize>t * <usize>bins) << 3);
      for (let k = 0; k < bins; k++) {
        const value = f64x2.sqrt(v128.load(power + (<usize>k << 4)));
        v128.store64_lane(row + (<usize>k << 3), value, 0);
        v128.store64_lane(row + (<usize>(bins + k) << 3), value, 1);
      }
    }
    if (logMel != 0) melEnergies(power, bands, nMels, logMel + ((<usize>t * <usize>nMels) << 3));
  }
  // In one pass at the end: straight-line vector code over consecutive values, no lanes to split.
  if (logMel != 0) {
    const end = logMel + ((<usize>(frames + (frames & 1)) * <usize>nMels) << 3);
    for (let at = logMel; at < end; at += 16) v128.store(at, powerToDb(v128.load(at)));
  }
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
// functions/audio/real-fft.ts's powerSpectrum does it, into `power` (half + 1 vectors). Bins k and half − k
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

// Mel energies of both frames' power spectra into two rows of `nMels`.
// @ts-ignore: decorator
@inline function melEnergies(power: usize, bands: usize, nMels: i32, out: usize): void {
  const rowBytes = <usize>nMels << 3;
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
    const energy = f64x2.add(a0, a1);
    const to = out + (<usize>m << 3);
    v128.store64_lane(to, energy, 0);
    v128.store64_lane(to + rowBytes, energy, 1);
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
