import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { maxAbsDifference, uniformValues, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

const cases: {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** tfjs-core has no gradient for broadcast batch dimensions, on any backend. */
  forwardOnly?: boolean;
}[] = [
  { name: '2-D plain', a: [7, 5], b: [5, 6], transposeA: false, transposeB: false },
  { name: '2-D Aᵀ', a: [5, 7], b: [5, 6], transposeA: true, transposeB: false },
  { name: '2-D Bᵀ', a: [7, 5], b: [6, 5], transposeA: false, transposeB: true },
  { name: '2-D Aᵀ Bᵀ', a: [5, 7], b: [6, 5], transposeA: true, transposeB: true },
  { name: '3-D batched Aᵀ', a: [3, 5, 7], b: [3, 5, 6], transposeA: true, transposeB: false },
  {
    name: '3-D broadcast Bᵀ',
    a: [3, 7, 5],
    b: [1, 6, 5],
    transposeA: false,
    transposeB: true,
    forwardOnly: true,
  },
  { name: '4-D Aᵀ Bᵀ', a: [2, 3, 5, 7], b: [2, 3, 6, 5], transposeA: true, transposeB: true },
];

describe('transposeFirstBatchMatMul on wasm', () => {
  for (const c of cases) {
    it(`matches cpu for ${c.name}${c.forwardOnly ? '' : ' (forward and both gradients)'}`, async () => {
      const aValues = uniformValues(c.a, 1);
      const bValues = uniformValues(c.b, 2);
      const compute = () => {
        const a = tf.tensor(aValues, c.a);
        const b = tf.tensor(bValues, c.b);
        const product = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.transposeA, c.transposeB);
        const out = product(a, b);
        if (c.forwardOnly) return [out];
        // A weighted sum makes dy non-uniform, so the gradients exercise the transposed products.
        const weights = tf.tensor(uniformValues(out.shape, 3), out.shape);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(product(x, y), weights)))([
          a,
          b,
        ]);
        return [out, da, db];
      };
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-5);
    });
  }
});
