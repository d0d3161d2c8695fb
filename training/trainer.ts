/**
 * One fold trained: the model built from its config, the epochs (train-step.ts: batches, the loss, optional
 * corpus adversary, corpus-label loss and teachers' targets), early stopping, a fixed schedule or weight
 * averaging, and epoch checkpoints (epoch-checkpoints.ts) so an interrupted fold resumes. Cross-validation and
 * sweeps call it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import { exampleLossWeights } from './batches.ts';
import { type AdversarialModel, attachCorpusAdversary, reversalScaleAt } from './corpus-adversary.ts';
import { EPSILON } from './corpus-labels.ts';
import { epochCheckpoints, fingerprintOf } from './epoch-checkpoints.ts';
import { evaluate } from './evaluation/metrics.ts';
import { buildModel } from './models/index.ts';
import { createRandom } from './random.ts';
import { smote } from './smote.ts';
import { pretrainFirstConvolution } from './sparse-autoencoder.ts';
import { runEpoch } from './train-step.ts';
import { foldLabel, progressLine } from './training-progress.ts';
import type {
  EpochRecord,
  FeatureSet,
  StoppingState,
  TrainedFold,
  TrainFoldOptions,
} from './training-types.ts';
import {
  addToAverage,
  firstAveragedEpoch,
  recomputeBatchNorm,
  type WeightAverage,
} from './weight-average.ts';

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
  if (training.distillation !== null && train.teacherTargets === undefined) {
    throw new Error(
      `distillation: expected the teachers' targets for the training clips (${training.distillation.teachers.join(', ')}), got none`,
    );
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
  const lossWeights = exampleLossWeights(
    train.labels,
    train.groups,
    training.classWeights,
    training.maxExamplesPerGroup,
  );
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
        lossWeights,
        numClasses,
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
    const batches = recomputeBatchNorm(model, train, training.batchSize);
    log(
      `${foldLabel(options)}kept the mean of the weights over the last ${average.steps} steps (weightAverage)` +
        (batches > 0 ? `, BatchNorm statistics recomputed for it over ${batches} batches` : ''),
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
