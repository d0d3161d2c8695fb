import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorpusAdversarySchema } from '../../core/contracts/training-config.ts';
import { initTrainingBackend } from '../../training/backend.ts';
import { attachCorpusAdversary, GradientReversal, reversalScaleAt } from '../../training/corpus-adversary.ts';
import { buildModel, resolveModelConfig } from '../../training/models/index.ts';
import { createRandom } from '../../training/random.ts';
import { TrainingConfigSchema, trainFold } from '../../training/trainer.ts';
import type { FeatureSet } from '../../training/training-types.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

const LABELS = ['a', 'b', 'c'];
const FRAMES = 8;
const DIMS = 4;
const model = resolveModelConfig({
  architecture: 'attention-blstm',
  units: 8,
  attentionUnits: 4,
  denseUnits: 8,
});

/** Class k raises feature k; corpus 1 raises feature 3 (a studio's colour, unrelated to the emotion). */
function synthetic(count: number, seed: number): FeatureSet {
  const random = createRandom(seed);
  const labels = Array.from({ length: count }, (_, i) => i % LABELS.length);
  const groups = Array.from({ length: count }, (_, i) => Math.floor(i / 3) % 2);
  const features = new Float32Array(count * FRAMES * DIMS);
  labels.forEach((label, i) => {
    for (let t = 0; t < FRAMES; t++) {
      for (let d = 0; d < DIMS; d++) {
        const shift = (d === label ? 1.5 : 0) + (d === 3 && groups[i] === 1 ? 2 : 0);
        features[(i * FRAMES + t) * DIMS + d] = random.normal() + shift;
      }
    }
  });
  return { features, labels, frames: FRAMES, dims: DIMS, bands: DIMS, groups };
}

describe('GradientReversal', () => {
  it('passes values through and sends back the gradient times −scale', () => {
    const layer = new GradientReversal({});
    layer.scale = 0.4;
    const x = tf.tensor2d([
      [1, -2],
      [3, 0.5],
    ]);
    const weights = tf.tensor2d([
      [2, 3],
      [-1, 5],
    ]);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual([1, -2, 3, 0.5]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, weights)))(
      x,
    );
    expect(Array.from(gradient.dataSync())).toEqual([-0.8, -1.2, 0.4, -2].map((v) => expect.closeTo(v, 6)));
    tf.dispose([x, weights, gradient]);
  });
});

describe('reversalScaleAt', () => {
  it('rises from 0 at the first epoch to nearly the weight at the last, on DANN’s curve', () => {
    const config = CorpusAdversarySchema.parse({ weight: 0.5 });
    expect(reversalScaleAt(config, 1, 11)).toBe(0);
    expect(reversalScaleAt(config, 6, 11)).toBeCloseTo(0.5 * (2 / (1 + Math.exp(-5)) - 1), 10);
    expect(reversalScaleAt(config, 11, 11)).toBeGreaterThan(0.499);
    expect(reversalScaleAt(config, 1, 1)).toBeGreaterThan(0.499);
  });
});

describe('attachCorpusAdversary', () => {
  it('adds a corpus output on the penultimate representation, sharing the emotion model’s layers', () => {
    const emotion = buildModel(model, [FRAMES, DIMS], LABELS.length, 3);
    const { model: both } = attachCorpusAdversary(emotion, 4, CorpusAdversarySchema.parse({ units: 5 }), 3);
    expect(both.outputs.map((output) => output.shape)).toEqual([
      [null, 3],
      [null, 4],
    ]);
    const emotionWeights = new Set(emotion.weights.map((weight) => weight.id));
    const head = both.weights.filter((weight) => !emotionWeights.has(weight.id));
    expect(head.map((weight) => weight.shape)).toEqual([[8, 5], [5], [5, 4], [4]]);
    expect(both.weights.length).toBe(emotion.weights.length + 4);
    emotion.dispose();
    tf.dispose(head.map((weight) => weight.read()));
  });

  it('refuses fewer than two corpora', () => {
    const emotion = buildModel(model, [FRAMES, DIMS], LABELS.length, 3);
    expect(() => attachCorpusAdversary(emotion, 1, CorpusAdversarySchema.parse({}), 3)).toThrow(
      'corpus adversary: expected training clips from ≥ 2 corpora, got 1',
    );
    emotion.dispose();
  });
});

describe('trainFold with a corpus adversary', () => {
  const training = TrainingConfigSchema.parse({
    epochs: 3,
    batchSize: 8,
    learningRate: 0.01,
    seed: 5,
    corpusAdversary: { weight: 0.5, units: 8 },
  });

  it('reports the head’s corpus accuracy, learns the emotions and returns the emotion model alone', async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const train = synthetic(48, 1);
    const validation = synthetic(24, 2);
    const result = await trainFold({
      model,
      training,
      labels: LABELS,
      train,
      validation,
      log: (line) => lines.push(line),
    });
    expect(result.history.map((epoch) => epoch.corpusAcc)).toEqual(
      Array(3).fill(expect.toSatisfy((acc: number) => acc >= 0 && acc <= 1)),
    );
    expect(lines[2]).toMatch(/ \| corpus acc \d\.\d{4}/);
    expect(result.history[2].valUa).toBeGreaterThan(1 / 3);
    const plain = buildModel(model, [FRAMES, DIMS], LABELS.length, 5);
    expect(result.model.weights.map((weight) => weight.shape)).toEqual(plain.weights.map((w) => w.shape));
    expect(result.model.outputs).toHaveLength(1);
    plain.dispose();
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names what is missing when the training clips have no corpora', async () => {
    const { groups: _, ...ungrouped } = synthetic(12, 1);
    await expect(trainFold({ model, training, labels: LABELS, train: ungrouped })).rejects.toThrow(
      'corpus adversary: expected the corpus (group) of every training clip, got none',
    );
  });
});
