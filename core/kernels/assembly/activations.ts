// Activations on 4 lanes, shared by the fused LSTM (lstm.ts) and the inference kernels (network.ts).
//
// Written for V8 on x64, where they run inside the LSTM's hottest loop:
// - the constants are loads from a table: V8 builds a v128 constant from immediates afresh, four instructions,
//   every time the loop uses it;
// - pmin/pmax are one instruction each where min/max, with their NaN and −0 rules, take several (a NaN still comes
//   out NaN);
// - expV's n = round(x · log2 e) comes from adding 1.5 · 2²³: the sum keeps n in its low mantissa bits, rounded to
//   nearest even as f32x4.nearest rounds, so it gives the float n and the integer for the exponent without a
//   nearest or a saturating conversion.
// The results are the same to the bit as the plain forms'.

// Each constant four times, one v128 per row; the names below are their rows.
const TABLE = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0,
  88.0, 88.0, 88.0, 88.0,
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  12582912.0, 12582912.0, 12582912.0, 12582912.0,
  0.693359375, 0.693359375, 0.693359375, 0.693359375,
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  0.0, 0.0, 0.0, 0.0,
  0.2, 0.2, 0.2, 0.2,
  0.5, 0.5, 0.5, 0.5,
  1.0, 1.0, 1.0, 1.0,
  2.0, 2.0, 2.0, 2.0,
]);
// expV's clamp, log2 e, the rounding constant 1.5 · 2²³, ln 2 in two parts (Cephes) and its polynomial.
const EXP_LOWEST = 0, EXP_HIGHEST = 1, LOG2E = 2, ROUNDING = 3, LN2_HIGH = 4, LN2_LOW = 5;
const P0 = 6, P1 = 7, P2 = 8, P3 = 9, P4 = 10, P5 = 11;
const ZERO = 12, FIFTH = 13, HALF = 14, ONE = 15, TWO = 16;
// The bits of 1.5 · 2²³ less the exponent bias: n's biased exponent is the rounded sum's bits minus this.
const EXPONENT_OFFSET = memory.data<i32>([0x4b3fff81, 0x4b3fff81, 0x4b3fff81, 0x4b3fff81]);

// @ts-ignore: decorator
@inline function constant(row: i32): v128 {
  return v128.load(TABLE + (<usize>row << 4));
}

// exp(x): Cephes expf (range reduction by ln 2, degree-5 polynomial), relative error ~1e-7.
// @ts-ignore: decorator
@inline function expV(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, constant(EXP_LOWEST)), constant(EXP_HIGHEST));
  const shifted = f32x4.add(f32x4.mul(x, constant(LOG2E)), constant(ROUNDING));
  const n = f32x4.sub(shifted, constant(ROUNDING));
  let r = f32x4.sub(x, f32x4.mul(n, constant(LN2_HIGH)));
  r = f32x4.sub(r, f32x4.mul(n, constant(LN2_LOW)));
  let p = constant(P0);
  p = f32x4.add(f32x4.mul(p, r), constant(P1));
  p = f32x4.add(f32x4.mul(p, r), constant(P2));
  p = f32x4.add(f32x4.mul(p, r), constant(P3));
  p = f32x4.add(f32x4.mul(p, r), constant(P4));
  p = f32x4.add(f32x4.mul(p, r), constant(P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), constant(ONE));
  // 2^n built directly in the exponent bits; n ∈ [−126, 127] after the clamp above.
  const scale = i32x4.shl(i32x4.sub(shifted, v128.load(EXPONENT_OFFSET)), 23);
  return f32x4.mul(y, scale);
}

// @ts-ignore: decorator
@inline function sigmoidV(x: v128): v128 {
  return f32x4.div(constant(ONE), f32x4.add(constant(ONE), expV(f32x4.neg(x))));
}

// tfjs-layers' hardSigmoid: clip(0.2·x + 0.5, 0, 1), same f32 operation order.
// @ts-ignore: decorator
@inline function hardSigmoidV(x: v128): v128 {
  const y = f32x4.add(constant(HALF), f32x4.mul(constant(FIFTH), x));
  return f32x4.pmin(f32x4.pmax(y, constant(ZERO)), constant(ONE));
}

// tanh(x) = 1 − 2 / (e^{2x} + 1): absolute error ~1e-7, which is what matters for the gates.
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  return f32x4.sub(constant(ONE), f32x4.div(constant(TWO), f32x4.add(expV(f32x4.add(x, x)), constant(ONE))));
}

// The gate activations as types: a loop that takes one as its type argument is compiled with that activation
// alone. A boolean argument, even a constant one, left both activations and a branch between them in the loop.
export class Sigmoid {}
export class HardSigmoid {}

// @ts-ignore: decorator
@inline export function gateV<Gate>(x: v128): v128 {
  if (idof<Gate>() == idof<HardSigmoid>()) return hardSigmoidV(x);
  return sigmoidV(x);
}
