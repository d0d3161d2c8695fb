/**
 * One fold trained: the model built from its config, the epochs (batches from batches.ts, the loss, optional
 * corpus adversary and corpus-label loss), early stopping or a fixed schedule, and epoch checkpoints
 * (epoch-checkpoints.ts) so an interrupted fold resumes. Cross-validation and sweeps call it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import { classWeights, epochExamples, gatherBatch, mixBatch, type TrainingBatch } from './batches.ts';
import { type AdversarialModel, attachCorpusAdversary, reversalScaleAt } from './corpus-adversary.ts';
import { allowedLabels, crossEntropyOver, EPSILON, labelsOfGroups } from './corpus-labels.ts';
import { epochCheckpoints, fingerprintOf } from './epoch-checkpoints.ts';
import { evaluate } from './evaluation/metrics.ts';
import { buildModel } from './models/index.ts';
import { createRandom, type Random } from './random.ts';
import { smote } from './smote.ts';
import { pretrainFirstConvolution } from './sparse-autoencoder.ts';
import { foldLabel, progressLine } from './training-progress.ts';
import type {
  EpochRecord,
  FeatureSet,
  StoppingState,
  TrainedFold,
  TrainFoldOptions,
} from './training-types.ts';
import { addToAverage, firstAveragedEpoch, type WeightAverage } from './weight-average.ts';

export {
  type TrainingConfig,
  type TrainingConfigInput,
  TrainingConfigSchema,
} from '../core/contracts/training-config.ts';

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
    averagedSteps: 0,
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
  let average: WeightAverage | null = null;
  const averageFrom = firstAveragedEpoch(training);
  if (resumed != null) {
    state = resumed.state;
    setWeights(trained, resumed.current);
    best = resumed.best;
    // With weight averaging under way, the checkpoint's kept weights are the running mean.
    if ((state.averagedSteps ?? 0) > 0) average = { mean: best, steps: state.averagedSteps ?? 0 };
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
        epoch >= averageFrom ? () => (average = addToAverage(average, snapshot(trained))) : null,
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
        averagedSteps: average?.steps ?? 0,
      };
      if (improved) best = average?.mean ?? snapshot(trained);
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
  if (average != null) {
    log(
      `${foldLabel(options)}kept the mean of the weights over the last ${average.steps} steps (weightAverage)`,
    );
  }
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
  if (set.teacherTargets !== undefined && set.teacherTargets.length !== set.labels.length * numClasses) {
    throw new Error(
      `expected ${name} teacher targets of ${set.labels.length} × ${numClasses} values, got ${set.teacherTargets.length}`,
    );
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
  /** Called after every optimizer step (weight averaging), or null. */
  afterStep: (() => void) | null,
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
    if (train.teacherTargets !== undefined && training.distillation !== null) {
      blendTeacherTargets(batch.targets, train.teacherTargets, indices, training.distillation.weight);
    }
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
    afterStep?.();
    weightedLoss += step.loss * indices.length;
    correct += step.hits;
    corpusCorrect += step.corpusHits;
  }
  const fit = { loss: weightedLoss / order.length, acc: correct / order.length };
  return twoHeaded ? { ...fit, corpusAcc: corpusCorrect / order.length } : fit;
}

/** Mixes each example's (one-hot) target row with its teachers' probabilities, `weight` of them, in place. */
export function blendTeacherTargets(
  targets: Float32Array,
  teacherTargets: Float32Array,
  indices: readonly number[],
  weight: number,
) {
  const classes = targets.length / indices.length;
  indices.forEach((example, row) => {
    for (let c = 0; c < classes; c++) {
      targets[row * classes + c] =
        (1 - weight) * targets[row * classes + c] + weight * teacherTargets[example * classes + c];
    }
  });
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
