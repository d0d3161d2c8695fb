/**
 * Stochastic weight averaging (TrainingConfigSchema's `weightAverage`): a running mean of a model's weights over
 * optimizer steps, kept as plain arrays so that it is checkpointed with the fold like its best weights.
 */
import type { TrainingConfig } from '../core/contracts/training-config.ts';

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
