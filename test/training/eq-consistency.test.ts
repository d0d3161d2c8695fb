import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../training/backend.ts';
import { randomEqCurve } from '../../training/batches.ts';
import { resolveModelConfig } from '../../training/models/index.ts';
import { createRandom } from '../../training/random.ts';
import { TrainingConfigSchema, trainFold } from '../../training/trainer.ts';
import type { FeatureSet } from '../../training/training-types.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

const LABELS = ['a', 'b', 'c'];
const FRAMES = 8;
const DIMS = 6;
const EQ = { probability: 0.5, maxTilt: 2, maxRipple: 0.3 };
const model = resolveModelConfig({
  architecture: 'attention-blstm',
  units: 8,
  attentionUnits: 4,
  denseUnits: 8,
});

/**
 * Class k raises band k a little. Each clip has a colour of its own; in training it leans with the class (class 0
 * darker, class 2 brighter), as a corpus's studio leans with the emotions that corpus has, so a colour is an easy
 * cue that a new microphone breaks.
 */
function synthetic(count: number, seed: number, colourWithClass: boolean): FeatureSet {
  const random = createRandom(seed);
  const labels = Array.from({ length: count }, (_, i) => i % LABELS.length);
  const features = new Float32Array(count * FRAMES * DIMS);
  labels.forEach((label, i) => {
    const colour = randomEqCurve(DIMS, { ...EQ, maxTilt: 0.5 }, random);
    const lean = colourWithClass ? label - 1 : 0;
    for (let t = 0; t < FRAMES; t++) {
      for (let d = 0; d < DIMS; d++) {
        const tilt = lean * (d / (DIMS - 1) - 0.5);
        features[(i * FRAMES + t) * DIMS + d] = random.normal() + (d === label ? 0.8 : 0) + colour[d] + tilt;
      }
    }
  });
  return { features, labels, frames: FRAMES, dims: DIMS, bands: DIMS };
}

/** Mean over clips and curves of the largest probability change when a random curve is added to a clip. */
function colourChange(trained: tfl.LayersModel, set: FeatureSet): number {
  const random = createRandom(11);
  const count = set.labels.length;
  const recoloured = set.features.slice();
  for (let i = 0; i < count; i++) {
    const curve = randomEqCurve(DIMS, EQ, random);
    for (let at = i * FRAMES * DIMS; at < (i + 1) * FRAMES * DIMS; at += DIMS) {
      for (let d = 0; d < DIMS; d++) recoloured[at + d] += curve[d];
    }
  }
  const [before, after] = [set.features, recoloured].map((features) =>
    tf.tidy(() => (trained.predict(tf.tensor3d(features, [count, FRAMES, DIMS])) as tf.Tensor).dataSync()),
  );
  let total = 0;
  for (let i = 0; i < count; i++) {
    let largest = 0;
    for (let c = 0; c < LABELS.length; c++) {
      largest = Math.max(largest, Math.abs(before[i * LABELS.length + c] - after[i * LABELS.length + c]));
    }
    total += largest;
  }
  return total / count;
}

describe('eqConsistency', () => {
  const base = { epochs: 6, batchSize: 8, learningRate: 0.01, seed: 5, keep: 'last', randomEq: EQ } as const;

  it('moves the answers less under a new colour than the equaliser alone, training to a finite loss', async () => {
    const before = tf.memory().numTensors;
    const train = synthetic(48, 1, true);
    const test = synthetic(30, 2, false);
    const changes: number[] = [];
    for (const eqConsistency of [null, { weight: 5 }]) {
      const training = TrainingConfigSchema.parse({ ...base, eqConsistency });
      const result = await trainFold({ model, training, labels: LABELS, train, log: () => {} });
      expect(result.history.every((epoch) => Number.isFinite(epoch.loss) && epoch.loss > 0)).toBe(true);
      changes.push(colourChange(result.model, test));
      result.model.dispose();
    }
    const [alone, consistent] = changes;
    expect(consistent).toBeLessThan(0.5 * alone);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is refused without an equaliser to draw from, with feature masks or with mixup', () => {
    const refusal = (training: object) => TrainingConfigSchema.safeParse(training).error?.issues[0]?.message;
    expect(refusal({ eqConsistency: { weight: 1 } })).toBe(
      'expected randomEq with a maxTilt or maxRipple above 0 for eqConsistency to draw from, got neither',
    );
    expect(refusal({ eqConsistency: { weight: 1 }, randomEq: EQ, mixupAlpha: 0.2 })).toBe(
      'expected eqConsistency without mixup (the recoloured copy is not mixed), got mixupAlpha 0.2',
    );
    expect(
      refusal({ eqConsistency: { weight: 1 }, randomEq: EQ, specAugment: { freqMasks: 1, maxFreqMask: 2 } }),
    ).toBe(
      'expected eqConsistency without feature masks (the recoloured copy would colour the masked bands), got freqMasks 1',
    );
    expect(refusal({ eqConsistency: { weight: 0 }, randomEq: EQ })).toMatch(/expected number to be >0/i);
  });
});
