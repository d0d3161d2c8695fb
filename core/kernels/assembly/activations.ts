// Activations on 4 lanes, shared by the fused LSTM (lstm.ts) and the inference kernels (network.ts).

// exp(x) on 4 lanes: Cephes expf (range reduction by ln 2, degree-5 polynomial), relative error ~1e-7.
// Written for V8 on x64, where it runs inside the LSTM's hottest loop:
// - the constants are loads from a table: V8 builds a v128 constant from immediates afresh, four instructions,
//   every time the loop uses it;
// - pmin/pmax are one instruction each where min/max, with their NaN and −0 rules, take several (a NaN still comes
//   out NaN);
// - n = round(x · log2 e) comes from adding 1.5 · 2²³: the sum keeps n in its low mantissa bits, rounded to nearest
//   even as f32x4.nearest rounds, so it gives the float n and the integer for the exponent without a nearest or a
//   saturating conversion.
// The results are the same to the bit as the plain form's.
const EXP_TABLE = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0,
  88.0, 88.0, 88.0, 88.0,
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 1.5 · 2²³
  0.693359375, 0.693359375, 0.693359375, 0.693359375,
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0,
  2.0, 2.0, 2.0, 2.0,
]);
// The bits of 1.5 · 2²³ less the exponent bias: n's biased exponent is the sum's bits minus this.
const EXP_BIAS_TABLE = memory.data<i32>([0x4b3fff81, 0x4b3fff81, 0x4b3fff81, 0x4b3fff81]);

// @ts-ignore: decorator
@inline function constant(index: i32): v128 {
  return v128.load(EXP_TABLE + (<usize>index << 4));
}

// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, constant(0)), constant(1));
  const shifted = f32x4.add(f32x4.mul(x, constant(2)), constant(3));
  const n = f32x4.sub(shifted, constant(3));
  let r = f32x4.sub(x, f32x4.mul(n, constant(4)));
  r = f32x4.sub(r, f32x4.mul(n, constant(5)));
  let p = constant(6);
  p = f32x4.add(f32x4.mul(p, r), constant(7));
  p = f32x4.add(f32x4.mul(p, r), constant(8));
  p = f32x4.add(f32x4.mul(p, r), constant(9));
  p = f32x4.add(f32x4.mul(p, r), constant(10));
  p = f32x4.add(f32x4.mul(p, r), constant(11));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), constant(12));
  // 2^n built directly in the exponent bits; n ∈ [−126, 127] after the clamp above.
  const scale = i32x4.shl(i32x4.sub(shifted, v128.load(EXP_BIAS_TABLE)), 23);
  return f32x4.mul(y, scale);
}

// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  return f32x4.div(constant(12), f32x4.add(constant(12), expV(f32x4.neg(x))));
}

// tfjs-layers' hardSigmoid: clip(0.2·x + 0.5, 0, 1), same f32 operation order.
// @ts-ignore: decorator
@inline export function hardSigmoidV(x: v128): v128 {
  const y = f32x4.add(f32x4.splat(0.5), f32x4.mul(f32x4.splat(0.2), x));
  return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0.0)), f32x4.splat(1.0));
}

// tanh(x) = 1 − 2 / (e^{2x} + 1): absolute error ~1e-7, which is what matters for the gates.
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  return f32x4.sub(constant(12), f32x4.div(constant(13), f32x4.add(expV(f32x4.add(x, x)), constant(12))));
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
