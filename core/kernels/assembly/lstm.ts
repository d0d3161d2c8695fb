// Fused LSTM recurrence in WebAssembly SIMD: one call runs every time step of one layer (forward) or
// backpropagates through all of them (BPTT), so tfjs pays one kernel launch per layer instead of ~12 per step.
//
// The input projection x·W + b is NOT computed here: the caller does it for all steps at once as one big
// matMul and passes the result `xw`. All buffers are row-major f32 at byte addresses in this memory:
//   xw, dxw       [batch, steps, 4·units]  gate pre-activations in tfjs/Keras order i | f | c | o,
//                                          indexed by input time t
//   r, dr         [units, 4·units]         the recurrent kernel and its gradient
//   h, dh         [batch, steps, units]    outputs and their gradients, in processing order s
//                                          (s = t forwards, s = steps − 1 − t when going backwards,
//                                          as tfjs's RNN returns them)
//   c, tanhC      [batch, steps, units]    saved cell states for the backward pass, processing order
//   gates         [batch, steps, 4·units]  saved post-activation gates i, f, g, o, processing order
// `units` must be a multiple of 4 (the caller checks). Initial states are zero.

import { gateV, HardSigmoid, Sigmoid, tanhV } from './activations';

export function heapBase(): usize {
  return __heap_base;
}

// Derivative of the gate activation from its output y: y(1 − y) for sigmoid; 0.2 inside the linear
// part of hardSigmoid (0 < y < 1), 0 where it is clipped.
// @ts-ignore: decorator
@inline function gateGradV(y: v128, hard: bool): v128 {
  if (hard) {
    const inside = v128.and(f32x4.gt(y, f32x4.splat(0.0)), f32x4.lt(y, f32x4.splat(1.0)));
    return v128.and(inside, f32x4.splat(0.2));
  }
  return f32x4.mul(y, f32x4.sub(f32x4.splat(1.0), y));
}

// z[b, :] = xw[b, t, :] + hPrev[b, :] · r for every b; hPrev rows are `hStride` bytes apart.
function recurrentProjection(
  z: usize, xwStep: usize, xwStride: usize, hPrev: usize, hStride: usize, hasPrev: bool, r: usize,
  batch: i32, units: i32,
): void {
  const gateBytes = <usize>(units * 16);
  let b = 0;
  // Two batch rows at a time share each load of r.
  for (; b + 1 < batch; b += 2) {
    const x0 = xwStep + <usize>b * xwStride;
    const x1 = x0 + xwStride;
    const h0p = hPrev + <usize>b * hStride;
    const h1p = h0p + hStride;
    const z0 = z + <usize>b * gateBytes;
    const z1 = z0 + gateBytes;
    for (let j: usize = 0; j < gateBytes; j += 64) {
      let a00 = v128.load(x0 + j), a01 = v128.load(x0 + j, 16), a02 = v128.load(x0 + j, 32), a03 = v128.load(x0 + j, 48);
      let a10 = v128.load(x1 + j), a11 = v128.load(x1 + j, 16), a12 = v128.load(x1 + j, 32), a13 = v128.load(x1 + j, 48);
      if (hasPrev) {
        let rp = r + j;
        for (let k = 0; k < units; k++) {
          const h0 = v128.load32_splat(h0p + (<usize>k << 2));
          const h1 = v128.load32_splat(h1p + (<usize>k << 2));
          const r0 = v128.load(rp), r1 = v128.load(rp, 16), r2 = v128.load(rp, 32), r3 = v128.load(rp, 48);
          a00 = f32x4.add(a00, f32x4.mul(h0, r0));
          a01 = f32x4.add(a01, f32x4.mul(h0, r1));
          a02 = f32x4.add(a02, f32x4.mul(h0, r2));
          a03 = f32x4.add(a03, f32x4.mul(h0, r3));
          a10 = f32x4.add(a10, f32x4.mul(h1, r0));
          a11 = f32x4.add(a11, f32x4.mul(h1, r1));
          a12 = f32x4.add(a12, f32x4.mul(h1, r2));
          a13 = f32x4.add(a13, f32x4.mul(h1, r3));
          rp += gateBytes;
        }
      }
      v128.store(z0 + j, a00); v128.store(z0 + j, a01, 16); v128.store(z0 + j, a02, 32); v128.store(z0 + j, a03, 48);
      v128.store(z1 + j, a10); v128.store(z1 + j, a11, 16); v128.store(z1 + j, a12, 32); v128.store(z1 + j, a13, 48);
    }
  }
  if (b < batch) {
    const x0 = xwStep + <usize>b * xwStride;
    const h0p = hPrev + <usize>b * hStride;
    const z0 = z + <usize>b * gateBytes;
    for (let j: usize = 0; j < gateBytes; j += 64) {
      let a0 = v128.load(x0 + j), a1 = v128.load(x0 + j, 16), a2 = v128.load(x0 + j, 32), a3 = v128.load(x0 + j, 48);
      if (hasPrev) {
        let rp = r + j;
        for (let k = 0; k < units; k++) {
          const h0 = v128.load32_splat(h0p + (<usize>k << 2));
          a0 = f32x4.add(a0, f32x4.mul(h0, v128.load(rp)));
          a1 = f32x4.add(a1, f32x4.mul(h0, v128.load(rp, 16)));
          a2 = f32x4.add(a2, f32x4.mul(h0, v128.load(rp, 32)));
          a3 = f32x4.add(a3, f32x4.mul(h0, v128.load(rp, 48)));
          rp += gateBytes;
        }
      }
      v128.store(z0 + j, a0); v128.store(z0 + j, a1, 16); v128.store(z0 + j, a2, 32); v128.store(z0 + j, a3, 48);
    }
  }
}

