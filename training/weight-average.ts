/**
 * Stochastic weight averaging (TrainingConfigSchema's `weightAverage`): a running mean of a model's weights over
 * optimizer steps, kept as plain arrays so that it is checkpointed with the fold like its best weights, and the
 * BatchNorm statistics recomputed for the averaged network at the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import type { FeatureSet } from './training-types.ts';

export interface WeightAverage {
  /** Mean of every averaged step's weights, in the model's getWeights() order. */
  mean: Float32Array[];
  /** Steps averaged so far. */
  steps: number;
}

/** The first (1-based) epoch whose steps are averaged; Infinity when the config averages none. */
export function firstAveragedEpoch(training: TrainingConfig): number {
  return training.weightAverage === null
    ? Number.POSITIVE_INFINITY
    : training.epochs - training.weightAverage.lastEpochs + 1;
}

/** Adds one step's weights to `average` (none yet: null) in place and returns it. */
export function addToAverage(average: WeightAverage | null, weights: readonly Float32Array[]): WeightAverage {
  if (average === null) return { mean: weights.map((values) => values.slice()), steps: 1 };
  if (weights.length !== average.mean.length) {
    throw new Error(`weight average: expected ${average.mean.length} weight arrays, got ${weights.length}`);
  }
  const steps = average.steps + 1;
  weights.forEach((values, i) => {
    const mean = average.mean[i];
    if (values.length !== mean.length) {
      throw new Error(
        `weight average: expected weight ${i} to have ${mean.length} values, got ${values.length}`,
      );
    }
    for (let j = 0; j < mean.length; j++) mean[j] += (values[j] - mean[j]) / steps;
  });
  average.steps = steps;
  return average;
}

/** What a fixed schedule keeps, in words for run notes and model cards. */
export function keptWeightsPhrase(training: TrainingConfig): string {
  return training.weightAverage === null
    ? 'last weights kept'
    : `the mean of the weights over every step of the last ${training.weightAverage.lastEpochs} epochs kept`;
}

/**
 * SWA's last step (Izmailov et al. 2018): BatchNorm's moving statistics recomputed for the averaged weights, as the
 * running mean of the batch statistics over one pass of the training clips as recorded (no augmentation). The
 * average of the statistics each step's weights saw is not the statistics of the averaged network. Returns the
 * batches passed (0 without BatchNorm).
 */
export function recomputeBatchNorm(model: tfl.LayersModel, set: FeatureSet, batchSize: number): number {
  const layers = model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization') as unknown as {
    momentum: number;
  }[];
  if (layers.length === 0) return 0;
  const momenta = layers.map((layer) => layer.momentum);
  const size = set.frames * set.dims;
  let batches = 0;
  try {
    for (let start = 0; start < set.labels.length; start += batchSize) {
      const count = Math.min(batchSize, set.labels.length - start);
      batches++;
      // The k-th batch moves each statistic 1/k of the way: after the pass it is the mean over the batches.
      for (const layer of layers) layer.momentum = (batches - 1) / batches;
      tf.tidy(() => {
        const x = tf.tensor3d(set.features.subarray(start * size, (start + count) * size), [
          count,
          set.frames,
          set.dims,
        ]);
        model.apply(x, { training: true });
      });
    }
  } finally {
    layers.forEach((layer, i) => {
      layer.momentum = momenta[i];
    });
  }
  return batches;
}
