// Dense layers, 1-D convolutions and (at 16 bits) LSTM recurrences of a network's inference in WebAssembly SIMD:
// one call per layer, so a served network pays about twenty calls per clip instead of tfjs's hundred-odd kernel
// launches. core/network/compiled-network.ts runs the layers; ../network-kernels.ts is the JS face that lays out
// memory and calls this. A Conv1D is the same product as a Dense layer over overlapping rows: with the input
// zero-padded, row t's window of K frames × C channels is K·C consecutive floats from t·C, and the Keras kernel
// [K, C, filters] is a [K·C, filters] matrix.
//
// Buffers are row-major at byte addresses in this memory: f32, or int16 where a function says so.
//
// The float products accumulate with relaxed SIMD's multiply-add: one instruction where the processor fuses it
// (FMA), a multiply and an add where it does not, so the last bit of a sum may differ between machines, never
// within one. The 16-bit ones (below) are what the Worker serves.

import { gateV, HardSigmoid, Sigmoid, tanhV } from './activations';

export function heapBase(): usize {
  return __heap_base;
}

// Output columns per block: two vectors.
const BLOCK = 8;

/**
 * out[r·outputs + j] = bias[j] + Σ_i x[r·rowStride + i] · w[i·outputs + j] for rows r < rows and columns
 * j < outputs (a multiple of BLOCK: the caller pads the weights), then max(0, ·) when `relu` is 1, then, when
 * `affine` is not 0, · scale[j] + shift[j] with scale at `affine` and shift after it (`outputs` floats each: a
 * batch normalisation that follows the layer, folded in). Four rows at a time share every weight load; each
 * output sums over i in order.
 */
