import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { maxAbsDifference, uniformValues, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('heapCopyUnpack on wasm', () => {
  const shape = [3, 4, 5];
  const values = uniformValues(shape, 7);

  for (const axis of [0, 1, 2, -1]) {
    it(`matches cpu for unstack along axis ${axis} (forward and gradient)`, async () => {
      const compute = () => {
        const x = tf.tensor(values, shape);
        const parts = tf.unstack(x, axis);
        const weights = parts.map((part, i) => tf.tensor(uniformValues(part.shape, 10 + i), part.shape));
        const dx = tf.grad((input: tf.Tensor) =>
          tf.addN(tf.unstack(input, axis).map((part, i) => tf.sum(tf.mul(part, weights[i])))),
        )(x);
        return [...parts, dx];
      };
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(wasm).toHaveLength((shape.at(axis) as number) + 1);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('keeps int32 values and output shapes', async () => {
    await tf.setBackend('wasm');
    const parts = tf.unstack(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 1);
    expect(parts.map((p) => [p.dtype, p.shape, Array.from(p.dataSync())])).toEqual([
      ['int32', [2], [1, 4]],
      ['int32', [2], [2, 5]],
      ['int32', [2], [3, 6]],
    ]);
    tf.dispose(parts);
  });

  it('stays correct when its outputs grow the wasm memory', async () => {
    // 2 × 32 MiB: more than the initial heap, so allocating outputs grows it and detaches older views.
    const shape = [256, 128, 256];
    await tf.setBackend('wasm');
    const x = tf.reshape(tf.range(0, 256 * 128 * 256, 1, 'float32'), shape);
    const parts = tf.unstack(x, 1);
    const expectedFirstRow = (j: number) => Array.from({ length: 256 }, (_, k) => j * 256 + k);
    expect(Array.from(parts[0].dataSync().subarray(0, 256))).toEqual(expectedFirstRow(0));
    expect(Array.from(parts[127].dataSync().subarray(0, 256))).toEqual(expectedFirstRow(127));
    // Row 255 of output j starts at x[255, j, 0].
    expect(parts[127].dataSync()[255 * 256]).toBe(255 * 128 * 256 + 127 * 256);
    tf.dispose([x, ...parts]);
  });
});
