import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { maxAbsDifference, uniformValues, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('heapCopySplitV on wasm', () => {
  const shape = [3, 8, 5];
  const values = uniformValues(shape, 7);
  const cases: { axis: number; split: number | number[] }[] = [
    { axis: 0, split: 3 },
    { axis: 1, split: 4 },
    { axis: 1, split: [1, 5, 2] },
    { axis: -1, split: [2, -1] },
  ];
  for (const { axis, split } of cases) {
    it(`matches cpu for split ${JSON.stringify(split)} along axis ${axis} (forward and gradient)`, async () => {
      const compute = () => {
        const x = tf.tensor(values, shape);
        const parts = tf.split(x, split, axis);
        const weights = parts.map((part, i) => tf.tensor(uniformValues(part.shape, 10 + i), part.shape));
        const dx = tf.grad((input: tf.Tensor) =>
          tf.addN(tf.split(input, split, axis).map((part, i) => tf.sum(tf.mul(part, weights[i])))),
        )(x);
        return [...parts, dx];
      };
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('keeps int32 values and part shapes', async () => {
    await tf.setBackend('wasm');
    const parts = tf.split(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [2, 1], 1);
    expect(parts.map((p) => [p.dtype, p.shape, Array.from(p.dataSync())])).toEqual([
      ['int32', [2, 2], [1, 2, 4, 5]],
      ['int32', [2, 1], [3, 6]],
    ]);
    tf.dispose(parts);
  });
});
