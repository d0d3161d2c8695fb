/**
 * One epoch of one fold: its examples drawn and shuffled, each batch gathered (augmented, mixed, taught by the
 * teachers' targets, smoothed) and one optimizer step taken on it, the corpus adversary's loss and the equaliser
 * consistency included when the config asks for them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import { epochExamples, gatherBatch, mixBatch, smoothTargets, type TrainingBatch } from './batches.ts';
import { allowedLabels, crossEntropyOver, EPSILON, labelsOfGroups } from './corpus-labels.ts';
import type { Random } from './random.ts';
import type { FeatureSet } from './training-types.ts';

export function runEpoch(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  dropoutLayers: tfl.layers.Layer[],
  train: FeatureSet,
  /** Each training example's loss weight (exampleLossWeights). */
  lossWeights: readonly number[],
  classes: number,
  training: TrainingConfig,
  random: Random,
  /** Called after every optimizer step (weight averaging), or null. */
  afterStep: (() => void) | null,
): { loss: number; acc: number; corpusAcc?: number } {
  const order = random.shuffle(epochExamples(train, training.maxExamplesPerGroup, random));
  const groupLabels = training.lossOverCorpusLabels ? labelsOfGroups(train, classes) : null;
  const variants = train.variants ?? [];
  const sources = new Uint8Array(train.labels.length);
  if (variants.length > 0) for (const index of order) sources[index] = random.int(variants.length + 1);
  let weightedLoss = 0;
  let correct = 0;
  let corpusCorrect = 0;
  const twoHeaded = model.outputs.length === 2;
  for (let start = 0; start < order.length; start += training.batchSize) {
    const indices = order.slice(start, start + training.batchSize);
    const gathered = gatherBatch(train, indices, training, random, sources, training.eqConsistency !== null);
    const batch = mixBatch(
      gathered.features,
      indices.map((i) => train.labels[i]),
      indices.map((i) => lossWeights[i]),
      classes,
      training.mixupAlpha,
      random,
    );
    if (train.teacherTargets !== undefined && training.distillation !== null) {
      blendTeacherTargets(batch.targets, train.teacherTargets, indices, training.distillation.weight);
    }
    smoothTargets(batch.targets, classes, training.labelSmoothing);
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
    const step = trainStep(
      model,
      optimizer,
      variables,
      batch,
      corpora,
      training,
      labelMask,
      gathered.recoloured,
    );
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
 * the model turns it against the emotion model's representation. With `recoloured`, the divergence between its
 * answers and the batch's joins it too. The loss returned leaves out the corpus head's loss and the consistency
 * term, so that it compares with runs without them; otherwise it is the whole objective, weight decay included.
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
  /** With eqConsistency: the batch recoloured (gatherBatch), whose answers should match the batch's. */
  recoloured: Float32Array | null,
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
      if (recoloured !== null && training.eqConsistency !== null) {
        const other = model.apply(tf.tensor3d(recoloured, [count, frames, dims]), { training: true }) as
          | tf.Tensor
          | tf.Tensor[];
        const divergence = symmetricDivergence(probabilities, Array.isArray(other) ? other[0] : other);
        emotionLoss ??= tf.keep(loss);
        loss = tf.add(loss, tf.mul(tf.mean(divergence), training.eqConsistency.weight));
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

/** Per row, the mean of the two KL divergences, ½ (KL(p ‖ q) + KL(q ‖ p)) = ½ Σ (p − q)(log p − log q), clipped. */
function symmetricDivergence(p: tf.Tensor, q: tf.Tensor): tf.Tensor {
  const logRatio = tf.sub(tf.log(tf.clipByValue(p, EPSILON, 1)), tf.log(tf.clipByValue(q, EPSILON, 1)));
  return tf.mul(tf.sum(tf.mul(tf.sub(p, q), logRatio), -1), 0.5);
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
