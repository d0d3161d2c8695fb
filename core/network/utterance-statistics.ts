import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Statistics per feature, in output order: [mean × dims, std × dims, min × dims, max × dims]. */
export const UTTERANCE_STATISTICS = ['mean', 'std', 'min', 'max'] as const;

/**
 * Utterance-level statistics of each feature over time: [batch, frames, dims] → [batch, 4 · dims]. A custom
 * layer, registered with tfjs serialization on import: whatever loads a baseline model file (Node, workerd,
 * browser) must import this module first. Zero-padded frames of short clips count as frames.
 */
export class UtteranceStatistics extends tfl.layers.Layer {
  static className = 'UtteranceStatistics';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, , dims] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [batch, dims == null ? null : UTTERANCE_STATISTICS.length * dims];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mean = tf.mean(x, 1);
      const variance = tf.mean(tf.square(tf.sub(x, tf.expandDims(mean, 1))), 1);
      // The epsilon keeps sqrt's gradient finite for constant features.
      const std = tf.sqrt(tf.add(variance, 1e-8));
      return tf.concat([mean, std, tf.min(x, 1), tf.max(x, 1)], -1);
    });
  }
}

tf.serialization.registerClass(UtteranceStatistics);
