import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../training/backend.ts';
import {
  epochExamples,
  exampleLossWeights,
  gatherBatch,
  mixBatch,
  randomEqCurve,
  smoothTargets,
  warpBands,
} from '../../training/batches.ts';
import { allowedLabels, crossEntropyOver, labelsOfGroups } from '../../training/corpus-labels.ts';
import { crossValidate } from '../../training/cross-validation.ts';
import { resolveModelConfig } from '../../training/models/index.ts';
import { createRandom } from '../../training/random.ts';
import { runSweep, sweepTrials } from '../../training/sweep.ts';
import {
  learningRateAt,
  type TrainingConfigInput,
  TrainingConfigSchema,
  trainFold,
} from '../../training/trainer.ts';
import type { EpochRecord, FeatureSet } from '../../training/training-types.ts';
import { addToAverage } from '../../training/weight-average.ts';

let dir: string;
beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'trainer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LABELS = ['a', 'b', 'c'];
const FRAMES = 8;
const DIMS = 4;

/** Class k raises feature k by 1.5 in every frame, over unit Gaussian noise: learnable in a few steps. */
function synthetic(count: number, seed: number): FeatureSet {
  const random = createRandom(seed);
  const labels = Array.from({ length: count }, (_, i) => i % LABELS.length);
  const features = new Float32Array(count * FRAMES * DIMS);
  labels.forEach((label, i) => {
    for (let t = 0; t < FRAMES; t++) {
      for (let d = 0; d < DIMS; d++)
        features[(i * FRAMES + t) * DIMS + d] = random.normal() + (d === label ? 1.5 : 0);
    }
  });
  return { features, labels, frames: FRAMES, dims: DIMS, bands: DIMS };
}

const train = synthetic(48, 1);
const validation = synthetic(24, 2);
const model = resolveModelConfig({
  architecture: 'attention-blstm',
  units: 8,
  attentionUnits: 4,
  denseUnits: 8,
});
const training = (overrides: TrainingConfigInput = {}) =>
  TrainingConfigSchema.parse({ epochs: 2, batchSize: 8, learningRate: 0.01, seed: 5, ...overrides });

const withoutTimes = (history: EpochRecord[]) => history.map(({ seconds: _, ...rest }) => rest);

