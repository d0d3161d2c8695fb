import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import { CONV_CASES, convGradient, maxAbsDifference, valuesOn } from './compare-backends.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('conv2DBackpropFilterIm2Col on wasm', () => {
  for (const convCase of CONV_CASES) {
    it(`matches cpu for the filter gradient of ${convCase.name}`, async () => {
      const compute = convGradient(convCase, 'filter');
      const wasm = await valuesOn('wasm', compute);
      const cpu = await valuesOn('cpu', compute);
      expect(maxAbsDifference(wasm, cpu)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('rejects NCHW with the expected and the given data format', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 1, 4, 4]) as tf.Tensor4D;
    const dy = tf.ones([1, 1, 3, 3]) as tf.Tensor4D;
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [2, 2, 1, 1] };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(
      "expected dataFormat 'NHWC' for the wasm Conv2DBackpropFilter, got 'NCHW'",
    );
    tf.dispose([x, dy]);
  });
});
