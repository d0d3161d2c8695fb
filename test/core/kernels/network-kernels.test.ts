import { describe, expect, it } from 'vitest';
import { loadNetworkKernels } from '../../../core/kernels/load-node.ts';
import { createRandom } from '../../../training/random.ts';

const kernels = loadNetworkKernels();

function randomFloats(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => 2 * random.next() - 1);
}

/** Row r of x (from r·rowStride) times kernel [inputs, outputs] plus bias, in f64. */
function reference(
  x: Float32Array,
  rows: number,
  rowStride: number,
  kernel: Float32Array,
  bias: Float32Array | null,
  inputs: number,
  outputs: number,
  relu: boolean,
): Float64Array {
  const out = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outputs; j++) {
      let sum = bias ? bias[j] : 0;
      for (let i = 0; i < inputs; i++) sum += x[r * rowStride + i] * kernel[i * outputs + j];
      out[r * outputs + j] = relu ? Math.max(0, sum) : sum;
    }
  }
  return out;
}

describe('network wasm kernels', () => {
  // Rows around the 4-row blocks, columns around the 8-column blocks, rows apart and overlapping (a Conv1D).
  it.each([
    [1, 1, 1, 1, false],
    [3, 5, 5, 9, true],
    [4, 16, 16, 8, false],
    [47, 64, 64, 256, false],
    [94, 320, 64, 64, true],
    [7, 12, 3, 33, true],
  ])(
    'compute %i rows of %i inputs (rows %i apart) × %i outputs, relu %s, as the definition',
    (rows, inputs, rowStride, outputs, relu) => {
      const seed = rows * 1000 + outputs;
      const x = randomFloats((rows - 1) * rowStride + inputs, seed);
      const kernel = randomFloats(inputs * outputs, seed + 1);
      const bias = randomFloats(outputs, seed + 2);
      for (const withBias of [bias, null]) {
        const weights = kernels.loadDense(kernel, withBias, inputs, outputs);
        const actual = kernels.dense(weights, x, rows, rowStride, relu);
        const expected = reference(x, rows, rowStride, kernel, withBias, inputs, outputs, relu);
        expect(actual).toHaveLength(rows * outputs);
        // f32 sums of up to 320 products of values in [−1, 1].
        actual.forEach((value, i) => {
          if (!(Math.abs(value - expected[i]) <= 2e-5 * Math.sqrt(inputs))) {
            expect.fail(`output ${i}: expected ${expected[i]}, got ${value}`);
          }
        });
      }
    },
  );

  it.each([
    [188, 200, 40, 64, 2, 2],
    [23, 24, 6, 12, 3, 2],
    [9, 5, 5, 9, 1, 1],
    [3, 4, 4, 8, 4, 4],
  ])(
    'apply a per-column affine after the relu and max-pool the rows: %i rows of %i inputs (rows %i apart) × %i outputs, pool %i stride %i',
    (rows, inputs, rowStride, outputs, size, stride) => {
      const seed = rows * 7 + outputs;
      const x = randomFloats((rows - 1) * rowStride + inputs, seed);
      const kernel = randomFloats(inputs * outputs, seed + 1);
      const bias = randomFloats(outputs, seed + 2);
      const scale = randomFloats(outputs, seed + 3);
      const shift = randomFloats(outputs, seed + 4);
      const weights = kernels.loadDense(kernel, bias, inputs, outputs, { scale, shift });
      const actual = kernels.dense(weights, x, rows, rowStride, true, { size, stride });
      const plain = reference(x, rows, rowStride, kernel, bias, inputs, outputs, true);
      const outRows = Math.floor((rows - size) / stride) + 1;
      expect(actual).toHaveLength(outRows * outputs);
      for (let t = 0; t < outRows; t++) {
        for (let j = 0; j < outputs; j++) {
          let expected = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < size; k++) {
            expected = Math.max(expected, plain[(t * stride + k) * outputs + j] * scale[j] + shift[j]);
          }
          const value = actual[t * outputs + j];
          if (!(Math.abs(value - expected) <= 2e-5 * Math.sqrt(inputs))) {
            expect.fail(`row ${t}, column ${j}: expected ${expected}, got ${value}`);
          }
        }
      }
    },
  );

  it('give no rows when the pool is longer than the rows', () => {
    const weights = kernels.loadDense(Float32Array.of(1, 2), null, 1, 2);
    expect(kernels.dense(weights, Float32Array.of(1, 2), 2, 1, false, { size: 3, stride: 1 })).toHaveLength(
      0,
    );
  });

  it('keep earlier weights intact as more layers load, and give no rows for none', () => {
    const first = kernels.loadDense(Float32Array.of(1, 2, 3, 4), Float32Array.of(0.5, -0.5), 2, 2);
    const x = Float32Array.of(1, 1);
    const before = kernels.dense(first, x, 1, 2, false);
    for (let i = 0; i < 20; i++) kernels.loadDense(randomFloats(256 * 256, i), null, 256, 256);
    expect(kernels.dense(first, x, 1, 2, false)).toEqual(before);
    expect(Array.from(before)).toEqual([4.5, 5.5]);
    expect(kernels.dense(first, x, 0, 2, false)).toHaveLength(0);
  });

  it('say what they expected when sizes do not fit', () => {
    expect(() => kernels.loadDense(new Float32Array(5), null, 2, 3)).toThrow(
      'loadDense: expected a kernel of 2 × 3 floats, got 5',
    );
    expect(() => kernels.loadDense(new Float32Array(6), new Float32Array(2), 2, 3)).toThrow(
      'loadDense: expected a bias of 3 floats, got 2',
    );
    expect(() =>
      kernels.loadDense(new Float32Array(6), null, 2, 3, {
        scale: new Float32Array(3),
        shift: new Float32Array(2),
      }),
    ).toThrow('loadDense: expected a scale and shift of 3 floats, got 3 and 2');
    expect(() => kernels.loadDense(new Float32Array(0), null, 0, 3)).toThrow(
      'loadDense: expected positive integer sizes, got 0 × 3',
    );
    const weights = kernels.loadDense(new Float32Array(6), null, 2, 3);
    expect(() => kernels.dense(weights, new Float32Array(5), 3, 2, false)).toThrow(
      'dense: expected at least 6 input floats for 3 rows, got 5',
    );
    expect(() => kernels.dense(weights, new Float32Array(6), 3, 0, false)).toThrow(
      'dense: expected whole rows and a positive row stride, got 3, 0',
    );
    expect(() => kernels.dense(weights, new Float32Array(6), 3, 2, false, { size: 0, stride: 1 })).toThrow(
      'dense: expected a positive whole pool and stride, got 0, 1',
    );
  });
});
