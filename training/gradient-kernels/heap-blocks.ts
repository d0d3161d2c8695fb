import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type TensorInfo, util } from '@tensorflow/tfjs-core';

/**
 * Splits `x` along `axis` into parts of `sizes` by copying contiguous blocks between views of the wasm heap.
 * The stock Slice-based kernels (Unpack, SplitV) read the whole input through `readSync`, which copies it,
 * once per output. Output shapes keep the split axis with its part size.
 */
export function splitAlongAxis(
  x: TensorInfo,
  axis: number,
  sizes: number[],
  backend: BackendWasm,
): TensorInfo[] {
  const outer = util.sizeFromShape(x.shape.slice(0, axis));
  const inner = util.sizeFromShape(x.shape.slice(axis + 1));
  const rowLength = x.shape[axis] * inner;
  const outputs = sizes.map((size) => backend.makeOutput(x.shape.with(axis, size), x.dtype));
  // Views only after every allocation: growing the wasm memory detaches earlier views.
  const from = backend.typedArrayFromHeap(x);
  let offset = 0;
  outputs.forEach((out, i) => {
    const to = backend.typedArrayFromHeap(out);
    const blockLength = sizes[i] * inner;
    for (let o = 0; o < outer; o++) {
      const start = o * rowLength + offset;
      to.set(from.subarray(start, start + blockLength), o * blockLength);
    }
    offset += blockLength;
  });
  return outputs;
}

/** `x` reversed along one axis, copying contiguous blocks of the heap (the stock kernel goes element-wise). */
export function reverseAlongAxis(x: TensorInfo, axis: number, backend: BackendWasm): TensorInfo {
  const outer = util.sizeFromShape(x.shape.slice(0, axis));
  const count = x.shape[axis];
  const inner = util.sizeFromShape(x.shape.slice(axis + 1));
  const out = backend.makeOutput(x.shape, x.dtype);
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const start = (o * count + i) * inner;
      to.set(from.subarray(start, start + inner), (o * count + count - 1 - i) * inner);
    }
  }
  return out;
}

/**
 * `x` tiled `reps` times along each axis. The data is copied once into the output, then each axis is
 * expanded in place, innermost first, by block copies (moving blocks from the last so none is overwritten
 * before it is read). The stock kernel computes every element's source index: 60 ms for the [1, 32, 188, 64]
 * broadcasts in batch normalisation's gradient.
 */
export function tileByBlocks(x: TensorInfo, reps: number[], backend: BackendWasm): TensorInfo {
  const out = backend.makeOutput(
    x.shape.map((size, axis) => size * reps[axis]),
    x.dtype,
  );
  const data = backend.typedArrayFromHeap(out);
  data.set(backend.typedArrayFromHeap(x));
  const current = [...x.shape];
  for (let axis = current.length - 1; axis >= 0; axis--) {
    const times = reps[axis];
    if (times === 1) continue;
    const outer = util.sizeFromShape(current.slice(0, axis));
    const block = util.sizeFromShape(current.slice(axis));
    for (let o = outer - 1; o >= 0; o--) {
      const base = o * block * times;
      data.copyWithin(base, o * block, (o + 1) * block);
      if (block === 1) data.fill(data[base], base, base + times);
      else for (let t = 1; t < times; t++) data.copyWithin(base + t * block, base, base + block);
    }
    current[axis] *= times;
  }
  return out;
}
