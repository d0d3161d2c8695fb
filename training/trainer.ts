import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { z } from 'zod';
import type { EpochRecordSchema } from '../core/contracts/run-record.ts';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import { type AdversarialModel, attachCorpusAdversary, reversalScaleAt } from './corpus-adversary.ts';
import { evaluate } from './evaluation/metrics.ts';
import type { FeatureSet } from './example-set.ts';
import { saveModel } from './model-io.ts';
import { buildModel, type ModelConfig } from './models/index.ts';
import { createRandom, type Random } from './random.ts';
import { smote } from './smote.ts';
import { pretrainFirstConvolution } from './sparse-autoencoder.ts';

export {
  type TrainingConfig,
  type TrainingConfigInput,
  TrainingConfigSchema,
} from '../core/contracts/training-config.ts';

/** One epoch of one fold, as stored in the run record (core/contracts/run-record.ts's EpochRecordSchema). */
export type EpochRecord = z.output<typeof EpochRecordSchema>;

export interface TrainFoldOptions {
  model: ModelConfig;
  training: TrainingConfig;
  /** Label order of the model's outputs. */
  labels: readonly string[];
  train: FeatureSet;
  /** For early stopping and best-weights restore; without it every epoch runs and the last weights are kept. */
  validation?: FeatureSet;
  /** Epoch checkpoints go here; a fold interrupted with the same inputs resumes from its last epoch. */
  checkpointDir?: string;
  /** Shown in progress lines: fold `index` (0-based) of `count`. */
  fold?: { index: number; count: number };
  log?: TrainingLog;
  /** Called after each epoch's checkpoint is written. */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

export interface TrainedFold {
  /** With the best epoch's weights restored. */
  model: tfl.LayersModel;
  history: EpochRecord[];
  /** The epoch whose weights the model has (1-based); 0 if no epoch scored a finite loss (initial weights). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training time in this process (excludes epochs done before a resume). */
  seconds: number;
  /** The last completed epoch found in the checkpoint, or null for a fresh start. */
  resumedFromEpoch: number | null;
}

/** Progress of early stopping, saved with every checkpoint. */
interface StoppingState {
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  /** Lower is better; null until an epoch scores a finite value. */
  bestScore: number | null;
  epochsWithoutImprovement: number;
}

const EPSILON = 1e-7;

/**
 * Where training reports: every line, and with `progress` an epoch's progress line, which a terminal may redraw
 * in place instead of scrolling (the next plain line keeps the last one).
 */
export type TrainingLog = (line: string, kind?: 'progress') => void;

/** Trains one model on `train`, early-stopping on `validation`. See TrainingConfigSchema for the details. */
export async function trainFold(options: TrainFoldOptions): Promise<TrainedFold> {
  const { training, labels, validation } = options;
  // Synthesised from the training side only; validation and test clips stay as recorded.
  const train =
    training.smote === null
      ? options.train
      : smote(options.train, training.smote, createRandom(epochSeed(training.seed, SMOTE_DRAW)));
  const numClasses = labels.length;
  checkFeatureSet('train', train, numClasses);
  if (validation != null) checkFeatureSet('validation', validation, numClasses, train);
  const log = options.log ?? (() => {});
  if (training.corpusAdversary != null && train.groups === undefined) {
    throw new Error('corpus adversary: expected the corpus (group) of every training clip, got none');
  }
  if (training.lossOverCorpusLabels && train.groups === undefined) {
    throw new Error('lossOverCorpusLabels: expected the corpus (group) of every training clip, got none');
  }
  const model = buildModel(options.model, [train.frames, train.dims], numClasses, training.seed);
  const adversary = withCorpusAdversary(model, train, training);
  // The weights trained, checkpointed and restored: the emotion model's, then the head's if there is one.
  const trained = adversary?.model ?? model;
  const optimizer = createOptimizer(training);
  // Passing the variables in a fixed order keeps the optimizer's slots aligned across checkpoints.
  const variables = trained.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const dropoutLayers = trained.layers.filter((layer) => layer.getClassName() === 'Dropout');
  const exampleWeights = classWeights(train.labels, numClasses, training.classWeights);
  const checkpoint = options.checkpointDir == null ? null : epochCheckpoints(options.checkpointDir);
  const fingerprint = fingerprintOf(options);

  let state: StoppingState = {
    epoch: 0,
    history: [],
    bestEpoch: 0,
    bestScore: null,
    epochsWithoutImprovement: 0,
  };
  const resumed = checkpoint == null ? null : await checkpoint.load(fingerprint);
  if (resumed == null && training.pretrainFirstConvolution !== null) {
    const history = pretrainFirstConvolution(
      model,
      train,
      training.pretrainFirstConvolution,
      createRandom(epochSeed(training.seed, PRETRAIN_DRAW)),
    );
    const last = history.at(-1);
    log(
      `${foldLabel(options)}sparse auto-encoder: first convolution pre-trained, reconstruction MSE ` +
        `${history[0]?.reconstruction.toFixed(4)} → ${last?.reconstruction.toFixed(4)}, mean activation ${last?.meanActivation.toFixed(3)}`,
    );
  }
  let best: Float32Array[] = snapshot(trained);
  if (resumed != null) {
    state = resumed.state;
    setWeights(trained, resumed.current);
    best = resumed.best;
    await optimizer.setWeights(resumed.optimizer);
    tf.dispose(resumed.optimizer.map(({ tensor }) => tensor));
    log(`${foldLabel(options)}resumed after epoch ${state.epoch} from ${options.checkpointDir}`);
  }

  const started = performance.now();
  let stoppedEarly = state.epochsWithoutImprovement >= training.patience;
  try {
    for (let epoch = state.epoch + 1; epoch <= training.epochs && !stoppedEarly; epoch++) {
      const epochStarted = performance.now();
      const random = createRandom(epochSeed(training.seed, epoch));
      // tfjs's optimizers read their (protected) learningRate at every step.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(training, epoch);
      if (adversary != null && training.corpusAdversary != null) {
        adversary.reversal.scale = reversalScaleAt(training.corpusAdversary, epoch, training.epochs);
      }
      const fit = runEpoch(
        trained,
        optimizer,
        variables,
        dropoutLayers,
        train,
        exampleWeights,
        training,
        random,
      );
      const scores = validation == null ? null : validate(model, validation, labels, training.batchSize);
      const record: EpochRecord = {
        epoch,
        loss: fit.loss,
        acc: fit.acc,
        valLoss: scores?.loss ?? null,
        valAcc: scores?.acc ?? null,
        valUa: scores?.ua ?? null,
        ...(fit.corpusAcc === undefined ? {} : { corpusAcc: fit.corpusAcc }),
        seconds: (performance.now() - epochStarted) / 1000,
      };
      // Lower is better for both monitors (UA is negated); without validation the last epoch is the best.
      const score =
        scores == null || training.keep === 'last'
          ? -epoch
          : training.monitor === 'val_loss'
            ? scores.loss
            : -scores.ua;
      // A diverged (NaN) epoch never counts as an improvement.
      const improved = Number.isFinite(score) && (state.bestScore == null || score < state.bestScore);
      state = {
        epoch,
        history: [...state.history, record],
        bestEpoch: improved ? epoch : state.bestEpoch,
        bestScore: improved ? score : state.bestScore,
        epochsWithoutImprovement: improved ? 0 : state.epochsWithoutImprovement + 1,
      };
      if (improved) best = snapshot(trained);
      stoppedEarly = state.epochsWithoutImprovement >= training.patience;
      if (checkpoint != null) {
        const slots = await optimizer.getWeights();
        await checkpoint.save(fingerprint, state, snapshot(trained), best, slots);
        // The slots are the optimizer's live variables, except for a fresh iteration-count scalar.
        tf.dispose(slots.map(({ tensor }) => tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
      }
      log(progressLine(options, record, improved && training.keep === 'best', state.history), 'progress');
      await options.onEpochEnd?.(record);
    }
  } catch (error) {
    trained.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  setWeights(trained, best);
  disposeCorpusHead(adversary, model);
  if (stoppedEarly) log(`${foldLabel(options)}stopped early; restored epoch ${state.bestEpoch}`);
  return {
    model,
    history: state.history,
    bestEpoch: state.bestEpoch,
    stoppedEarly,
    seconds: (performance.now() - started) / 1000,
    resumedFromEpoch: resumed == null ? null : resumed.state.epoch,
  };
}

/** The two-headed training model when the config asks for a corpus adversary, else null. */
function withCorpusAdversary(
  model: tfl.LayersModel,
  train: FeatureSet,
  training: TrainingConfig,
): AdversarialModel | null {
  if (training.corpusAdversary == null || train.groups === undefined) return null;
  const corpora = Math.max(...train.groups) + 1;
  return attachCorpusAdversary(model, corpora, training.corpusAdversary, training.seed);
}

/** Frees the head's own weights; the emotion model keeps its layers. */
function disposeCorpusHead(adversary: AdversarialModel | null, model: tfl.LayersModel) {
  if (adversary == null) return;
  const kept = new Set(model.weights.map((weight) => weight.id));
  for (const weight of adversary.model.weights) if (!kept.has(weight.id)) weight.dispose();
}

function checkFeatureSet(name: string, set: FeatureSet, numClasses: number, like?: FeatureSet) {
  const expected = set.labels.length * set.frames * set.dims;
  if (set.features.length !== expected) {
    throw new Error(
      `expected ${name} features of ${set.labels.length} × ${set.frames} × ${set.dims} = ${expected} values, got ${set.features.length}`,
    );
  }
  if (set.labels.length === 0) throw new Error(`expected at least one ${name} example, got 0`);
  const badVariant = (set.variants ?? []).findIndex((variant) => variant.length !== expected);
  if (badVariant >= 0) {
    throw new Error(
      `expected ${name} variant ${badVariant + 1} to have ${expected} values, got ${set.variants?.[badVariant].length}`,
    );
  }
  if (set.variants !== undefined && set.variants.length > 255) {
    throw new Error(`expected at most 255 ${name} variants, got ${set.variants.length}`);
  }
  if (set.groups !== undefined && set.groups.length !== set.labels.length) {
    throw new Error(
      `expected one ${name} group per example (${set.labels.length}), got ${set.groups.length}`,
    );
  }
  const bad = set.labels.findIndex((label) => !Number.isInteger(label) || label < 0 || label >= numClasses);
  if (bad >= 0)
    throw new Error(`expected ${name} labels in [0, ${numClasses}), got ${set.labels[bad]} at ${bad}`);
  if (like != null && (like.frames !== set.frames || like.dims !== set.dims)) {
    throw new Error(
      `expected ${name} features of [${like.frames}, ${like.dims}], got [${set.frames}, ${set.dims}]`,
    );
  }
}

function createOptimizer(training: TrainingConfig): tf.Optimizer {
  switch (training.optimizer) {
    case 'adam':
      return tf.train.adam(training.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(training.learningRate);
    case 'sgd':
      return tf.train.momentum(training.learningRate, 0.9);
  }
}

/** Per-class loss weights (see TrainingConfigSchema.classWeights); classes absent from training get 0. */
export function classWeights(
  labels: readonly number[],
  numClasses: number,
  mode: 'balanced' | 'none',
): number[] {
  if (mode === 'none') return new Array(numClasses).fill(1);
  const counts = new Array(numClasses).fill(0);
  for (const label of labels) counts[label]++;
  const present = counts.filter((count) => count > 0).length;
  return counts.map((count) => (count === 0 ? 0 : labels.length / (present * count)));
}

/** The examples of one epoch: all, or at most `perGroup` of each group drawn from the generator. */
export function epochExamples(set: FeatureSet, perGroup: number | null, random: Random): number[] {
  const all = set.labels.map((_, i) => i);
  if (perGroup === null || set.groups === undefined) return all;
  const byGroup = new Map<number, number[]>();
  for (const index of all) {
    const group = set.groups[index];
    byGroup.set(group, [...(byGroup.get(group) ?? []), index]);
  }
  const chosen: number[] = [];
  for (const group of [...byGroup.keys()].sort((a, b) => a - b)) {
    const members = byGroup.get(group) as number[];
    chosen.push(...(members.length <= perGroup ? members : random.shuffle(members).slice(0, perGroup)));
  }
  return chosen.sort((a, b) => a - b);
}

/** The learning rate of a (1-based) epoch under the configured schedule. */
export function learningRateAt(training: TrainingConfig, epoch: number): number {
  if (training.learningRateSchedule === 'constant' || training.epochs === 1) return training.learningRate;
  const floor = training.learningRate / 20;
  const progress = (epoch - 1) / (training.epochs - 1);
  return floor + (training.learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Each epoch gets its own generator, so a resumed run draws exactly what an uninterrupted one would. */
/** The draws SMOTE and pre-training take their generators from: epochs no epoch of training uses. */
const SMOTE_DRAW = 0;
const PRETRAIN_DRAW = -1;

function epochSeed(seed: number, epoch: number): number {
  return (seed ^ Math.imul(epoch, 0x9e3779b1)) >>> 0;
}

function runEpoch(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  dropoutLayers: tfl.layers.Layer[],
  train: FeatureSet,
  weights: number[],
  training: TrainingConfig,
  random: Random,
): { loss: number; acc: number; corpusAcc?: number } {
  const order = random.shuffle(epochExamples(train, training.maxExamplesPerGroup, random));
  const groupLabels = training.lossOverCorpusLabels ? labelsOfGroups(train, weights.length) : null;
  const variants = train.variants ?? [];
  const sources = new Uint8Array(train.labels.length);
  if (variants.length > 0) for (const index of order) sources[index] = random.int(variants.length + 1);
  let weightedLoss = 0;
  let correct = 0;
  let corpusCorrect = 0;
  const twoHeaded = model.outputs.length === 2;
  for (let start = 0; start < order.length; start += training.batchSize) {
    const indices = order.slice(start, start + training.batchSize);
    const batch = mixBatch(
      gatherBatch(train, indices, training, random, sources),
      indices.map((i) => train.labels[i]),
      weights,
      training.mixupAlpha,
      random,
    );
    // tfjs reuses a seeded dropout layer's seed for every call (one fixed mask), so draw a fresh one per batch.
    for (const layer of dropoutLayers) (layer as unknown as { seed: number }).seed = random.int(2 ** 31 - 1);
    const corpora = twoHeaded ? indices.map((i) => (train.groups as readonly number[])[i]) : null;
    const labelMask =
      groupLabels === null
        ? null
        : allowedLabels(
            batch,
            indices.map((i) => (train.groups as readonly number[])[i]),
            groupLabels,
          );
    const step = trainStep(model, optimizer, variables, batch, corpora, training, labelMask);
    weightedLoss += step.loss * indices.length;
    correct += step.hits;
    corpusCorrect += step.corpusHits;
  }
  const fit = { loss: weightedLoss / order.length, acc: correct / order.length };
  return twoHeaded ? { ...fit, corpusAcc: corpusCorrect / order.length } : fit;
}

/** A random equaliser curve over `dims` bands (see TrainingConfigSchema's `randomEq`), with mean 0. */
export function randomEqCurve(dims: number, eq: TrainingConfig['randomEq'], random: Random): Float64Array {
  const curve = new Float64Array(dims);
  const tilt = (2 * random.next() - 1) * eq.maxTilt;
  const ripples = [1, 2].map((order) => ({
    order,
    amplitude: (2 * random.next() - 1) * eq.maxRipple,
    phase: 2 * Math.PI * random.next(),
  }));
  for (let d = 0; d < dims; d++) {
    const position = dims > 1 ? d / (dims - 1) : 0.5;
    curve[d] = tilt * (position - 0.5);
    for (const { order, amplitude, phase } of ripples) {
      curve[d] += amplitude * Math.cos(Math.PI * order * position + phase);
    }
  }
  const mean = curve.reduce((sum, value) => sum + value, 0) / dims;
  for (let d = 0; d < dims; d++) curve[d] -= mean;
  return curve;
}

/**
 * The training batch of `indices` [count × frames × dims], augmented as the config says, in this order:
 * time shift, random equaliser, time masks, feature masks, then Gaussian noise. Deterministic given the
 * generator's state.
 */
export function gatherBatch(
  set: FeatureSet,
  indices: number[],
  augmentation: Pick<TrainingConfig, 'noiseStd' | 'maxTimeShift' | 'specAugment' | 'randomEq'>,
  random: Random,
  /** Per example: 0 reads `features`, k reads `variants[k − 1]`. */
  sources?: Uint8Array,
): Float32Array {
  const { frames, dims } = set;
  const size = frames * dims;
  const batch = new Float32Array(indices.length * size);
  const { maxTimeShift, specAugment, noiseStd, randomEq } = augmentation;
  indices.forEach((index, row) => {
    const from = sources?.[index] ? (set.variants?.[sources[index] - 1] ?? set.features) : set.features;
    const source = from.subarray(index * size, (index + 1) * size);
    const target = batch.subarray(row * size, (row + 1) * size);
    const shift = maxTimeShift > 0 ? random.int(2 * maxTimeShift + 1) - maxTimeShift : 0;
    if (shift >= 0) target.set(source.subarray(0, (frames - shift) * dims), shift * dims);
    else target.set(source.subarray(-shift * dims));
    if (randomEq.probability > 0 && random.next() < randomEq.probability) {
      const curve = randomEqCurve(dims, randomEq, random);
      for (let frame = 0; frame < frames; frame++) {
        const row = target.subarray(frame * dims, (frame + 1) * dims);
        // Padding (and the gap a shift leaves) is all zeros, the training mean: it stays what serving pads with.
        if (row.every((value) => value === 0)) continue;
        for (let d = 0; d < dims; d++) row[d] += curve[d];
      }
    }
    for (let mask = 0; mask < specAugment.timeMasks; mask++) {
      const width = Math.min(random.int(specAugment.maxTimeMask + 1), frames);
      const start = random.int(frames - width + 1);
      target.fill(0, start * dims, (start + width) * dims);
    }
    for (let mask = 0; mask < specAugment.freqMasks; mask++) {
      const width = Math.min(random.int(specAugment.maxFreqMask + 1), dims);
      const start = random.int(dims - width + 1);
      for (let frame = 0; frame < frames; frame++) {
        target.fill(0, frame * dims + start, frame * dims + start + width);
      }
    }
  });
  if (noiseStd > 0) for (let i = 0; i < batch.length; i++) batch[i] += noiseStd * random.normal();
  return batch;
}

/** A training batch: inputs, soft targets [count × classes], per-example loss weights, dominant labels. */
export interface TrainingBatch {
  features: Float32Array;
  targets: Float32Array;
  exampleWeights: Float32Array;
  labels: number[];
}

/**
 * One-hot targets and class weights for `labels`; with `alpha` > 0, mixup (see TrainingConfigSchema): each
 * example blended with a random partner of the batch. `labels` stay the dominant (first) example's.
 */
export function mixBatch(
  features: Float32Array,
  labels: number[],
  classWeight: readonly number[],
  alpha: number,
  random: Random,
): TrainingBatch {
  const count = labels.length;
  const classes = classWeight.length;
  const size = features.length / count;
  const targets = new Float32Array(count * classes);
  const exampleWeights = new Float32Array(count);
  if (alpha === 0) {
    labels.forEach((label, i) => {
      targets[i * classes + label] = 1;
      exampleWeights[i] = classWeight[label];
    });
    return { features, targets, exampleWeights, labels };
  }
  const partners = random.shuffle(labels.map((_, i) => i));
  const mixed = new Float32Array(features.length);
  labels.forEach((label, i) => {
    const draw = random.beta(alpha, alpha);
    const lambda = Math.max(draw, 1 - draw);
    const partner = partners[i];
    for (let j = 0; j < size; j++) {
      mixed[i * size + j] = lambda * features[i * size + j] + (1 - lambda) * features[partner * size + j];
    }
    targets[i * classes + label] += lambda;
    targets[i * classes + labels[partner]] += 1 - lambda;
    exampleWeights[i] = lambda * classWeight[label] + (1 - lambda) * classWeight[labels[partner]];
  });
  return { features: mixed, targets, exampleWeights, labels };
}

/**
 * Per-example cross-entropy of `probabilities` [count × classes] against soft `targets`; with `mask`, over the
 * labels it marks: −Σ t·log p + log Σ_allowed p, the softmax renormalised over them.
 */
export function crossEntropyOver(
  probabilities: tf.Tensor,
  targets: tf.Tensor,
  mask: Float32Array | null,
): tf.Tensor {
  const crossEntropy = tf.neg(tf.sum(tf.mul(targets, tf.log(tf.clipByValue(probabilities, EPSILON, 1))), -1));
  if (mask === null) return crossEntropy;
  const allowed = tf.tensor2d(mask, probabilities.shape as [number, number]);
  const mass = tf.sum(tf.mul(probabilities, allowed), -1);
  return tf.add(crossEntropy, tf.log(tf.clipByValue(mass, EPSILON, 1)));
}

/** Per group (corpus): 1 for each label among its training clips, 0 for the others. */
export function labelsOfGroups(set: FeatureSet, numClasses: number): Map<number, Uint8Array> {
  const byGroup = new Map<number, Uint8Array>();
  set.labels.forEach((label, index) => {
    const group = (set.groups as readonly number[])[index];
    let present = byGroup.get(group);
    if (present === undefined) {
      present = new Uint8Array(numClasses);
      byGroup.set(group, present);
    }
    present[label] = 1;
  });
  return byGroup;
}

/**
 * The labels each example of a batch is scored over [count × classes]: its group's, plus any label its target
 * puts weight on (mixup's partner may come from another corpus).
 */
export function allowedLabels(
  batch: TrainingBatch,
  groups: readonly number[],
  groupLabels: ReadonlyMap<number, Uint8Array>,
): Float32Array {
  const count = batch.labels.length;
  const classes = batch.targets.length / count;
  const mask = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) {
    const own = groupLabels.get(groups[i]);
    for (let c = 0; c < classes; c++) {
      mask[i * classes + c] = own?.[c] === 1 || batch.targets[i * classes + c] > 0 ? 1 : 0;
    }
  }
  return mask;
}

/**
 * One optimizer step; returns the batch's mean weighted loss and its numbers of correct predictions. With a
 * corpus head (`corpora`: each example's corpus), its cross-entropy joins the loss; the gradient reversal in
 * the model turns it against the emotion model's representation.
 */
function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  batch: TrainingBatch,
  corpora: number[] | null,
  training: TrainingConfig,
  /** With `lossOverCorpusLabels`: the labels each example's cross-entropy is taken over (allowedLabels). */
  labelMask: Float32Array | null,
): { loss: number; hits: number; corpusHits: number } {
  const [frames, dims] = model.inputs[0].shape.slice(1) as [number, number];
  const count = batch.labels.length;
  return tf.tidy(() => {
    const x = tf.tensor3d(batch.features, [count, frames, dims]);
    const truth = tf.tensor1d(batch.labels, 'int32');
    const targets = tf.tensor2d(batch.targets, [count, batch.targets.length / count]);
    const exampleWeights = tf.tensor1d(batch.exampleWeights);
    let hits: tf.Tensor | undefined;
    let corpusHits: tf.Tensor | undefined;
    let emotionLoss: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const outputs = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      const probabilities = Array.isArray(outputs) ? outputs[0] : outputs;
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), truth), 'int32')));
      const crossEntropy = crossEntropyOver(probabilities, targets, labelMask);
      let loss = tf.mean(tf.mul(crossEntropy, exampleWeights)) as tf.Scalar;
      if (Array.isArray(outputs) && corpora !== null) {
        const corpusProbabilities = outputs[1];
        const corpusTruth = tf.tensor1d(corpora, 'int32');
        const corpusTargets = tf.oneHot(corpusTruth, corpusProbabilities.shape[1] as number);
        const corpusLoss = tf.mean(
          tf.neg(tf.sum(tf.mul(corpusTargets, tf.log(tf.clipByValue(corpusProbabilities, EPSILON, 1))), -1)),
        );
        corpusHits = tf.keep(
          tf.sum(tf.cast(tf.equal(tf.argMax(corpusProbabilities, -1), corpusTruth), 'int32')),
        );
        // The reported loss stays the emotion loss, comparable with runs without the head.
        emotionLoss = tf.keep(loss);
        loss = tf.add(loss, corpusLoss);
      }
      if (training.weightDecay === 0) return loss;
      const penalty = tf.addN(variables.filter(isKernel).map((kernel) => tf.sum(tf.square(kernel))));
      return tf.add(loss, tf.mul(penalty, training.weightDecay)) as tf.Scalar;
    }, variables);
    optimizer.applyGradients(training.clipNorm == null ? grads : clipByGlobalNorm(grads, training.clipNorm));
    const result = {
      loss: (emotionLoss ?? value).dataSync()[0],
      hits: (hits as tf.Tensor).dataSync()[0],
      corpusHits: corpusHits?.dataSync()[0] ?? 0,
    };
    tf.dispose([hits, corpusHits, emotionLoss].filter((tensor) => tensor !== undefined));
    return result;
  });
}

