import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';
import {
  ATTENTION_LAYER,
  attentionLayerName,
  buildModel,
  MAX_PARAMETERS,
  NETWORK_ARCHITECTURES,
  resolveModelConfig,
} from '../../../training/models/index.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

const withAttention = ['attention-blstm', 'hybrid', 'cnn-blstm-attention'];

describe('buildModel', () => {
  for (const architecture of NETWORK_ARCHITECTURES) {
    it(`builds ${architecture} with its defaults at the serving shape (188 × 40) under the parameter budget`, () => {
      const model = buildModel(resolveModelConfig({ architecture }), [188, 40], 7, 1);
      expect(model.countParams()).toBeGreaterThan(0);
      expect(model.countParams()).toBeLessThan(MAX_PARAMETERS);
      expect(model.outputs[0].shape).toEqual([null, 7]);
      expect(attentionLayerName(model)).toBe(withAttention.includes(architecture) ? ATTENTION_LAYER : null);
      model.dispose();
    });

    it(`runs a ${architecture} forward pass to class probabilities on a tiny input`, () => {
      const model = buildModel(resolveModelConfig({ architecture }), [16, 8], 3, 1);
      const probabilities = tf.tidy(
        () => model.predict(tf.randomNormal([2, 16, 8], 0, 1, 'float32', 5)) as tf.Tensor,
      );
      expect(probabilities.shape).toEqual([2, 3]);
      const rows = probabilities.arraySync() as number[][];
      for (const row of rows) {
        expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
        expect(row.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
      }
      tf.dispose(probabilities);
      model.dispose();
    });
  }

  it('gives the same weights and layer names for the same seed, and other weights for another seed', () => {
    const config = resolveModelConfig({ architecture: 'attention-blstm', units: 8, attentionUnits: 4 });
    const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));
    const [a, b, c] = [1, 1, 2].map((seed) => buildModel(config, [6, 4], 3, seed));
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(a.layers.map((l) => l.name)).toEqual(b.layers.map((l) => l.name));
    expect(weightsOf(a)).not.toEqual(weightsOf(c));
    for (const model of [a, b, c]) model.dispose();
  });

  it('leaves no tensors behind once built and disposed', () => {
    const before = tf.memory().numTensors;
    for (const architecture of NETWORK_ARCHITECTURES)
      buildModel(resolveModelConfig({ architecture }), [16, 8], 3, 1).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pools cnn-blstm-attention time by 4, so attention runs over 47 of 188 frames', () => {
    const model = buildModel(resolveModelConfig({ architecture: 'cnn-blstm-attention' }), [188, 40], 7, 1);
    expect(model.getLayer(ATTENTION_LAYER).outputShape).toEqual([null, 47]);
    model.dispose();
  });

  it('refuses models over the parameter budget, inputs too small to pool and single-class outputs', () => {
    const huge = resolveModelConfig({ architecture: 'blstm', units: [512, 512] });
    expect(() => buildModel(huge, [188, 40], 7, 1)).toThrow(
      /^expected fewer than 1000000 parameters for blstm, got \d+$/,
    );
    expect(() => buildModel(resolveModelConfig({ architecture: 'cnn' }), [188, 4], 7, 1)).toThrow(
      'expected frames and dims ≥ 8 for 3 pooling blocks, got [188, 4]',
    );
    expect(() => buildModel(resolveModelConfig({ architecture: 'lstm' }), [188, 40], 1, 1)).toThrow(
      'expected at least 2 classes, got 1',
    );
  });
});

describe('resolveModelConfig', () => {
  it('fills in the defaults', () => {
    expect(resolveModelConfig({ architecture: 'lstm' })).toEqual({
      architecture: 'lstm',
      units: [64, 64],
      dropout: 0.3,
      denseUnits: 0,
    });
  });

  it('rejects unknown architectures and unknown or invalid fields', () => {
    expect(() => resolveModelConfig({ architecture: 'transformer' } as never)).toThrow();
    expect(() => resolveModelConfig({ architecture: 'cnn', dropout: 1 })).toThrow(/dropout/);
    expect(() => resolveModelConfig({ architecture: 'cnn', unit: 3 } as never)).toThrow(/unit/);
  });
});
