import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { UtteranceStatistics } from '../../../core/network/utterance-statistics.ts';
import { initTrainingBackend } from '../../../training/backend.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('UtteranceStatistics', () => {
  it('gives mean, population std, min and max of each feature over time', () => {
    // One clip, 4 frames, 2 features: [1, 2, 3, 6] and [0, 0, 0, 0].
    const x = tf.tensor3d([1, 0, 2, 0, 3, 0, 6, 0], [1, 4, 2]);
    const stats = new UtteranceStatistics({}).apply(x) as tf.Tensor;
    const values = Array.from(stats.dataSync());
    const expected = [3, 0, Math.sqrt(3.5), 0, 1, 0, 6, 0];
    values.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 3);
    });
    tf.dispose([x, stats]);
  });

  it('declares its output shape as 4 × dims', () => {
    const input = tfl.input({ shape: [10, 5] });
    expect((new UtteranceStatistics({}).apply(input) as tfl.SymbolicTensor).shape).toEqual([null, 20]);
  });

  it('is registered for deserialisation under its class name', () => {
    const layer = new UtteranceStatistics({ name: 'stats' });
    const restored = tfl.layers.Layer.fromConfig(
      UtteranceStatistics,
      layer.getConfig(),
    ) as UtteranceStatistics;
    const registered = tf.serialization.SerializationMap.getMap().classNameMap.UtteranceStatistics;
    expect(registered?.[0]).toBe(UtteranceStatistics);
    expect(restored.name).toBe('stats');
  });
});