export function dense(
  x: usize, rows: i32, rowStride: i32, inputs: i32, w: usize, bias: usize, outputs: i32, out: usize, relu: i32,
  affine: usize,
): void {
  const rowBytes = <usize>rowStride << 2;
  const weightRow = <usize>outputs << 2;
  const outRow = <usize>outputs << 2;
  const zero = f32x4.splat(0);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = x + <usize>r * rowBytes;
    const x1 = x0 + rowBytes;
    const x2 = x1 + rowBytes;
    const x3 = x2 + rowBytes;
    const o0 = out + <usize>r * outRow;
    for (let j = 0; j < outputs; j += BLOCK) {
      const column = <usize>j << 2;
      const b0 = v128.load(bias + column);
      const b1 = v128.load(bias + column, 16);
      let a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
      let wAt = w + column;
      for (let i = 0; i < inputs; i++) {
        const w0 = v128.load(wAt);
        const w1 = v128.load(wAt, 16);
        const at = <usize>i << 2;
        const s0 = v128.load32_splat(x0 + at);
        const s1 = v128.load32_splat(x1 + at);
        const s2 = v128.load32_splat(x2 + at);
        const s3 = v128.load32_splat(x3 + at);
        a00 = f32x4.relaxed_madd(s0, w0, a00);
        a01 = f32x4.relaxed_madd(s0, w1, a01);
        a10 = f32x4.relaxed_madd(s1, w0, a10);
        a11 = f32x4.relaxed_madd(s1, w1, a11);
        a20 = f32x4.relaxed_madd(s2, w0, a20);
        a21 = f32x4.relaxed_madd(s2, w1, a21);
        a30 = f32x4.relaxed_madd(s3, w0, a30);
        a31 = f32x4.relaxed_madd(s3, w1, a31);
        wAt += weightRow;
      }
      if (relu) {
        a00 = f32x4.max(a00, zero);
        a01 = f32x4.max(a01, zero);
        a10 = f32x4.max(a10, zero);
        a11 = f32x4.max(a11, zero);
        a20 = f32x4.max(a20, zero);
        a21 = f32x4.max(a21, zero);
        a30 = f32x4.max(a30, zero);
        a31 = f32x4.max(a31, zero);
      }
      if (affine) {
        const scale0 = v128.load(affine + column);
        const scale1 = v128.load(affine + column, 16);
        const shiftAt = affine + outRow + column;
        const shift0 = v128.load(shiftAt);
        const shift1 = v128.load(shiftAt, 16);
        a00 = f32x4.add(f32x4.mul(a00, scale0), shift0);
        a01 = f32x4.add(f32x4.mul(a01, scale1), shift1);
        a10 = f32x4.add(f32x4.mul(a10, scale0), shift0);
        a11 = f32x4.add(f32x4.mul(a11, scale1), shift1);
        a20 = f32x4.add(f32x4.mul(a20, scale0), shift0);
        a21 = f32x4.add(f32x4.mul(a21, scale1), shift1);
        a30 = f32x4.add(f32x4.mul(a30, scale0), shift0);
        a31 = f32x4.add(f32x4.mul(a31, scale1), shift1);
      }
      const at = o0 + column;
      v128.store(at, a00);
      v128.store(at, a01, 16);
      v128.store(at + outRow, a10);
      v128.store(at + outRow, a11, 16);
      v128.store(at + 2 * outRow, a20);
      v128.store(at + 2 * outRow, a21, 16);
      v128.store(at + 3 * outRow, a30);
      v128.store(at + 3 * outRow, a31, 16);
    }
  }
  for (; r < rows; r++) {
    const x0 = x + <usize>r * rowBytes;
    const o0 = out + <usize>r * outRow;
    for (let j = 0; j < outputs; j += BLOCK) {
      const column = <usize>j << 2;
      let a0 = v128.load(bias + column);
      let a1 = v128.load(bias + column, 16);
      let wAt = w + column;
      for (let i = 0; i < inputs; i++) {
        const s = v128.load32_splat(x0 + (<usize>i << 2));
        a0 = f32x4.relaxed_madd(s, v128.load(wAt), a0);
        a1 = f32x4.relaxed_madd(s, v128.load(wAt, 16), a1);
        wAt += weightRow;
      }
      if (relu) {
        a0 = f32x4.max(a0, zero);
        a1 = f32x4.max(a1, zero);
      }
      if (affine) {
        const shiftAt = affine + outRow + column;
        a0 = f32x4.add(f32x4.mul(a0, v128.load(affine + column)), v128.load(shiftAt));
        a1 = f32x4.add(f32x4.mul(a1, v128.load(affine + column, 16)), v128.load(shiftAt, 16));
      }
      v128.store(o0 + column, a0);
      v128.store(o0 + column, a1, 16);
    }
  }
}

/**
 * Max pooling over rows: out row t, column j = the maximum over rows t·stride … t·stride + pool − 1 of x's column
 * j, for `outRows` rows of `width` floats (a multiple of 4). A NaN in a pool gives NaN.
 */
export function maxPoolRows(x: usize, outRows: i32, width: i32, pool: i32, stride: i32, out: usize): void {
  const rowBytes = <usize>width << 2;
  for (let t = 0; t < outRows; t++) {
    const first = x + <usize>(t * stride) * rowBytes;
    const to = out + <usize>t * rowBytes;
    for (let j: usize = 0; j < rowBytes; j += 16) {
      let best = v128.load(first + j);
      for (let k = 1; k < pool; k++) best = f32x4.max(best, v128.load(first + <usize>k * rowBytes + j));
      v128.store(to + j, best);
    }
  }
}

// Sixteen-bit inference. The dense, convolution and recurrent products below run on 16-bit integers:
// i32x4.dot_i16x8_s multiplies eight pairs and adds adjacent products into four 32-bit sums, twice the products
// of a float multiply-add per instruction, from weights half the size. Inputs are quantised per call (`quantise`:
// one scale over the call's floats), weights per output column once (../network-kernels.ts), with scales small
// enough that no sum can leave 32 bits. The epilogue turns each sum back into a float before the bias.
//
// Weights are pair-interleaved: for input pair p = (2p, 2p + 1) and column j, the two weights sit side by side at
// element (p · outputs + j) · 2, so one 16-byte load holds four columns' pair and a pair row is `outputs` · 4
// bytes, as a float row is.

