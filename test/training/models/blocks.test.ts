import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import {
  ATTENTION_LAYER,
  attentionPooling,
  bidirectionalLstm,
  createModelBuilder,
} from '../../../training/models/blocks.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('createModelBuilder', () => {
  it('numbers layer names per kind and per builder', () => {
    const first = createModelBuilder(1);
    expect([first.name('dense'), first.name('dense'), first.name('lstm')]).toEqual([
      'dense_1',
      'dense_2',
      'lstm_1',
    ]);
    expect(createModelBuilder(1).name('dense')).toBe('dense_1');
  });

  it('draws the same seeds for the same model seed', () => {
    const draw = (seed: number) => {
      const builder = createModelBuilder(seed);
      return [builder.seed(), builder.seed(), builder.seed()];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});

describe('bidirectionalLstm', () => {
  it('starts the backward direction from weights of its own, not a copy of the forward ones', () => {
    const input = tfl.input({ shape: [5, 3] });
    const output = bidirectionalLstm(createModelBuilder(1), input, 4, { returnSequences: false });
    const model = tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
    const weights = model.getWeights();
    expect(weights).toHaveLength(6);
    const [forwardKernel, , , backwardKernel] = weights.map((w) => Array.from(w.dataSync()));
    expect(backwardKernel).toHaveLength(forwardKernel.length);
    expect(backwardKernel).not.toEqual(forwardKernel);
    model.dispose();
  });

  it('returns the sequence and both directions’ last states with returnState', () => {
    const input = tfl.input({ shape: [5, 3] });
    const outputs = bidirectionalLstm(createModelBuilder(1), input, 4, {
      returnSequences: true,
      returnState: true,
    });
    expect((outputs as tfl.SymbolicTensor[]).map((o) => o.shape)).toEqual([
      [null, 5, 8],
      [null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
    ]);
  });
});

describe('attentionPooling', () => {
  it('is the softmax(v·tanh(W h + b))-weighted sum of the states, with the weights in attention_weights', () => {
    const input = tfl.input({ shape: [5, 3] });
    const pooled = attentionPooling(createModelBuilder(3), input, 4);
    const builderModel = tfl.model({ inputs: input, outputs: pooled });
    const alphaOutput = builderModel.getLayer(ATTENTION_LAYER).output as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [pooled, alphaOutput] });
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 9);
    const [hiddenKernel, hiddenBias, scoreKernel] = model.getWeights();
    const expected = tf.tidy(() => {
      const scores = tf.squeeze(
        tf.matMul(tf.tanh(tf.add(tf.matMul(x, hiddenKernel), hiddenBias)), scoreKernel),
        [2],
      );
      const alpha = tf.softmax(scores);
      return [alpha, tf.sum(tf.mul(tf.expandDims(alpha, 2), x), 1)];
    });
    const [actualPooled, actualAlpha] = model.predict(x) as tf.Tensor[];
    const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(maxDifference(actualAlpha, expected[0])).toBeLessThan(1e-6);
    expect(maxDifference(actualPooled, expected[1])).toBeLessThan(1e-5);
    tf.dispose([x, actualPooled, actualAlpha, ...expected]);
  });
});
