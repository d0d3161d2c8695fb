/**
 * An experiment whose model is an SVM (seed paper 003's classical baseline): each clip becomes its utterance
 * statistics (mean, standard deviation, minimum and maximum of every feature over its frames, as the `baseline`
 * network's first layer computes them; with `per-speaker` normalisation, of its frames z-scored by its speaker's
 * statistics first, as the networks' inputs are), standardised with the training side's statistics, and each fold trains
 * a one-vs-rest SVM (training/svm.ts) on its training side and scores its test side as the networks' folds are
 * scored. Validation speakers are not used: the SVM has no epochs to choose.
 */
import type { FeatureMatrix } from '../core/audio/feature-set.ts';
import { applyNormalisation } from '../core/audio/normalise.ts';
import type { SvmModelConfig } from '../core/contracts/model-configs.ts';
import type { FoldMetrics } from '../core/contracts/run-record.ts';
import type { FoldOutcome } from './cross-validation.ts';
import { scoreTestFold } from './evaluation/metrics.ts';
import {
  type ExampleItem,
  type ExperimentConfig,
  type ExperimentData,
  normalisationOf,
  type splitFor,
} from './experiment.ts';
import { svmProbabilities, trainSvm } from './svm.ts';
import type { TrainingLog } from './training-types.ts';

/** Mean, standard deviation, minimum and maximum of each feature over the frames: 4 × dims values. */
export function utteranceStatistics(matrix: FeatureMatrix): Float64Array {
  const { data, frames, dims } = matrix;
  const out = new Float64Array(4 * dims);
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let squares = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < frames; t++) {
      const value = data[t * dims + d];
      sum += value;
      squares += value * value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    const mean = sum / Math.max(frames, 1);
    out[d] = mean;
    out[dims + d] = Math.sqrt(Math.max(squares / Math.max(frames, 1) - mean * mean, 0));
    out[2 * dims + d] = frames > 0 ? min : 0;
    out[3 * dims + d] = frames > 0 ? max : 0;
  }
  return out;
}

/**
 * Each clip's utterance statistics; with `per-speaker`, of its frames z-scored by its speaker's statistics over all
 * of their clips first. Those span every fold, so they are made once.
 */
export function svmInputs(
  items: readonly ExampleItem[],
  normalisation: ExperimentConfig['normalisation'],
): Float64Array[] {
  const bySpeaker = normalisation === 'per-speaker' ? normalisationOf({ normalisation }, items, []) : null;
  return items.map((item) =>
    utteranceStatistics(
      typeof bySpeaker === 'function' ? applyNormalisation(item.features, bySpeaker(item)) : item.features,
    ),
  );
}

/** Every fold of `split` with an SVM; returns the outcomes and the stored numbers of the last fold's machine. */
export function svmFolds(
  model: SvmModelConfig,
  data: ExperimentData,
  split: ReturnType<typeof splitFor>,
  normalisation: ExperimentConfig['normalisation'],
  log: TrainingLog,
): { outcomes: FoldOutcome<FoldMetrics>[]; parameters: number } {
  const statistics = svmInputs(data.items, normalisation);
  const classes = data.labels.length;
  let parameters = 0;
  const outcomes = split.folds.map((fold) => {
    const started = performance.now();
    // Both sides standardised with the training side's statistics, as the networks' inputs are.
    const train = [...fold.train, ...fold.validation];
    const width = statistics[0].length;
    const mean = new Float64Array(width);
    const spread = new Float64Array(width);
    for (const index of train) for (let j = 0; j < width; j++) mean[j] += statistics[index][j] / train.length;
    for (const index of train) {
      for (let j = 0; j < width; j++) spread[j] += (statistics[index][j] - mean[j]) ** 2 / train.length;
    }
    const standardise = (index: number) =>
      Float64Array.from(
        statistics[index],
        (value, j) => (value - mean[j]) / Math.max(Math.sqrt(spread[j]), 1e-8),
      );
    const label = (index: number) => data.labels.indexOf(data.items[index].canonical);
    const machine = trainSvm(train.map(standardise), train.map(label), classes, model);
    parameters = machine.binaries.reduce((sum, binary) => sum + binary.support.length, 0) * width + classes;
    const truth = fold.test.map(label);
    const probabilities = new Float32Array(fold.test.length * classes);
    fold.test.forEach((index, row) => {
      probabilities.set(svmProbabilities(machine, standardise(index)), row * classes);
    });
    const metrics = scoreTestFold(
      data.labels,
      truth,
      probabilities,
      split.protocol === 'leave-one-corpus-out',
    );
    log(
      `fold ${fold.index + 1}/${split.folds.length} test: UA ${(100 * metrics.ua).toFixed(1)} %, ` +
        `WA ${(100 * metrics.wa).toFixed(1)} % (${fold.test.length} clips, ${machine.binaries.map((b) => b.support.length).join('/')} support vectors)`,
    );
    return {
      fold: fold.index,
      history: [],
      bestEpoch: 0,
      stoppedEarly: false,
      seconds: (performance.now() - started) / 1000,
      evaluation: metrics,
    };
  });
  return { outcomes, parameters };
}