/**
 * out[i] = round(x[i] · q / m) as int16, m the largest |x[i]| over `count` floats; returns m / q, the scale that
 * turns a quantised value back into a float. One int16 zero follows the last value, so a pair that runs one past
 * an odd-length input reads 0. An input whose largest value is below 1e-30 (where q / m would overflow) counts as
 * zeros and returns 0; one with a NaN or an infinity returns NaN, so the layer's outputs are NaN as the float
 * kernels' would be.
 */
export function quantise(x: usize, count: i32, q: f32, out: usize): f32 {
  // max, not pmax: a NaN must survive the scan.
  let largest = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) largest = f32x4.max(largest, f32x4.abs(v128.load(x + (<usize>i << 2))));
  let m = max(max(f32x4.extract_lane(largest, 0), f32x4.extract_lane(largest, 1)), max(f32x4.extract_lane(largest, 2), f32x4.extract_lane(largest, 3)));
  for (let k = i; k < count; k++) m = max(m, abs<f32>(load<f32>(x + (<usize>k << 2))));
  store<i16>(out + (<usize>count << 1), 0);
  if (!(m >= 1e-30 && m < Infinity)) {
    memory.fill(out, 0, <usize>count << 1);
    return m < 1e-30 ? 0 : NaN;
  }
  const factor = f32x4.splat(q / m);
  // Rounded to nearest by adding 1.5 · 2²³, whose sum keeps the integer in its low bits (|x · q / m| ≤ q < 2²²).
  const rounding = f32x4.splat(12582912.0);
  i = 0;
  for (; i + 8 <= count; i += 8) {
    const at = x + (<usize>i << 2);
    const a = i32x4.sub(f32x4.add(f32x4.mul(v128.load(at), factor), rounding), rounding);
    const b = i32x4.sub(f32x4.add(f32x4.mul(v128.load(at, 16), factor), rounding), rounding);
    v128.store(out + (<usize>i << 1), i16x8.narrow_i32x4_s(a, b));
  }
  for (let k = i; k < count; k++) store<i16>(out + (<usize>k << 1), <i16>nearest<f32>(load<f32>(x + (<usize>k << 2)) * (q / m)));
  return m / q;
}

// Sums to floats, then bias, relu and affine, as `dense` ends; `scale` is the column's weight scale times the
// input's.
// @ts-ignore: decorator
@inline function finish(
  sum: v128, scale: v128, bias: v128, relu: i32, affine: usize, affineAt: usize, outRow: usize,
): v128 {
  let y = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(sum), scale), bias);
  if (relu) y = f32x4.max(y, f32x4.splat(0));
  if (affine) y = f32x4.add(f32x4.mul(y, v128.load(affineAt)), v128.load(affineAt + outRow));
  return y;
}

/**
 * `dense` on 16-bit values: xq holds int16 rows `rowStride` values apart (the input quantised with scale xScale),
 * wq the pair-interleaved int16 weights of `pairs` input pairs with their column scales at wScale, `outputs` a
 * multiple of BLOCK. Output, bias, relu and affine as in `dense`.
 */