/** Kernels are the weights weight decay applies to: `dense/kernel`, `conv1d/kernel`, `lstm/recurrent_kernel`, … */
function isKernel(variable: tf.Variable): boolean {
  return /kernel(_\d+)?$/.test(variable.name);
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const norm = Math.sqrt(
    Object.values(grads).reduce((sum, g) => sum + tf.sum(tf.square(g)).dataSync()[0], 0),
  );
  if (norm <= maxNorm) return grads;
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, maxNorm / norm)]));
}

/** Validation loss (unweighted cross-entropy), accuracy and UA, predicted without dropout or noise. */
function validate(
  model: tfl.LayersModel,
  set: FeatureSet,
  labels: readonly string[],
  batchSize: number,
): { loss: number; acc: number; ua: number } {
  const probabilities = predictProbabilities(model, set, batchSize);
  const numClasses = labels.length;
  const predicted: number[] = [];
  let loss = 0;
  set.labels.forEach((label, i) => {
    const row = probabilities.subarray(i * numClasses, (i + 1) * numClasses);
    loss -= Math.log(Math.max(row[label], EPSILON));
    predicted.push(row.indexOf(Math.max(...row)));
  });
  const metrics = evaluate(labels, set.labels, predicted);
  return { loss: loss / set.labels.length, acc: metrics.wa, ua: metrics.ua };
}

