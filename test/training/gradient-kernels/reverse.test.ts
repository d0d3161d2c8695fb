import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { maxAbsDifference, uniformValues, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('blockCopyReverse on wasm', () => {
  const shape = [3, 4, 5];
  const values = uniformValues(shape, 5);
  for (const axes of [[0], [1], [-1], [0, 2]]) {
    it(`matches cpu reversing axes ${axes} (forward and gradient)`, async () => {
      const compute = () => {
        const x = tf.tensor(values, shape);
        const weights = tf.tensor(uniformValues(shape, 6), shape);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.reverse(input, axes), weights)))(x);
        return [tf.reverse(x, axes), dx];
      };
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBe(0);
    });
  }

  it('reverses int32 vectors', async () => {
    await tf.setBackend('wasm');
    const reversed = tf.reverse(tf.tensor1d([1, 2, 3], 'int32'));
    expect([reversed.dtype, Array.from(reversed.dataSync())]).toEqual(['int32', [3, 2, 1]]);
    reversed.dispose();
  });
});