export function denseInt16(
  xq: usize, xScale: f32, rows: i32, rowStride: i32, pairs: i32, wq: usize, wScale: usize, bias: usize,
  outputs: i32, out: usize, relu: i32, affine: usize,
): void {
  const rowBytes = <usize>rowStride << 1;
  const pairRow = <usize>outputs << 2;
  const outRow = <usize>outputs << 2;
  const zero = i32x4.splat(0);
  const inputScale = f32x4.splat(xScale);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = xq + <usize>r * rowBytes;
    const x1 = x0 + rowBytes;
    const x2 = x1 + rowBytes;
    const x3 = x2 + rowBytes;
    const o0 = out + <usize>r * outRow;
    for (let j = 0; j < outputs; j += BLOCK) {
      const column = <usize>j << 2;
      let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
      let wAt = wq + column;
      for (let p = 0; p < pairs; p++) {
        const w0 = v128.load(wAt);
        const w1 = v128.load(wAt, 16);
        const at = <usize>p << 2;
        const s0 = v128.load32_splat(x0 + at);
        const s1 = v128.load32_splat(x1 + at);
        const s2 = v128.load32_splat(x2 + at);
        const s3 = v128.load32_splat(x3 + at);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(s0, w0));
        a01 = i32x4.add(a01, i32x4.dot_i16x8_s(s0, w1));
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(s1, w0));
        a11 = i32x4.add(a11, i32x4.dot_i16x8_s(s1, w1));
        a20 = i32x4.add(a20, i32x4.dot_i16x8_s(s2, w0));
        a21 = i32x4.add(a21, i32x4.dot_i16x8_s(s2, w1));
        a30 = i32x4.add(a30, i32x4.dot_i16x8_s(s3, w0));
        a31 = i32x4.add(a31, i32x4.dot_i16x8_s(s3, w1));
        wAt += pairRow;
      }
      const scale0 = f32x4.mul(v128.load(wScale + column), inputScale);
      const scale1 = f32x4.mul(v128.load(wScale + column, 16), inputScale);
      const b0 = v128.load(bias + column);
      const b1 = v128.load(bias + column, 16);
      const affine0 = affine + column;
      const affine1 = affine0 + 16;
      const at = o0 + column;
      v128.store(at, finish(a00, scale0, b0, relu, affine, affine0, outRow));
      v128.store(at, finish(a01, scale1, b1, relu, affine, affine1, outRow), 16);
      v128.store(at + outRow, finish(a10, scale0, b0, relu, affine, affine0, outRow));
      v128.store(at + outRow, finish(a11, scale1, b1, relu, affine, affine1, outRow), 16);
      v128.store(at + 2 * outRow, finish(a20, scale0, b0, relu, affine, affine0, outRow));
      v128.store(at + 2 * outRow, finish(a21, scale1, b1, relu, affine, affine1, outRow), 16);
      v128.store(at + 3 * outRow, finish(a30, scale0, b0, relu, affine, affine0, outRow));
      v128.store(at + 3 * outRow, finish(a31, scale1, b1, relu, affine, affine1, outRow), 16);
    }
  }
  for (; r < rows; r++) {
    const x0 = xq + <usize>r * rowBytes;
    const o0 = out + <usize>r * outRow;
    for (let j = 0; j < outputs; j += BLOCK) {
      const column = <usize>j << 2;
      let a0 = zero, a1 = zero;
      let wAt = wq + column;
      for (let p = 0; p < pairs; p++) {
        const s = v128.load32_splat(x0 + (<usize>p << 2));
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(s, v128.load(wAt)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(s, v128.load(wAt, 16)));
        wAt += pairRow;
      }
      const affine0 = affine + column;
      v128.store(o0 + column, finish(a0, f32x4.mul(v128.load(wScale + column), inputScale), v128.load(bias + column), relu, affine, affine0, outRow));
      v128.store(o0 + column, finish(a1, f32x4.mul(v128.load(wScale + column, 16), inputScale), v128.load(bias + column, 16), relu, affine, affine0 + 16, outRow), 16);
    }
  }
}

/**
 * One LSTM direction's inference (batch 1, zero initial state) with a 16-bit recurrence: z = xw[t] + h·R, gates in
 * tfjs order i | f | c | o, h = o · tanh(c). xw [steps, 4·units] f32 indexed by input time; rq the pair-interleaved
 * int16 recurrent kernel [units / 2 pairs, 4·units columns] with column scales at rScale (each already divided by
 * hq's `qh`); h [steps, units] f32 out in processing order (t = steps − 1 … 0 when `reverse`); z [4·units] and
 * hq [units int16] scratch; cState [units] f32 out, the final cell state. Since |h| < 1, h is quantised with the
 * fixed factor qh, no scan needed. `units` is a multiple of 4.
 */
