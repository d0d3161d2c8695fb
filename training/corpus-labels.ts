/** A loss over each example's own corpus's labels (`training.lossOverCorpusLabels`). */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingBatch } from './batches.ts';
import type { FeatureSet } from './training-types.ts';

/** Probabilities are clipped here before a log, as in the trainer's loss. */
export const EPSILON = 1e-7;

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
