import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLstmKernels, loadNetworkKernels } from '../../../core/kernels/load-node.ts';
import { createNetworkKernels, int16Factor } from '../../../core/kernels/network-kernels.ts';
import { createRandom } from '../../../training/random.ts';

const kernels = loadNetworkKernels();
const int16 = loadNetworkKernels('int16');

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

describe('network wasm kernels at int16', () => {
  const largestAbs = (values: ArrayLike<number>) => Math.max(...Array.from(values, Math.abs));

  // Odd inputs (a pair runs past the row), overlapping rows, the 4-row and 8-column blocks' edges.
  it.each([
    [1, 1, 1, 1, false],
    [3, 5, 5, 9, true],
    [7, 13, 3, 33, true],
    [47, 64, 64, 256, false],
    [94, 320, 64, 64, true],
    [188, 200, 40, 64, false],
  ])(
    'compute %i rows of %i inputs (rows %i apart) × %i outputs, relu %s, within the 16-bit rounding',
    (rows, inputs, rowStride, outputs, relu) => {
      const seed = rows * 1000 + outputs;
      const x = randomFloats((rows - 1) * rowStride + inputs, seed);
      const kernel = randomFloats(inputs * outputs, seed + 1);
      const bias = randomFloats(outputs, seed + 2);
      const weights = int16.loadDense(kernel, bias, inputs, outputs);
      const actual = int16.dense(weights, x, rows, rowStride, relu);
      const expected = reference(x, rows, rowStride, kernel, bias, inputs, outputs, relu);
      expect(actual).toHaveLength(rows * outputs);
      // Each side is rounded to within half a step of its largest value over q, so a sum of `inputs` products
      // moves by at most inputs · |x|max · |w|max / q; on average by far less, about √inputs of a step.
      const q = int16Factor(2 * Math.ceil(inputs / 2));
      const bound = (inputs * largestAbs(x) * largestAbs(kernel)) / q + 1e-5 * Math.sqrt(inputs);
      let total = 0;
      actual.forEach((value, i) => {
        const error = Math.abs(value - expected[i]);
        total += error;
        if (!(error <= bound)) expect.fail(`output ${i}: expected ${expected[i]}, got ${value}`);
      });
      expect(total / actual.length).toBeLessThan((0.5 * Math.sqrt(inputs)) / q + 1e-6);
    },
  );

  it('apply the affine and the pooling as the float kernels do', () => {
    const [rows, inputs, rowStride, outputs] = [23, 24, 6, 12];
    const x = randomFloats((rows - 1) * rowStride + inputs, 5);
    const kernel = randomFloats(inputs * outputs, 6);
    const bias = randomFloats(outputs, 7);
    const affine = { scale: randomFloats(outputs, 8), shift: randomFloats(outputs, 9) };
    const pool = { size: 3, stride: 2 };
    const floats = kernels.dense(
      kernels.loadDense(kernel, bias, inputs, outputs, affine),
      x,
      rows,
      rowStride,
      true,
      pool,
    );
    const ints = int16.dense(
      int16.loadDense(kernel, bias, inputs, outputs, affine),
      x,
      rows,
      rowStride,
      true,
      pool,
    );
    expect(ints).toHaveLength(floats.length);
    for (const [i, value] of ints.entries()) expect(Math.abs(value - floats[i])).toBeLessThan(0.02);
  });

  it('never overflow a sum: every input and weight at its largest, of one sign or alternating', () => {
    for (const inputs of [2, 320, 1001, 4096]) {
      for (const sign of [1, -1]) {
        const x = Float32Array.from({ length: inputs }, (_, i) => (sign < 0 && i % 2 ? -3 : 3));
        const kernel = Float32Array.from({ length: inputs * 8 }, () => -0.5);
        // Five rows of the same values: the 4-row blocks and the row after them.
        const rows = Float32Array.from({ length: 5 * inputs }, (_, i) => x[i % inputs]);
        const out = int16.dense(int16.loadDense(kernel, null, inputs, 8), rows, 5, inputs, false);
        expect(out).toHaveLength(5 * 8);
        const expected = x.reduce((sum, value) => sum - 0.5 * value, 0);
        for (const value of out) expect(Math.abs(value - expected)).toBeLessThan(1e-5 * inputs);
      }
    }
  });

  it('give NaN for an input with a NaN or an infinity, as the float kernels do, and the bias for a vanishing one', () => {
    const weights = int16.loadDense(randomFloats(6, 3), Float32Array.of(1, 2, 3), 2, 3);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const out = int16.dense(weights, Float32Array.of(0.5, bad), 1, 2, false);
      expect(Array.from(out).every(Number.isNaN)).toBe(true);
    }
    const tiny = int16.dense(weights, Float32Array.of(1e-38, -1e-37), 1, 2, false);
    expect(Array.from(tiny)).toEqual([1, 2, 3]);
  });

  it('give the bias alone for an all-zero input or kernel', () => {
    const bias = Float32Array.of(0.25, -1, 3);
    const kernel = randomFloats(6, 1);
    expect(
      Array.from(int16.dense(int16.loadDense(kernel, bias, 2, 3), new Float32Array(2), 1, 2, false)),
    ).toEqual([0.25, -1, 3]);
    const zeros = int16.loadDense(new Float32Array(6), bias, 2, 3);
    expect(Array.from(int16.dense(zeros, randomFloats(2, 2), 1, 2, false))).toEqual([0.25, -1, 3]);
  });

  it.each([
    [64, 47, false, 'sigmoid'],
    [64, 47, true, 'sigmoid'],
    [8, 9, true, 'hardSigmoid'],
    [12, 30, false, 'sigmoid'],
    [4, 5, false, 'hardSigmoid'],
  ] as const)(
    'run an LSTM direction of %i units over %i steps (backwards %s, %s gates) as the float kernel does',
    (units, steps, goBackwards, gateActivation) => {
      const recurrentKernel = randomFloats(4 * units * units, units + steps).map((v) => v * 0.5);
      const xw = randomFloats(steps * 4 * units, units * steps).map((v) => 2 * v);
      const want = loadLstmKernels().forward(
        xw,
        recurrentKernel,
        { batch: 1, steps, units, goBackwards, gateActivation },
        false,
      );
      const got = int16.recurrence(
        int16.loadRecurrent(recurrentKernel, units),
        xw,
        steps,
        goBackwards,
        gateActivation,
      );
      expect(got.outputs).toHaveLength(want.outputs.length);
      for (const [i, value] of got.outputs.entries())
        expect(Math.abs(value - want.outputs[i])).toBeLessThan(2e-3);
      for (const [i, value] of got.finalCell.entries()) {
        expect(Math.abs(value - want.finalCell[i])).toBeLessThan(5e-3);
      }
    },
  );

  it('say what they expected when a recurrence does not fit, or float kernels are asked for one', () => {
    expect(() => int16.loadRecurrent(new Float32Array(4 * 36), 6)).toThrow(
      'loadRecurrent: expected units a positive multiple of 4, got 6',
    );
    expect(() => int16.loadRecurrent(new Float32Array(10), 4)).toThrow(
      'loadRecurrent: expected a kernel of 4 × 16 floats, got 10',
    );
    const weights = int16.loadRecurrent(new Float32Array(64), 4);
    expect(() => int16.recurrence(weights, new Float32Array(15), 1, false, 'sigmoid')).toThrow(
      'recurrence: expected xw of 1 × 16 floats, got 15',
    );
    expect(() => int16.recurrence(weights, new Float32Array(0), 0, false, 'sigmoid')).toThrow(
      'recurrence: expected a positive whole number of steps, got 0',
    );
    expect(() => kernels.loadRecurrent(new Float32Array(64), 4)).toThrow(/expected int16 kernels/);
    const module = new WebAssembly.Module(
      readFileSync(new URL('../../../core/kernels/network.wasm', import.meta.url)),
    );
    expect(() => createNetworkKernels(module, 'float16' as never)).toThrow(
      'network kernels: expected precision float32 or int16, got float16',
    );
  });

  it('size the 16-bit factor so that no sum of products can leave 32 bits', () => {
    for (const inputs of [1, 2, 40, 64, 128, 200, 320, 4096, 100_000]) {
      const q = int16Factor(inputs);
      expect(q).toBeLessThanOrEqual(32767);
      expect(inputs * q * q).toBeLessThanOrEqual(2 ** 31 - 1);
    }
    expect(int16Factor(128)).toBe(4095);
  });
});