/** Class probabilities [count × classes] row-major, predicted batch by batch. */
export function predictProbabilities(
  model: tfl.LayersModel,
  set: FeatureSet,
  batchSize: number,
): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor3d(set.features, [set.labels.length, set.frames, set.dims]);
    return (model.predict(x, { batchSize }) as tf.Tensor).dataSync() as Float32Array;
  });
}

function snapshot(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => weight.dataSync().slice() as Float32Array);
}

function setWeights(model: tfl.LayersModel, values: Float32Array[]) {
  const current = model.getWeights();
  const tensors = values.map((value, i) => tf.tensor(value, current[i].shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

function foldLabel(options: TrainFoldOptions): string {
  return options.fold == null ? '' : `fold ${options.fold.index + 1}/${options.fold.count} `;
}

/** One epoch's line: scores, whether its weights are now the ones kept (early stopping), time and ETA. */
function progressLine(options: TrainFoldOptions, record: EpochRecord, kept: boolean, history: EpochRecord[]) {
  const { epochs } = options.training;
  const f = (value: number | null) => (value == null ? '–' : value.toFixed(4));
  const perEpoch = history.reduce((sum, r) => sum + r.seconds, 0) / history.length;
  const foldLeft = (epochs - record.epoch) * perEpoch;
  const foldsLeft = options.fold == null ? 0 : options.fold.count - options.fold.index - 1;
  const validation =
    record.valLoss == null
      ? ''
      : ` | val loss ${f(record.valLoss)} acc ${f(record.valAcc)} UA ${f(record.valUa)}`;
  return (
    `${foldLabel(options)}epoch ${record.epoch}/${epochs} loss ${f(record.loss)} acc ${f(record.acc)}` +
    `${validation}${record.corpusAcc === undefined ? '' : ` | corpus acc ${f(record.corpusAcc)}`}` +
    `${kept ? ' | best so far, kept' : ''} | ${record.seconds.toFixed(1)} s` +
    ` | ETA ≤ ${duration(foldLeft)} fold, ≤ ${duration(foldLeft + foldsLeft * epochs * perEpoch)} run`
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** Identifies a fold's inputs, so a checkpoint is never resumed into a different run. */
function fingerprintOf(options: TrainFoldOptions): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([options.model, options.training, options.labels]));
  for (const set of [options.train, options.validation]) {
    if (set == null) continue;
    hash.update(JSON.stringify([set.frames, set.dims, set.labels, set.groups ?? null]));
    for (const data of [set.features, ...(set.variants ?? [])])
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** A named tensor, as optimizers' getWeights/setWeights exchange them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface LoadedCheckpoint {
  state: StoppingState;
  current: Float32Array[];
  best: Float32Array[];
  optimizer: NamedTensor[];
}

/**
 * Per-epoch checkpoints in `dir`: `epoch-N.json` (state and weight specs) + `epoch-N.bin` (current weights,
 * best weights, optimizer slots), then `latest.json` naming N is replaced atomically, then older epochs are
 * deleted. A crash mid-write leaves `latest.json` on the previous complete epoch.
 */
function epochCheckpoints(dir: string) {
  const latestPath = join(dir, 'latest.json');
  return {
    async save(
      fingerprint: string,
      state: StoppingState,
      current: Float32Array[],
      best: Float32Array[],
      optimizer: NamedTensor[],
    ) {
      await mkdir(dir, { recursive: true });
      const named = [
        ...current.map((values, i) => ({ name: `current/${i}`, tensor: tf.tensor1d(values) })),
        ...best.map((values, i) => ({ name: `best/${i}`, tensor: tf.tensor1d(values) })),
        ...optimizer.map(({ name, tensor }, i) => ({ name: `optimizer/${i}/${name}`, tensor })),
      ];
      const { data, specs } = await tf.io.encodeWeights(named);
      tf.dispose(named.slice(0, current.length + best.length).map(({ tensor }) => tensor));
      const base = `epoch-${state.epoch}`;
      await writeFile(join(dir, `${base}.bin`), new Uint8Array(data));
      await writeFile(join(dir, `${base}.json`), JSON.stringify({ fingerprint, state, specs }));
      await writeFile(`${latestPath}.tmp`, JSON.stringify({ epoch: state.epoch }));
      await rename(`${latestPath}.tmp`, latestPath);
      if (state.epoch > 1) {
        const previous = `epoch-${state.epoch - 1}`;
        await Promise.all([
          rm(join(dir, `${previous}.bin`), { force: true }),
          rm(join(dir, `${previous}.json`), { force: true }),
        ]);
      }
    },

    async load(fingerprint: string): Promise<LoadedCheckpoint | null> {
      const latest = await readFile(latestPath, 'utf8').catch(() => null);
      if (latest == null) return null;
      const base = `epoch-${(JSON.parse(latest) as { epoch: number }).epoch}`;
      const saved = JSON.parse(await readFile(join(dir, `${base}.json`), 'utf8')) as {
        fingerprint: string;
        state: StoppingState;
        specs: tf.io.WeightsManifestEntry[];
      };
      if (saved.fingerprint !== fingerprint) {
        throw new Error(
          `expected the checkpoint in ${dir} to come from this model, configuration and data (${fingerprint.slice(0, 12)}), got ${saved.fingerprint.slice(0, 12)}: delete the folder to start over`,
        );
      }
      const bytes = await readFile(join(dir, `${base}.bin`));
      const tensors = tf.io.decodeWeights(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        saved.specs,
      );
      const group = (prefix: string) =>
        saved.specs.filter((spec) => spec.name.startsWith(prefix)).map((spec) => tensors[spec.name]);
      const values = (prefix: string) =>
        group(prefix).map((tensor) => {
          const data = tensor.dataSync() as Float32Array;
          tensor.dispose();
          return data;
        });
      const optimizer = saved.specs
        .filter((spec) => spec.name.startsWith('optimizer/'))
        .map((spec) => ({ name: spec.name.split('/').slice(2).join('/'), tensor: tensors[spec.name] }));
      return { state: saved.state, current: values('current/'), best: values('best/'), optimizer };
    },
  };
}

/** A fold's data, produced on demand so only one fold's copies are in memory. */
export interface FoldData {
  train: FeatureSet;
  validation?: FeatureSet;
}

export interface CrossValidationOptions<E> {
  model: ModelConfig;
  training: TrainingConfig;
  labels: readonly string[];
  folds: number;
  data: (fold: number) => FoldData | Promise<FoldData>;
  /** Scores a fold's trained model (e.g. on its test speakers); the result must be JSON. */
  evaluate: (model: tfl.LayersModel, fold: number) => E | Promise<E>;
  /** `fold-K/` holds fold K's epoch checkpoints while it trains, then its model and `result.json`. */
  checkpointDir: string;
  log?: TrainingLog;
  /** Train only the folds this returns true for (0-based) and skip the rest (another process trains them). */
  include?: (fold: number) => boolean;
}

export interface FoldOutcome<E> {
  fold: number;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training seconds summed over the sessions this fold took. */
  seconds: number;
  evaluation: E;
}

/**
 * Trains and evaluates every fold (or those `include` picks). Finished folds are read back from `result.json`
 * instead of being retrained, and an unfinished fold resumes from its last epoch checkpoint, so an interrupted
 * run can simply be restarted, and processes that split the folds between them share their results.
 */
export async function crossValidate<E>(options: CrossValidationOptions<E>): Promise<FoldOutcome<E>[]> {
  const outcomes: FoldOutcome<E>[] = [];
  for (let fold = 0; fold < options.folds; fold++) {
    const foldDir = join(options.checkpointDir, `fold-${fold + 1}`);
    const resultPath = join(foldDir, 'result.json');
    const done = await readFile(resultPath, 'utf8').catch(() => null);
    if (done != null) {
      outcomes.push(JSON.parse(done) as FoldOutcome<E>);
      options.log?.(`fold ${fold + 1}/${options.folds} already done (${resultPath})`);
      continue;
    }
    if (options.include && !options.include(fold)) continue;
    const data = await options.data(fold);
    const epochsDir = join(foldDir, 'epochs');
    const trained = await trainFold({
      model: options.model,
      training: options.training,
      labels: options.labels,
      ...data,
      checkpointDir: epochsDir,
      fold: { index: fold, count: options.folds },
      log: options.log,
    });
    const evaluation = await options.evaluate(trained.model, fold);
    await saveModel(trained.model, join(foldDir, 'model'));
    trained.model.dispose();
    const outcome: FoldOutcome<E> = {
      fold,
      history: trained.history,
      bestEpoch: trained.bestEpoch,
      stoppedEarly: trained.stoppedEarly,
      seconds: trained.history.reduce((sum, record) => sum + record.seconds, 0),
      evaluation,
    };
    await writeFile(`${resultPath}.tmp`, `${JSON.stringify(outcome, null, 2)}\n`);
    await rename(`${resultPath}.tmp`, resultPath);
    await rm(epochsDir, { recursive: true, force: true });
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Values to try; each omitted axis keeps the base configuration's value. */
export interface SweepSpace {
  batchSize?: number[];
  learningRate?: number[];
  optimizer?: TrainingConfig['optimizer'][];
  dropout?: number[];
}

export interface SweepTrial {
  /** e.g. `bs32-lr0.001-adam-do0.3`, also its checkpoint folder name. */
  label: string;
  model: ModelConfig;
  training: TrainingConfig;
}

/** The full grid over `space` around the base configuration, in a fixed order. */
export function sweepTrials(model: ModelConfig, training: TrainingConfig, space: SweepSpace): SweepTrial[] {
  if (model.architecture === 'svm')
    throw new Error('sweep: expected a network to sweep, got an svm (it has no epochs)');
  const trials: SweepTrial[] = [];
  for (const batchSize of space.batchSize ?? [training.batchSize])
    for (const learningRate of space.learningRate ?? [training.learningRate])
      for (const optimizer of space.optimizer ?? [training.optimizer])
        for (const dropout of space.dropout ?? [model.dropout]) {
          trials.push({
            label: `bs${batchSize}-lr${learningRate}-${optimizer}-do${dropout}`,
            model: { ...model, dropout },
            training: { ...training, batchSize, learningRate, optimizer },
          });
        }
  return trials;
}

export interface SweepResult {
  label: string;
  model: ModelConfig;
  training: TrainingConfig;
  bestEpoch: number;
  /** Validation scores of the restored (best) epoch; null if no epoch scored a finite loss. */
  valUa: number | null;
  valLoss: number | null;
  seconds: number;
}

/**
 * Trains every trial on `train` and scores it on `validation`; returns the results best UA first (trials that
 * diverged last). With a
 * `checkpointDir`, finished trials are read back from `<label>.json` and an unfinished one resumes.
 */
export async function runSweep(options: {
  trials: SweepTrial[];
  labels: readonly string[];
  train: FeatureSet;
  validation: FeatureSet;
  checkpointDir?: string;
  log?: TrainingLog;
}): Promise<SweepResult[]> {
  const results: SweepResult[] = [];
  for (const trial of options.trials) {
    const resultPath =
      options.checkpointDir == null ? null : join(options.checkpointDir, `${trial.label}.json`);
    const done = resultPath == null ? null : await readFile(resultPath, 'utf8').catch(() => null);
    if (done != null) {
      results.push(JSON.parse(done) as SweepResult);
      continue;
    }
    const trained = await trainFold({
      model: trial.model,
      training: trial.training,
      labels: options.labels,
      train: options.train,
      validation: options.validation,
      checkpointDir: options.checkpointDir == null ? undefined : join(options.checkpointDir, trial.label),
      log: (line, kind) => options.log?.(`${trial.label} ${line}`, kind),
    });
    trained.model.dispose();
    const best = trained.history[trained.bestEpoch - 1];
    const result: SweepResult = {
      ...trial,
      bestEpoch: trained.bestEpoch,
      valUa: best?.valUa ?? null,
      valLoss: best?.valLoss ?? null,
      seconds: trained.history.reduce((sum, record) => sum + record.seconds, 0),
    };
    if (resultPath != null && options.checkpointDir != null) {
      await writeFile(resultPath, `${JSON.stringify(result, null, 2)}\n`);
      await rm(join(options.checkpointDir, trial.label), { recursive: true, force: true });
    }
    results.push(result);
  }
  return results.sort((a, b) => (b.valUa ?? -1) - (a.valUa ?? -1));
}