// One step of one batch row's cells: gates from z (i | f | c | o), c = f · c + i · g over the previous c in cRow,
// h = o · tanh(c); with `save`, what lstmBackward needs. `Gate` is the gates' activation (activations.ts).
// @ts-ignore: decorator
@inline function cellStep<Gate>(
  zRow: usize, cRow: usize, hRow: usize, unitBytes: usize, save: bool, gRow: usize, cSave: usize,
  tcSave: usize,
): void {
  for (let u: usize = 0; u < unitBytes; u += 16) {
    const i = gateV<Gate>(v128.load(zRow + u));
    const f = gateV<Gate>(v128.load(zRow + unitBytes + u));
    const g = tanhV(v128.load(zRow + 2 * unitBytes + u));
    const o = gateV<Gate>(v128.load(zRow + 3 * unitBytes + u));
    const cNew = f32x4.add(f32x4.mul(f, v128.load(cRow + u)), f32x4.mul(i, g));
    const tc = tanhV(cNew);
    v128.store(cRow + u, cNew);
    v128.store(hRow + u, f32x4.mul(o, tc));
    if (save) {
      v128.store(gRow + u, i);
      v128.store(gRow + unitBytes + u, f);
      v128.store(gRow + 2 * unitBytes + u, g);
      v128.store(gRow + 3 * unitBytes + u, o);
      v128.store(cSave + u, cNew);
      v128.store(tcSave + u, tc);
    }
  }
}

/**
 * Runs the whole sequence. `z` [batch, 4·units] and `cState` [batch, units] are scratch. When `save` is
 * set, also writes `gates`, `c` and `tanhC` for `lstmBackward`.
 */
export function lstmForward(
  xw: usize, r: usize, h: usize, c: usize, tanhC: usize, gates: usize, z: usize, cState: usize,
  batch: i32, steps: i32, units: i32, reverse: bool, hard: bool, save: bool,
): void {
  const unitBytes = <usize>(units * 4);
  const gateBytes = unitBytes * 4;
  const xwStride = <usize>steps * gateBytes;
  const hStride = <usize>steps * unitBytes;
  // The zero initial cell state, so that the first step reads it as the others read theirs.
  memory.fill(cState, 0, <usize>batch * unitBytes);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hasPrev = s > 0;
    recurrentProjection(
      z, xw + <usize>t * gateBytes, xwStride, h + <usize>(s - 1) * unitBytes, hStride, hasPrev, r, batch, units,
    );
    for (let b = 0; b < batch; b++) {
      const zRow = z + <usize>b * gateBytes;
      const cRow = cState + <usize>b * unitBytes;
      const stepRow = <usize>(b * steps + s);
      const hRow = h + stepRow * unitBytes;
      const gRow = gates + stepRow * gateBytes;
      const cSave = c + stepRow * unitBytes;
      const tcSave = tanhC + stepRow * unitBytes;
      if (hard) cellStep<HardSigmoid>(zRow, cRow, hRow, unitBytes, save, gRow, cSave, tcSave);
      else cellStep<Sigmoid>(zRow, cRow, hRow, unitBytes, save, gRow, cSave, tcSave);
    }
  }
}