export function lstmInt16(
  xw: usize, rq: usize, rScale: usize, h: usize, z: usize, hq: usize, cState: usize, steps: i32, units: i32,
  reverse: bool, hard: bool, qh: f32,
): void {
  const unitBytes = <usize>units << 2;
  const gateBytes = unitBytes << 2;
  const pairs = units >> 1;
  const factor = f32x4.splat(qh);
  const zero = i32x4.splat(0);
  memory.fill(cState, 0, unitBytes); // the zero initial state, read by the first step as the others read theirs
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const xwRow = xw + <usize>t * gateBytes;
    if (s == 0) {
      memory.copy(z, xwRow, gateBytes);
    } else {
      // Sixteen gate columns per block: four sums of four, pair rows `gateBytes` apart as float rows are.
      for (let j: usize = 0; j < gateBytes; j += 64) {
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        let rp = rq + j;
        for (let p = 0; p < pairs; p++) {
          const pair = v128.load32_splat(hq + (<usize>p << 2));
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(pair, v128.load(rp)));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(pair, v128.load(rp, 16)));
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(pair, v128.load(rp, 32)));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(pair, v128.load(rp, 48)));
          rp += gateBytes;
        }
        const x = xwRow + j;
        const sc = rScale + j;
        v128.store(z + j, f32x4.add(v128.load(x), f32x4.mul(f32x4.convert_i32x4_s(a0), v128.load(sc))));
        v128.store(z + j, f32x4.add(v128.load(x, 16), f32x4.mul(f32x4.convert_i32x4_s(a1), v128.load(sc, 16))), 16);
        v128.store(z + j, f32x4.add(v128.load(x, 32), f32x4.mul(f32x4.convert_i32x4_s(a2), v128.load(sc, 32))), 32);
        v128.store(z + j, f32x4.add(v128.load(x, 48), f32x4.mul(f32x4.convert_i32x4_s(a3), v128.load(sc, 48))), 48);
      }
    }
    const hRow = h + <usize>s * unitBytes;
    if (hard) cellStepInt16<HardSigmoid>(z, cState, hRow, hq, unitBytes, factor);
    else cellStepInt16<Sigmoid>(z, cState, hRow, hq, unitBytes, factor);
  }
}

// One step of the cells: gates from z (i | f | c | o), c = f · c + i · g over the previous c in cState,
// h = o · tanh(c), and h quantised for the next step's product. `Gate` is the gates' activation (activations.ts).
// @ts-ignore: decorator
@inline function cellStepInt16<Gate>(
  z: usize, cState: usize, hRow: usize, hq: usize, unitBytes: usize, factor: v128,
): void {
  const rounding = f32x4.splat(12582912.0);
  for (let u: usize = 0; u < unitBytes; u += 16) {
    const i = gateV<Gate>(v128.load(z + u));
    const f = gateV<Gate>(v128.load(z + unitBytes + u));
    const g = tanhV(v128.load(z + 2 * unitBytes + u));
    const o = gateV<Gate>(v128.load(z + 3 * unitBytes + u));
    const c = f32x4.add(f32x4.mul(f, v128.load(cState + u)), f32x4.mul(i, g));
    const hNew = f32x4.mul(o, tanhV(c));
    v128.store(cState + u, c);
    v128.store(hRow + u, hNew);
    // Rounded to nearest by adding 1.5 · 2²³ (as expV rounds): the sum's low bits are the integer.
    const q = i32x4.sub(f32x4.add(f32x4.mul(hNew, factor), rounding), rounding);
    v128.store64_lane(hq + (u >> 1), i16x8.narrow_i32x4_s(q, q), 0);
  }
}
