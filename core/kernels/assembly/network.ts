// Dense layers and 1-D convolutions of a network's inference in WebAssembly SIMD: one call per layer, so a
// served network pays about twenty calls per clip instead of tfjs's hundred-odd kernel launches.
// core/network/compiled-network.ts runs the layers; ../network-kernels.ts is the JS face that lays out
// memory and calls this. A Conv1D is the same product as a Dense layer over overlapping rows: with the input
// zero-padded, row t's window of K frames × C channels is K·C consecutive floats from t·C, and the Keras kernel
// [K, C, filters] is a [K·C, filters] matrix.
//
// Buffers are row-major f32 at byte addresses in this memory.
//
// The products accumulate with relaxed SIMD's multiply-add: one instruction where the processor fuses it (FMA), a
// multiply and an add where it does not, so the last bit of a sum may differ between machines, never within one.
// It makes the served network about an eighth faster (`npm run bench:window-cpu`).

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