/** Trains until the end of `epoch`, then fails as a crash would, leaving that epoch's checkpoint. */
async function crashAfterEpoch(epoch: number, options: Parameters<typeof trainFold>[0]) {
  const crash = new Error('simulated crash');
  await expect(
    trainFold({
      ...options,
      onEpochEnd: (record) => {
        if (record.epoch === epoch) throw crash;
      },
    }),
  ).rejects.toBe(crash);
}
const weightsOf = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('trainFold', () => {
  it('learns the synthetic task in two epochs and reports every epoch', async () => {
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const result = await trainFold({
      model,
      training: training(),
      labels: LABELS,
      train,
      validation,
      fold: { index: 0, count: 2 },
      log: (line, kind) => lines.push(`${kind ?? 'plain'}: ${line}`),
    });
    const [first, second] = result.history;
    expect(result.history).toHaveLength(2);
    expect(second.loss).toBeLessThan(first.loss);
    expect(second.valLoss).toBeLessThan(first.valLoss as number);
    expect(second.valUa).toBeGreaterThan(1 / 3);
    expect(result.bestEpoch).toBe(2);
    expect(result.stoppedEarly).toBe(false);
    expect(lines[1]).toMatch(
      /^progress: fold 1\/2 epoch 2\/2 loss \d\.\d{4} acc \d\.\d{4} \| val loss \d\.\d{4} acc \d\.\d{4} UA \d\.\d{4} \| best so far, kept \| .+ s \| ETA ≤ .+ fold, ≤ .+ run$/,
    );
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('repeats exactly with the same seed and differs with another', async () => {
    const run = (seed: number) =>
      trainFold({ model, training: training({ seed }), labels: LABELS, train, validation });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(withoutTimes(a.history)).toEqual(withoutTimes(b.history));
    expect(weightsOf(a.model)).toEqual(weightsOf(b.model));
    expect(withoutTimes(c.history)).not.toEqual(withoutTimes(a.history));
    for (const result of [a, b, c]) result.model.dispose();
  });

  it('resumes an interrupted fold from its checkpoint to the same result as an uninterrupted one', async () => {
    const options = { model, training: training({ epochs: 3 }), labels: LABELS, train, validation };
    const uninterrupted = await trainFold(options);
    const checkpointDir = join(dir, 'resume');
    await crashAfterEpoch(2, { ...options, checkpointDir });
    expect((await readdir(checkpointDir)).sort()).toEqual(['epoch-2.bin', 'epoch-2.json', 'latest.json']);
    const lines: string[] = [];
    const resumed = await trainFold({ ...options, checkpointDir, log: (line) => lines.push(line) });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(lines[0]).toBe(`resumed after epoch 2 from ${checkpointDir}`);
    expect(withoutTimes(resumed.history)).toEqual(withoutTimes(uninterrupted.history));
    expect(weightsOf(resumed.model)).toEqual(weightsOf(uninterrupted.model));
    uninterrupted.model.dispose();
    resumed.model.dispose();
  });

  it('refuses to resume a checkpoint made with another configuration', async () => {
    const checkpointDir = join(dir, 'other-config');
    const first = await trainFold({
      model,
      training: training({ epochs: 1 }),
      labels: LABELS,
      train,
      checkpointDir,
    });
    first.model.dispose();
    await expect(
      trainFold({
        model,
        training: training({ epochs: 1, learningRate: 0.02 }),
        labels: LABELS,
        train,
        checkpointDir,
      }),
    ).rejects.toThrow(/^expected the checkpoint in .+ to come from this model, configuration and data/);
  });

  it('stops early when validation stops improving and restores the best epoch', async () => {
    // A learning rate far below float32 resolution leaves the weights, and so the validation loss, unchanged.
    const frozen = training({ epochs: 5, patience: 2, learningRate: 1e-20 });
    const lstm = resolveModelConfig({ architecture: 'lstm', units: [4], dropout: 0 });
    const result = await trainFold({ model: lstm, training: frozen, labels: LABELS, train, validation });
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(1);
    result.model.dispose();
  });

  it('rejects features that do not match their labels, with the expected and actual sizes', async () => {
    const broken = { ...train, features: train.features.subarray(1) };
    await expect(trainFold({ model, training: training(), labels: LABELS, train: broken })).rejects.toThrow(
      `expected train features of 48 × 8 × 4 = 1536 values, got 1535`,
    );
  });
});

describe('exampleLossWeights', () => {
  it('balances classes as n / (classes present · count), or weighs every example 1', () => {
    expect(exampleLossWeights([0, 0, 0, 1], undefined, 'balanced', null)).toEqual([4 / 6, 4 / 6, 4 / 6, 2]);
    expect(exampleLossWeights([0, 0, 0, 1], [0, 1, 1, 1], 'none', null)).toEqual([1, 1, 1, 1]);
    // The plain balance counts the whole training set, capped per group or not.
    expect(exampleLossWeights([0, 0, 0, 1], [0, 0, 0, 1], 'balanced', 1)).toEqual([4 / 6, 4 / 6, 4 / 6, 2]);
  });

  it('balances every label of every corpus as n / (cells · count) with balanced-per-corpus', () => {
    // Corpus 0: three of label 0; corpus 1: one of label 0, two of label 1. Three cells of 6 clips.
    const weights = exampleLossWeights([0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1], 'balanced-per-corpus', null);
    expect(weights).toEqual([6 / 9, 6 / 9, 6 / 9, 2, 1, 1]);
    expect(weights.reduce((a, b) => a + b) / weights.length).toBeCloseTo(1, 12);
    // Without groups it is the plain balance over labels.
    expect(exampleLossWeights([0, 0, 0, 1], undefined, 'balanced-per-corpus', null)).toEqual([
      4 / 6,
      4 / 6,
      4 / 6,
      2,
    ]);
  });

  it('counts what an epoch draws of each corpus when maxExamplesPerGroup caps it', () => {
    // Corpus 0: 8 clips of label 0, of which an epoch draws 4; corpus 1: 2 of label 0 and 2 of label 1, all drawn.
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const groups = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const weights = exampleLossWeights(labels, groups, 'balanced-per-corpus', 4);
    // An epoch of 8 clips in 3 cells: corpus 0's clips weigh 8 / (3 · 8 · ½), corpus 1's 8 / (3 · 2).
    expect(weights).toEqual([...new Array(8).fill(2 / 3), ...new Array(4).fill(4 / 3)]);
    // So the 4 clips drawn of corpus 0's cell weigh 8/3, as each of corpus 1's cells does.
    expect(4 * weights[0]).toBeCloseTo(2 * weights[8], 12);
  });
});

describe('crossValidate', () => {
  it('trains and evaluates each fold once, reading finished folds back on a restart', async () => {
    const checkpointDir = join(dir, 'folds');
    const evaluated: number[] = [];
    const options = {
      model,
      training: training({ epochs: 1 }),
      labels: LABELS,
      folds: 2,
      data: (fold: number) => ({ train: synthetic(24, 10 + fold), validation: synthetic(12, 20 + fold) }),
      evaluate: (_model: tfl.LayersModel, fold: number) => {
        evaluated.push(fold);
        return { fold, score: fold / 10 };
      },
      checkpointDir,
    };
    const first = await crossValidate(options);
    expect(first.map((outcome) => outcome.evaluation)).toEqual([
      { fold: 0, score: 0 },
      { fold: 1, score: 0.1 },
    ]);
    expect((await readdir(join(checkpointDir, 'fold-1'))).sort()).toEqual(['model', 'result.json']);
    const lines: string[] = [];
    const again = await crossValidate({ ...options, log: (line) => lines.push(line) });
    expect(again).toEqual(first);
    expect(evaluated).toEqual([0, 1]);
    expect(lines).toEqual([
      `fold 1/2 already done (${join(checkpointDir, 'fold-1', 'result.json')})`,
      `fold 2/2 already done (${join(checkpointDir, 'fold-2', 'result.json')})`,
    ]);
  });
});

describe('sweeps', () => {
  it('lists the full grid with labelled, applied settings', () => {
    const trials = sweepTrials(model, training(), {
      batchSize: [8, 16],
      optimizer: ['adam', 'sgd'],
      dropout: [0.1],
    });
    expect(trials.map((t) => t.label)).toEqual([
      'bs8-lr0.01-adam-do0.1',
      'bs8-lr0.01-sgd-do0.1',
      'bs16-lr0.01-adam-do0.1',
      'bs16-lr0.01-sgd-do0.1',
    ]);
    expect(trials[3].training).toMatchObject({ batchSize: 16, optimizer: 'sgd', learningRate: 0.01 });
    expect(trials[3].model).toMatchObject({ architecture: 'attention-blstm', dropout: 0.1 });
  });

  it('runs every trial and ranks them by validation UA', async () => {
    const trials = sweepTrials(model, training({ epochs: 1 }), { learningRate: [0.01, 1e-20] });
    const results = await runSweep({
      trials,
      labels: LABELS,
      train,
      validation,
      checkpointDir: join(dir, 'sweep'),
    });
    expect(results.map((r) => r.label).sort()).toEqual(trials.map((t) => t.label).sort());
    expect(results[0].valUa).toBeGreaterThanOrEqual(results[1].valUa as number);
    expect((await readdir(join(dir, 'sweep'))).sort()).toEqual(trials.map((t) => `${t.label}.json`).sort());
  });
});

describe('gatherBatch augmentation', () => {
  /** One example whose value at (frame t, dim d) is 1 + t · DIMS + d, so every cell is non-zero and traceable. */
  const ramp: FeatureSet = {
    features: Float32Array.from({ length: FRAMES * DIMS }, (_, i) => 1 + i),
    labels: [0],
    frames: FRAMES,
    dims: DIMS,
    bands: DIMS,
  };
  /** The ramp with its last two frames padding (zeros), as a fitted short clip ends. */
  const endPadded: FeatureSet = {
    ...ramp,
    features: ramp.features.map((value, i) => (Math.floor(i / DIMS) >= FRAMES - 2 ? 0 : value)),
  };
  const gather = (overrides: TrainingConfigInput, seed = 3) =>
    gatherBatch(ramp, [0], training(overrides), createRandom(seed)).features;

  it('copies the examples unchanged without augmentation', () => {
    expect(Array.from(gather({ noiseStd: 0 }))).toEqual(Array.from(ramp.features));
  });

  it('shifts whole frames by at most maxTimeShift and fills the gap with zeros', () => {
    const shifts = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const batch = gather({ noiseStd: 0, maxTimeShift: 2 }, seed);
      // The shift is where frame 0 of the source landed (or how many source frames were dropped).
      const firstValue = batch.find((value) => value !== 0) as number;
      const shift = batch.indexOf(firstValue) / DIMS - (firstValue - 1) / DIMS;
      shifts.add(shift);
      for (let i = 0; i < batch.length; i++) {
        const source = i - shift * DIMS;
        expect(batch[i]).toBe(source >= 0 && source < batch.length ? ramp.features[source] : 0);
      }
    }
    expect([...shifts].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it('crops a random stretch of the audio frames, at least minFrames long, and centres it in zeros', () => {
    // Audio in frames 1-6 of 8 (frames 0 and 7 are padding, as fitted short clips have).
    const padded: FeatureSet = {
      ...ramp,
      features: ramp.features.map((value, i) => (i < DIMS || i >= 7 * DIMS ? 0 : value)),
    };
    const lengths = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const batch = gatherBatch(
        padded,
        [0],
        training({ noiseStd: 0, randomCrop: { probability: 1, minFrames: 2 } }),
        createRandom(seed),
      ).features;
      const rows = Array.from({ length: FRAMES }, (_, t) =>
        Array.from(batch.subarray(t * DIMS, (t + 1) * DIMS)),
      );
      const kept = rows.map((row, t) => (row.some((value) => value !== 0) ? t : -1)).filter((t) => t >= 0);
      const length = kept.length;
      lengths.add(length);
      expect(kept).toEqual(Array.from({ length }, (_, k) => Math.floor((FRAMES - length) / 2) + k));
      // A contiguous run of source frames within the audio, in order.
      const sourceFrames = kept.map((t) => (rows[t][0] - 1) / DIMS);
      sourceFrames.forEach((frame, k) => {
        expect(frame).toBe(sourceFrames[0] + k);
        expect(frame).toBeGreaterThanOrEqual(1);
        expect(frame).toBeLessThanOrEqual(6);
      });
    }
    expect([...lengths].sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('zeroes whole frames for time masks and whole feature columns for feature masks', () => {
    const timeMasked = gather({ noiseStd: 0, specAugment: { timeMasks: 1, maxTimeMask: 3 } }, 11);
    for (let t = 0; t < FRAMES; t++) {
      const row = Array.from(timeMasked.subarray(t * DIMS, (t + 1) * DIMS));
      const expected = Array.from(ramp.features.subarray(t * DIMS, (t + 1) * DIMS));
      expect(row.every((value) => value === 0) || row.join() === expected.join()).toBe(true);
    }
    const masked = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const batch = gather({ noiseStd: 0, specAugment: { freqMasks: 2, maxFreqMask: 2 } }, seed);
      for (let d = 0; d < DIMS; d++) {
        const column = Array.from({ length: FRAMES }, (_, t) => batch[t * DIMS + d]);
        if (column.every((value) => value === 0)) masked.add(d);
        else expect(column).toEqual(Array.from({ length: FRAMES }, (_, t) => ramp.features[t * DIMS + d]));
      }
    }
    expect(masked.size).toBeGreaterThan(1);
  });

  it('adds one smooth, zero-mean equaliser curve to every frame that is not padding', () => {
    const eq = { probability: 1, maxTilt: 2, maxRipple: 0.5 };
    for (let seed = 0; seed < 20; seed++) {
      const curve = randomEqCurve(40, eq, createRandom(seed));
      expect(Math.abs(curve.reduce((sum, value) => sum + value, 0))).toBeLessThan(1e-9);
      // A tilt of ≤ ±2 over the band plus two ripples of ≤ 0.5 each: no band moves further than 2.
      for (const value of curve) expect(Math.abs(value)).toBeLessThanOrEqual(2 + 1e-9);
      // Smooth: neighbouring bands differ by far less than the curve's range.
      for (let d = 1; d < 40; d++) expect(Math.abs(curve[d] - curve[d - 1])).toBeLessThan(0.15);
    }
    const batch = gatherBatch(
      endPadded,
      [0],
      training({ noiseStd: 0, randomEq: eq }),
      createRandom(5),
    ).features;
    const added = Array.from({ length: DIMS }, (_, d) => batch[d] - endPadded.features[d]);
    expect(added.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    for (let t = 0; t < FRAMES; t++) {
      for (let d = 0; d < DIMS; d++) {
        const expected = t >= FRAMES - 2 ? 0 : endPadded.features[t * DIMS + d] + added[d];
        expect(batch[t * DIMS + d]).toBeCloseTo(expected, 4);
      }
    }
    const off = gatherBatch(
      endPadded,
      [0],
      training({ noiseStd: 0, randomEq: { ...eq, probability: 0 } }),
      createRandom(5),
    ).features;
    expect(Array.from(off)).toEqual(Array.from(endPadded.features));
  });

  it('recolours a copy of the batch for eqConsistency: a fresh curve on every clip, padding untouched, the same noise', () => {
    const eq = { probability: 0, maxTilt: 2, maxRipple: 0.5 };
    const { features, recoloured } = gatherBatch(
      endPadded,
      [0],
      training({ noiseStd: 0.1, randomEq: eq }),
      createRandom(5),
      undefined,
      true,
    );
    if (recoloured === null) throw new Error('expected a recoloured copy');
    const added = Array.from({ length: DIMS }, (_, d) => recoloured[d] - features[d]);
    expect(added.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    for (let t = 0; t < FRAMES; t++) {
      for (let d = 0; d < DIMS; d++) {
        const expected = t >= FRAMES - 2 ? 0 : added[d];
        expect(recoloured[t * DIMS + d] - features[t * DIMS + d]).toBeCloseTo(expected, 4);
      }
    }
    expect(gatherBatch(endPadded, [0], training({ randomEq: eq }), createRandom(5)).recoloured).toBeNull();
  });

  it('warps the bands of every frame that is not padding by one factor, keeping a factor of 1 as it was', () => {
    const row = Float32Array.of(0, 1, 2, 3, 4);
    const scratch = new Float32Array(5);
    warpBands(row, 1, scratch);
    expect(Array.from(row)).toEqual([0, 1, 2, 3, 4]);
    // Band d takes position 1.5 d: interpolated, then held at the top band.
    warpBands(row, 1.5, scratch);
    expect(Array.from(row)).toEqual([0, 1.5, 3, 4, 4]);
    const shrunk = Float32Array.of(0, 2, 4, 6);
    warpBands(shrunk, 0.5, new Float32Array(4));
    expect(Array.from(shrunk)).toEqual([0, 1, 2, 3]);

    const warp = { probability: 1, maxWarp: 0.2 };
    const batch = gatherBatch(
      endPadded,
      [0],
      training({ noiseStd: 0, randomWarp: warp }),
      createRandom(3),
    ).features;
    expect(Array.from(batch)).not.toEqual(Array.from(endPadded.features));
    for (let t = FRAMES - 2; t < FRAMES; t++) {
      expect(Array.from(batch.subarray(t * DIMS, (t + 1) * DIMS)).every((value) => value === 0)).toBe(true);
    }
    const off = gatherBatch(
      endPadded,
      [0],
      training({ noiseStd: 0, randomWarp: { ...warp, probability: 0 } }),
      createRandom(3),
    ).features;
    expect(Array.from(off)).toEqual(Array.from(endPadded.features));
  });

  it('bends and masks only the spectral bands, leaving the pitch columns after them as they were', () => {
    const bands = DIMS - 2;
    const withPitch: FeatureSet = { ...ramp, bands };
    const pitchColumns = (batch: Float32Array) =>
      Array.from({ length: FRAMES }, (_, t) => Array.from(batch.subarray(t * DIMS + bands, (t + 1) * DIMS)));
    for (let seed = 0; seed < 10; seed++) {
      const batch = gatherBatch(
        withPitch,
        [0],
        training({
          noiseStd: 0,
          randomEq: { probability: 1, maxTilt: 2, maxRipple: 0.5 },
          randomWarp: { probability: 1, maxWarp: 0.2 },
          specAugment: { freqMasks: 2, maxFreqMask: 3 },
        }),
        createRandom(seed),
      ).features;
      expect(pitchColumns(batch)).toEqual(pitchColumns(ramp.features));
      expect(Array.from(batch.subarray(0, bands))).not.toEqual(Array.from(ramp.features.subarray(0, bands)));
    }
  });

  it('draws the same augmentation from the same seed', () => {
    const options = {
      maxTimeShift: 3,
      specAugment: { timeMasks: 2, maxTimeMask: 2, freqMasks: 1, maxFreqMask: 1 },
    };
    expect(Array.from(gather(options, 9))).toEqual(Array.from(gather(options, 9)));
    expect(Array.from(gather(options, 9))).not.toEqual(Array.from(gather(options, 10)));
  });
});

describe("loss over each corpus's own labels", () => {
  it('renormalises the probabilities over the allowed labels', () => {
    const probabilities = tf.tensor2d([
      [0.5, 0.3, 0.2],
      [0.5, 0.3, 0.2],
    ]);
    const targets = tf.tensor2d([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    const mask = Float32Array.of(1, 1, 0, 1, 1, 1);
    const loss = Array.from(crossEntropyOver(probabilities, targets, mask).dataSync());
    expect(loss[0]).toBeCloseTo(-Math.log(0.5 / 0.8), 5);
    expect(loss[1]).toBeCloseTo(-Math.log(0.5), 5);
    expect(Array.from(crossEntropyOver(probabilities, targets, null).dataSync())[0]).toBeCloseTo(
      -Math.log(0.5),
      5,
    );
  });

  it("allows each example its group's labels, and any label its (mixed) target holds", () => {
    const set: FeatureSet = {
      features: new Float32Array(4 * FRAMES * DIMS),
      labels: [0, 1, 1, 2],
      groups: [0, 0, 1, 1],
      frames: FRAMES,
      dims: DIMS,
      bands: DIMS,
    };
    const groups = labelsOfGroups(set, 4);
    expect(Array.from(groups.get(0) ?? [])).toEqual([1, 1, 0, 0]);
    expect(Array.from(groups.get(1) ?? [])).toEqual([0, 1, 1, 0]);
    const batch = {
      features: new Float32Array(0),
      // The second example is mixed with a partner labelled 3, which neither group has.
      targets: Float32Array.of(1, 0, 0, 0, 0, 0, 0.7, 0.3),
      exampleWeights: Float32Array.of(1, 1),
      labels: [0, 2],
    };
    expect(Array.from(allowedLabels(batch, [0, 1], groups))).toEqual([1, 1, 0, 0, 0, 1, 1, 1]);
  });

  it('trains a fold with it, and asks for the groups', async () => {
    const grouped = { ...synthetic(24, 3), groups: Array.from({ length: 24 }, (_, i) => i % 2) };
    const trained = await trainFold({
      model,
      training: training({ epochs: 2, lossOverCorpusLabels: true }),
      labels: LABELS,
      train: grouped,
    });
    expect(trained.history.every((epoch) => Number.isFinite(epoch.loss))).toBe(true);
    trained.model.dispose();
    await expect(
      trainFold({
        model,
        training: training({ epochs: 1, lossOverCorpusLabels: true }),
        labels: LABELS,
        train: synthetic(24, 3),
      }),
    ).rejects.toThrow('lossOverCorpusLabels: expected the corpus (group) of every training clip, got none');
  });
});

describe('weight decay', () => {
  const kernelNorm = (trained: tfl.LayersModel) =>
    trained.trainableWeights
      .filter((weight) => /kernel(_\d+)?$/.test(weight.name))
      .reduce((sum, weight) => sum + tf.sum(tf.square(weight.read())).dataSync()[0], 0);

  it('shrinks the kernels, and leaves the loss it reports as the decayed objective', async () => {
    const plain = await trainFold({ model, training: training({ epochs: 3 }), labels: LABELS, train });
    const decayed = await trainFold({
      model,
      training: training({ epochs: 3, weightDecay: 0.05 }),
      labels: LABELS,
      train,
    });
    expect(kernelNorm(decayed.model)).toBeLessThan(0.8 * kernelNorm(plain.model));
    expect(decayed.history[0].loss).toBeGreaterThan(plain.history[0].loss);
    plain.model.dispose();
    decayed.model.dispose();
  });
});

describe('label smoothing', () => {
  it('moves ε of each target row to a uniform spread over the labels, keeping each row a distribution', () => {
    const targets = Float32Array.from([1, 0, 0, 0.7, 0.3, 0]);
    smoothTargets(targets, 3, 0.3);
    expect(Array.from(targets)).toEqual([0.8, 0.1, 0.1, 0.59, 0.31, 0.1].map((v) => expect.closeTo(v, 6)));
    const untouched = Float32Array.from([1, 0]);
    smoothTargets(untouched, 2, 0);
    expect(Array.from(untouched)).toEqual([1, 0]);
  });

  it('is refused with lossOverCorpusLabels, and outside [0, 1)', () => {
    const refusal = (settings: object) => TrainingConfigSchema.safeParse(settings).error?.issues[0]?.message;
    expect(refusal({ labelSmoothing: 0.1, lossOverCorpusLabels: true })).toMatch(
      /^expected labelSmoothing without lossOverCorpusLabels/,
    );
    expect(refusal({ labelSmoothing: 1 })).toMatch(/expected number to be <1/i);
  });
});

describe('mixBatch', () => {
  const features = Float32Array.from([0, 0, 10, 10, 20, 20]);
  const labels = [0, 1, 2];
  const weights = [1, 2, 4];

  it("gives one-hot targets and the examples' weights without mixup, and the features untouched", () => {
    const batch = mixBatch(features, labels, weights, 3, 0, createRandom(1));
    expect(batch.features).toBe(features);
    expect(Array.from(batch.targets)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(batch.exampleWeights)).toEqual([1, 2, 4]);
  });

  it("keeps each example's own weight, not its class's", () => {
    const batch = mixBatch(Float32Array.from([0, 0, 1, 1]), [0, 0], [0.5, 2], 3, 0, createRandom(1));
    expect(Array.from(batch.exampleWeights)).toEqual([0.5, 2]);
  });

  it('blends each example with a partner by the same λ ≥ ½ in features, targets and weights', () => {
    for (let seed = 0; seed < 20; seed++) {
      const batch = mixBatch(features, labels, weights, 3, 0.4, createRandom(seed));
      for (let i = 0; i < labels.length; i++) {
        const lambda = batch.targets[i * 3 + labels[i]];
        const row = Array.from(batch.targets.subarray(i * 3, i * 3 + 3));
        expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
        expect(lambda).toBeGreaterThanOrEqual(0.5 - 1e-6);
        // The partner is the other non-zero target (or the example itself when λ took all of it).
        const partner = row.findIndex((value, k) => k !== labels[i] && value > 0);
        const other = partner < 0 ? i : partner;
        const expected = lambda * features[i * 2] + (1 - lambda) * features[other * 2];
        expect(batch.features[i * 2]).toBeCloseTo(expected, 4);
        expect(batch.exampleWeights[i]).toBeCloseTo(lambda * weights[i] + (1 - lambda) * weights[other], 5);
      }
      expect(batch.labels).toEqual(labels);
    }
  });
});

describe('trainFold with mixup', () => {
  it('still learns the synthetic task', async () => {
    const trained = await trainFold({
      model,
      training: training({ epochs: 4, mixupAlpha: 0.4 }),
      labels: LABELS,
      train,
      validation,
    });
    expect(trained.history.at(-1)?.valAcc).toBeGreaterThan(0.6);
    trained.model.dispose();
  });
});

describe('per-group sampling', () => {
  const grouped: FeatureSet = {
    ...synthetic(30, 3),
    groups: Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1)),
  };

  it('draws at most maxExamplesPerGroup of each group, anew from each generator', () => {
    const first = epochExamples(grouped, 6, createRandom(1));
    expect(first.filter((i) => i < 20)).toHaveLength(6);
    expect(first.filter((i) => i >= 20)).toHaveLength(6);
    expect(epochExamples(grouped, 6, createRandom(1))).toEqual(first);
    expect(epochExamples(grouped, 6, createRandom(2))).not.toEqual(first);
  });

  it('keeps every example of a group smaller than the cap, and everything without a cap or groups', () => {
    expect(epochExamples(grouped, 15, createRandom(1)).filter((i) => i >= 20)).toHaveLength(10);
    expect(epochExamples(grouped, null, createRandom(1))).toHaveLength(30);
    expect(epochExamples(synthetic(9, 1), 2, createRandom(1))).toHaveLength(9);
  });

  it('trains an epoch on the drawn examples only', async () => {
    const trained = await trainFold({
      model,
      training: training({ epochs: 1, maxExamplesPerGroup: 4 }),
      labels: LABELS,
      train: grouped,
    });
    expect(trained.history).toHaveLength(1);
    trained.model.dispose();
  });
});

describe('learning-rate schedule', () => {
  it('holds constant, or falls on a half cosine from the rate to a twentieth of it', () => {
    const constant = training({ epochs: 5, learningRate: 0.01 });
    expect([1, 3, 5].map((epoch) => learningRateAt(constant, epoch))).toEqual([0.01, 0.01, 0.01]);
    const cosine = training({ epochs: 5, learningRate: 0.01, learningRateSchedule: 'cosine' });
    expect(learningRateAt(cosine, 1)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(cosine, 3)).toBeCloseTo((0.01 + 0.0005) / 2, 12);
    expect(learningRateAt(cosine, 5)).toBeCloseTo(0.0005, 12);
  });
});

describe('augmented variants', () => {
  const base = synthetic(6, 4);
  const variant = base.features.map((x) => x + 100);

  it('reads an example from the original or from the variant the sources name', () => {
    const size = FRAMES * DIMS;
    const sources = Uint8Array.of(0, 1, 0, 0, 0, 1);
    const batch = gatherBatch(
      { ...base, variants: [variant] },
      [0, 1, 5],
      training({ noiseStd: 0 }),
      createRandom(1),
      sources,
    ).features;
    expect(Array.from(batch.subarray(0, size))).toEqual(Array.from(base.features.subarray(0, size)));
    expect(Array.from(batch.subarray(size, 2 * size))).toEqual(Array.from(variant.subarray(size, 2 * size)));
    expect(Array.from(batch.subarray(2 * size))).toEqual(Array.from(variant.subarray(5 * size, 6 * size)));
  });

  it('refuses variants of another shape', async () => {
    await expect(
      trainFold({
        model,
        training: training(),
        labels: LABELS,
        train: { ...base, variants: [new Float32Array(3)] },
      }),
    ).rejects.toThrow(`expected train variant 1 to have ${6 * FRAMES * DIMS} values, got 3`);
  });

  it('keeps the last weights with keep: last, however validation goes', async () => {
    const trained = await trainFold({
      model,
      training: training({ epochs: 3, keep: 'last', patience: 1 }),
      labels: LABELS,
      train,
      validation,
    });
    expect(trained.bestEpoch).toBe(3);
    expect(trained.stoppedEarly).toBe(false);
    trained.model.dispose();
  });
});

describe('weight averaging', () => {
  it('keeps a running mean equal to the mean of the added weights, and refuses another shape', () => {
    let average = addToAverage(null, [new Float32Array([1, 2]), new Float32Array([3])]);
    average = addToAverage(average, [new Float32Array([3, 6]), new Float32Array([0])]);
    average = addToAverage(average, [new Float32Array([5, 1]), new Float32Array([6])]);
    expect(average.steps).toBe(3);
    expect(Array.from(average.mean[0])).toEqual([3, 3]);
    expect(Array.from(average.mean[1])).toEqual([3]);
    expect(() => addToAverage(average, [new Float32Array(2)])).toThrow(
      'weight average: expected 2 weight arrays, got 1',
    );
    expect(() => addToAverage(average, [new Float32Array(3), new Float32Array(1)])).toThrow(
      'weight average: expected weight 0 to have 2 values, got 3',
    );
  });

  it("keeps the mean of the averaged epochs' steps", async () => {
    // One step per epoch (the batch holds every example), at a constant rate: a one-epoch run's weights are
    // the two-epoch run's weights after its first step.
    const trainFor = (overrides: TrainingConfigInput) =>
      trainFold({
        model,
        training: training({ batchSize: 48, keep: 'last', ...overrides }),
        labels: LABELS,
        train,
      });
    const first = await trainFor({ epochs: 1 });
    const second = await trainFor({ epochs: 2 });
    const lines: string[] = [];
    const averaged = await trainFold({
      model,
      training: training({ batchSize: 48, keep: 'last', epochs: 2, weightAverage: { lastEpochs: 2 } }),
      labels: LABELS,
      train,
      log: (line) => lines.push(line),
    });
    const expected = weightsOf(first.model).map((values, i) =>
      values.map((value, j) => (value + weightsOf(second.model)[i][j]) / 2),
    );
    weightsOf(averaged.model).forEach((values, i) => {
      for (const [j, value] of values.entries()) expect(value).toBeCloseTo(expected[i][j], 5);
    });
    expect(weightsOf(averaged.model)).not.toEqual(weightsOf(second.model));
    expect(lines.at(-1)).toBe('kept the mean of the weights over the last 2 steps (weightAverage)');
    for (const trained of [first, second, averaged]) trained.model.dispose();
  });

  it("recomputes BatchNorm's statistics for the averaged weights from the training clips", async () => {
    const lines: string[] = [];
    const trained = await trainFold({
      model: resolveModelConfig({ architecture: 'baseline', hiddenUnits: [] }),
      training: training({ batchSize: 48, keep: 'last', epochs: 2, weightAverage: { lastEpochs: 2 } }),
      labels: LABELS,
      train,
      log: (line) => lines.push(line),
    });
    expect(lines.at(-1)).toBe(
      'kept the mean of the weights over the last 2 steps (weightAverage), BatchNorm statistics recomputed for it over 1 batches',
    );
    // One batch of every training clip: the moving mean is those clips' mean at the BatchNorm's input.
    const norm = trained.model.layers.find((layer) => layer.getClassName() === 'BatchNormalization');
    if (norm === undefined) throw new Error('expected a BatchNormalization layer');
    const upstream = tfl.model({ inputs: trained.model.inputs, outputs: norm.input as tfl.SymbolicTensor });
    const expected = tf.tidy(() =>
      Array.from(
        tf
          .mean(
            upstream.predict(tf.tensor3d(train.features, [train.labels.length, FRAMES, DIMS])) as tf.Tensor,
            0,
          )
          .dataSync(),
      ),
    );
    const movingMean = norm.weights.find((weight) => weight.name.includes('moving_mean'))?.read();
    expect(Array.from(movingMean?.dataSync() ?? [])).toEqual(
      expected.map((value) => expect.closeTo(value, 4)),
    );
    trained.model.dispose();
  });

  it('resumes mid-average to the same weights as an uninterrupted run', async () => {
    const options = {
      model,
      training: training({ epochs: 3, keep: 'last', weightAverage: { lastEpochs: 2 } }),
      labels: LABELS,
      train,
      validation,
    };
    const uninterrupted = await trainFold(options);
    const checkpointDir = join(dir, 'resume-average');
    await crashAfterEpoch(2, { ...options, checkpointDir });
    const resumed = await trainFold({ ...options, checkpointDir });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(uninterrupted.model));
    uninterrupted.model.dispose();
    resumed.model.dispose();
  });

  it('is refused with early stopping or more epochs than the run has', () => {
    expect(() => training({ weightAverage: { lastEpochs: 1 } })).toThrow(
      "expected keep 'last' with weightAverage (the averaged weights are the kept ones), got keep 'best'",
    );
    expect(() => training({ keep: 'last', weightAverage: { lastEpochs: 3 } })).toThrow(
      'expected weightAverage.lastEpochs ≤ epochs (2), got 3',
    );
  });
});