// dhNext[b, k] = dz[b, :] · r[k, :] (the gradient reaching h of the previous step).
function recurrentGradInput(
  dhNext: usize, dzStep: usize, dzStride: usize, r: usize, batch: i32, units: i32,
): void {
  const unitBytes = <usize>(units * 4);
  const gateBytes = unitBytes * 4;
  for (let b = 0; b < batch; b++) {
    const dz = dzStep + <usize>b * dzStride;
    const out = dhNext + <usize>b * unitBytes;
    for (let k = 0; k < units; k += 4) {
      const r0 = r + <usize>k * gateBytes;
      const r1 = r0 + gateBytes;
      const r2 = r1 + gateBytes;
      const r3 = r2 + gateBytes;
      let a0 = f32x4.splat(0.0), a1 = f32x4.splat(0.0), a2 = f32x4.splat(0.0), a3 = f32x4.splat(0.0);
      for (let j: usize = 0; j < gateBytes; j += 16) {
        const d = v128.load(dz + j);
        a0 = f32x4.add(a0, f32x4.mul(d, v128.load(r0 + j)));
        a1 = f32x4.add(a1, f32x4.mul(d, v128.load(r1 + j)));
        a2 = f32x4.add(a2, f32x4.mul(d, v128.load(r2 + j)));
        a3 = f32x4.add(a3, f32x4.mul(d, v128.load(r3 + j)));
      }
      // Horizontal sums of the four accumulators into one vector (lane n = sum of a_n).
      const lo01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
      const lo23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
      const sums = f32x4.add(v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5), v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
      v128.store(out + (<usize>k << 2), sums);
    }
  }
}

// dr[k, :] += Σ_b hPrev[b, k] · dz[b, :]
function recurrentGradKernel(
  dr: usize, dzStep: usize, dzStride: usize, hPrev: usize, hStride: usize, batch: i32, units: i32,
): void {
  const gateBytes = <usize>(units * 16);
  for (let k = 0; k < units; k += 2) {
    const dr0 = dr + <usize>k * gateBytes;
    const dr1 = dr0 + gateBytes;
    const hk = hPrev + (<usize>k << 2);
    for (let j: usize = 0; j < gateBytes; j += 64) {
      let a00 = v128.load(dr0 + j), a01 = v128.load(dr0 + j, 16), a02 = v128.load(dr0 + j, 32), a03 = v128.load(dr0 + j, 48);
      let a10 = v128.load(dr1 + j), a11 = v128.load(dr1 + j, 16), a12 = v128.load(dr1 + j, 32), a13 = v128.load(dr1 + j, 48);
      let dz = dzStep + j;
      let hb = hk;
      for (let b = 0; b < batch; b++) {
        const h0 = v128.load32_splat(hb);
        const h1 = v128.load32_splat(hb, 4);
        const d0 = v128.load(dz), d1 = v128.load(dz, 16), d2 = v128.load(dz, 32), d3 = v128.load(dz, 48);
        a00 = f32x4.add(a00, f32x4.mul(h0, d0));
        a01 = f32x4.add(a01, f32x4.mul(h0, d1));
        a02 = f32x4.add(a02, f32x4.mul(h0, d2));
        a03 = f32x4.add(a03, f32x4.mul(h0, d3));
        a10 = f32x4.add(a10, f32x4.mul(h1, d0));
        a11 = f32x4.add(a11, f32x4.mul(h1, d1));
        a12 = f32x4.add(a12, f32x4.mul(h1, d2));
        a13 = f32x4.add(a13, f32x4.mul(h1, d3));
        dz += dzStride;
        hb += hStride;
      }
      v128.store(dr0 + j, a00); v128.store(dr0 + j, a01, 16); v128.store(dr0 + j, a02, 32); v128.store(dr0 + j, a03, 48);
      v128.store(dr1 + j, a10); v128.store(dr1 + j, a11, 16); v128.store(dr1 + j, a12, 32); v128.store(dr1 + j, a13, 48);
    }
  }
}

