import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { maxAbsDifference, uniformValues, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('blockCopyTile on wasm', () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1, 1, 4],
      [1, 3, 5, 1],
    ],
    [
      [3, 1],
      [1, 4],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [2, 1, 3],
      [2, 4, 1],
    ],
    [[5], [1]],
  ];
  for (const [shape, reps] of cases) {
    it(`matches cpu tiling [${shape}] by [${reps}] (forward and gradient)`, async () => {
      const values = uniformValues(shape, 3);
      const compute = () => {
        const x = tf.tensor(values, shape);
        const tiled = tf.tile(x, reps);
        const weights = tf.tensor(uniformValues(tiled.shape, 4), tiled.shape);
        return [tiled, tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.tile(input, reps), weights)))(x)];
      };
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('tiles int32 and bool tensors', async () => {
    await tf.setBackend('wasm');
    const ints = tf.tile(tf.tensor2d([1, 2], [2, 1], 'int32'), [2, 2]);
    const flags = tf.tile(tf.tensor1d([true, false], 'bool'), [2]);
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(['int32', [1, 1, 2, 2, 1, 1, 2, 2]]);
    expect([flags.dtype, Array.from(flags.dataSync())]).toEqual(['bool', [1, 0, 1, 0]]);
    tf.dispose([ints, flags]);
  });
});
