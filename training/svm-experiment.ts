/**
 * An experiment whose model is an SVM (seed paper 003's classical baseline): each clip becomes its utterance
 * statistics (mean, standard deviation, minimum and maximum of every feature over its frames, as the `baseline`
 * network's first layer computes them; with `per-speaker` normalisation, of its frames z-scored by its speaker's
 * statistics first, as the networks' inputs are), standardised with the training side's statistics, and each fold
 * trains a one-vs-rest SVM (training/svm.ts) on its training side and scores its test side as the networks' folds are
 * scored. Validation speakers are not used: the SVM has no epochs to choose.
 */
import type { FeatureMatrix } from '../core/audio/feature-set.ts';
import { applyNormalisation } from '../core/audio/normalise.ts';
import type { SvmConfig, SvmModelConfig } from '../core/contracts/model-configs.ts';
import type { FoldMetrics } from '../core/contracts/run-record.ts';
import type { FoldOutcome } from './cross-validation.ts';
import { scoreTestFold } from './evaluation/metrics.ts';
import { speakerId } from './evaluation/splits.ts';
import {
  type ExampleItem,
  type ExperimentConfig,
  type ExperimentData,
  normalisationOf,
  type splitFor,
} from './experiment.ts';
import { createRandom } from './random.ts';
import { svmCandidates, svmProbabilities, svmValueText, trainSvm } from './svm.ts';
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

/** Standardises a row with the mean and (population) spread of each column over `rows`. */
export function standardiserOf(rows: readonly Float64Array[]): (row: Float64Array) => Float64Array {
  const width = rows[0].length;
  const mean = new Float64Array(width);
  const spread = new Float64Array(width);
  for (const row of rows) for (let j = 0; j < width; j++) mean[j] += row[j] / rows.length;
  for (const row of rows) for (let j = 0; j < width; j++) spread[j] += (row[j] - mean[j]) ** 2 / rows.length;
  return (row) =>
    Float64Array.from(row, (value, j) => (value - mean[j]) / Math.max(Math.sqrt(spread[j]), 1e-8));
}

const describeCandidate = (candidate: SvmConfig) =>
  `C = ${svmValueText(candidate.c)}${candidate.kernel === 'rbf' ? `, γ = ${svmValueText(candidate.gamma)}` : ''}`;

/**
 * The candidate with the best mean UA over `groups` speaker-grouped folds of the training rows (speakers dealt
 * round-robin after a seeded shuffle, whatever the outer protocol; at most one group per speaker), each inner
 * fold standardised with its own training rows' statistics; the first in grid order on a tie.
 */
export function chooseSvm(
  candidates: readonly SvmConfig[],
  rows: readonly Float64Array[],
  labels: readonly number[],
  speakers: readonly string[],
  classNames: readonly string[],
  groups: number,
  seed: number,
): { chosen: SvmConfig; scores: number[]; groups: number } {
  if (candidates.length === 1) return { chosen: candidates[0], scores: [], groups: 0 };
  const shuffled = createRandom(seed).shuffle([...new Set(speakers)].sort());
  const count = Math.min(groups, shuffled.length);
  if (count < 2) {
    throw new Error(`svm: expected at least 2 training speakers to choose C and γ, got ${shuffled.length}`);
  }
  const groupOf = new Map(shuffled.map((speaker, k) => [speaker, k % count]));
  const scores = candidates.map((candidate) => {
    let sum = 0;
    for (let group = 0; group < count; group++) {
      const inner = rows.map((_, i) => i).filter((i) => groupOf.get(speakers[i]) !== group);
      const held = rows.map((_, i) => i).filter((i) => groupOf.get(speakers[i]) === group);
      const standardise = standardiserOf(inner.map((i) => rows[i]));
      const machine = trainSvm(
        inner.map((i) => standardise(rows[i])),
        inner.map((i) => labels[i]),
        classNames.length,
        candidate,
      );
      const probabilities = new Float32Array(held.length * classNames.length);
      held.forEach((i, row) => {
        probabilities.set(svmProbabilities(machine, standardise(rows[i])), row * classNames.length);
      });
      sum += scoreTestFold(
        classNames,
        held.map((i) => labels[i]),
        probabilities,
        false,
      ).ua;
    }
    return sum / count;
  });
  return { chosen: candidates[scores.indexOf(Math.max(...scores))], scores, groups: count };
}

/** Every fold of `split` with an SVM; returns the outcomes and the stored numbers of the last fold's machine. */
export function svmFolds(
  model: SvmModelConfig,
  data: ExperimentData,
  split: ReturnType<typeof splitFor>,
  options: Pick<ExperimentConfig, 'normalisation' | 'seed'>,
  log: TrainingLog,
): {
  outcomes: FoldOutcome<FoldMetrics>[];
  parameters: number;
  /** Each fold's C (and γ), with the inner folds that chose it when there were candidates. */
  chosen: string[];
} {
  const statistics = svmInputs(data.items, options.normalisation);
  const candidates = svmCandidates(model);
  const chosen: string[] = [];
  const classes = data.labels.length;
  let parameters = 0;
  const outcomes = split.folds.map((fold) => {
    const started = performance.now();
    // Both sides standardised with the training side's statistics, as the networks' inputs are.
    const train = [...fold.train, ...fold.validation];
    const standardise = standardiserOf(train.map((index) => statistics[index]));
    const label = (index: number) => data.labels.indexOf(data.items[index].canonical);
    const rows = train.map((index) => standardise(statistics[index]));
    const choice = chooseSvm(
      candidates,
      rows,
      train.map(label),
      train.map((index) => speakerId(data.items[index])),
      data.labels,
      model.searchFolds,
      options.seed,
    );
    if (candidates.length > 1) {
      const grid = candidates.map(
        (candidate, k) => `${describeCandidate(candidate)}: ${(100 * choice.scores[k]).toFixed(1)}`,
      );
      log(
        `fold ${fold.index + 1}/${split.folds.length} inner UA % ${grid.join('; ')} → ${describeCandidate(choice.chosen)}`,
      );
    }
    chosen.push(
      `${describeCandidate(choice.chosen)}${candidates.length > 1 ? ` (${choice.groups} inner folds)` : ''}`,
    );
    const machine = trainSvm(rows, train.map(label), classes, choice.chosen);
    parameters =
      machine.binaries.reduce((sum, binary) => sum + binary.support.length, 0) * rows[0].length + classes;
    const truth = fold.test.map(label);
    const probabilities = new Float32Array(fold.test.length * classes);
    fold.test.forEach((index, row) => {
      probabilities.set(svmProbabilities(machine, standardise(statistics[index])), row * classes);
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
  return { outcomes, parameters, chosen };
}