/**
 * Backpropagation through time over the state saved by `lstmForward(save = true)`. Writes `dxw` (every
 * element) and `dr` (overwritten). `dhNext` and `dcNext` [batch, units] are scratch.
 */
export function lstmBackward(
  dxw: usize, dr: usize, dh: usize, r: usize, h: usize, c: usize, tanhC: usize, gates: usize,
  dhNext: usize, dcNext: usize, batch: i32, steps: i32, units: i32, reverse: bool, hard: bool,
): void {
  const unitBytes = <usize>(units * 4);
  const gateBytes = unitBytes * 4;
  const dzStride = <usize>steps * gateBytes;
  const hStride = <usize>steps * unitBytes;
  memory.fill(dr, 0, <usize>units * gateBytes);
  memory.fill(dhNext, 0, <usize>batch * unitBytes);
  memory.fill(dcNext, 0, <usize>batch * unitBytes);
  for (let s = steps - 1; s >= 0; s--) {
    const t = reverse ? steps - 1 - s : s;
    const hasPrev = s > 0;
    const dzStep = dxw + <usize>t * gateBytes;
    for (let b = 0; b < batch; b++) {
      const stepRow = <usize>(b * steps + s);
      const gRow = gates + stepRow * gateBytes;
      const dzRow = dzStep + <usize>b * dzStride;
      const dhRow = dh + stepRow * unitBytes;
      const tcRow = tanhC + stepRow * unitBytes;
      const cPrevRow = c + (stepRow - 1) * unitBytes;
      const dhNextRow = dhNext + <usize>b * unitBytes;
      const dcNextRow = dcNext + <usize>b * unitBytes;
      for (let u: usize = 0; u < unitBytes; u += 16) {
        const i = v128.load(gRow + u);
        const f = v128.load(gRow + unitBytes + u);
        const g = v128.load(gRow + 2 * unitBytes + u);
        const o = v128.load(gRow + 3 * unitBytes + u);
        const tc = v128.load(tcRow + u);
        // An explicit branch, not a select: at s = 0 the address lies outside c.
        let cPrev = f32x4.splat(0.0);
        if (hasPrev) cPrev = v128.load(cPrevRow + u);
        const dH = f32x4.add(v128.load(dhRow + u), v128.load(dhNextRow + u));
        const dC = f32x4.add(v128.load(dcNextRow + u), f32x4.mul(f32x4.mul(dH, o), f32x4.sub(f32x4.splat(1.0), f32x4.mul(tc, tc))));
        v128.store(dcNextRow + u, f32x4.mul(dC, f));
        v128.store(dzRow + u, f32x4.mul(f32x4.mul(dC, g), gateGradV(i, hard)));
        v128.store(dzRow + unitBytes + u, f32x4.mul(f32x4.mul(dC, cPrev), gateGradV(f, hard)));
        v128.store(dzRow + 2 * unitBytes + u, f32x4.mul(f32x4.mul(dC, i), f32x4.sub(f32x4.splat(1.0), f32x4.mul(g, g))));
        v128.store(dzRow + 3 * unitBytes + u, f32x4.mul(f32x4.mul(dH, tc), gateGradV(o, hard)));
      }
    }
    if (hasPrev) {
      recurrentGradInput(dhNext, dzStep, dzStride, r, batch, units);
      recurrentGradKernel(dr, dzStep, dzStride, h + <usize>(s - 1) * unitBytes, hStride, batch, units);
    }
  }
}
