/**
 * Sparse auto-encoder pre-training of a network's first convolution, as seed paper 003 initialised its CNN:
 * patches of the kernel's size are cut at random from the training side's (unlabelled) inputs, a one-hidden-layer
 * auto-encoder with as many sigmoid units as the convolution has filters learns to reconstruct them under a
 * sparsity penalty (the KL divergence of each unit's mean activation from a small target ρ, Ng's formulation),
 * and its encoder weights and biases become the convolution's kernel and bias. Training then fine-tunes them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SparseAutoencoderConfig } from '../core/contracts/training-config.ts';
import type { Random } from './random.ts';
import type { FeatureSet } from './training-types.ts';

/** Where a first convolution reads its input: `frames × dims` patches (Conv1D: all dims; Conv2D: a window). */
export interface PatchShape {
  frames: number;
  dims: number;
}

/** `count` random patches [count × frames·dims] of `set`'s inputs, frame-major as the convolution reads them. */
export function samplePatches(
  set: FeatureSet,
  shape: PatchShape,
  count: number,
  random: Random,
): Float32Array {
  const size = shape.frames * shape.dims;
  const examples = set.labels.length;
  if (shape.frames > set.frames || shape.dims > set.dims) {
    throw new RangeError(
      `sparse auto-encoder: expected patches within the ${set.frames} × ${set.dims} input, got ${shape.frames} × ${shape.dims}`,
    );
  }
  const out = new Float32Array(count * size);
  let made = 0;
  for (let attempt = 0; made < count && attempt < 20 * count; attempt++) {
    const example = random.int(examples);
    const frame = random.int(set.frames - shape.frames + 1);
    const dim = random.int(set.dims - shape.dims + 1);
    const patch = out.subarray(made * size, (made + 1) * size);
    let any = false;
    for (let t = 0; t < shape.frames; t++) {
      for (let d = 0; d < shape.dims; d++) {
        const value = set.features[(example * set.frames + frame + t) * set.dims + dim + d];
        patch[t * shape.dims + d] = value;
        any ||= value !== 0;
      }
    }
    if (any) made++;
  }
  if (made < count)
    throw new RangeError(`sparse auto-encoder: expected ${count} non-empty patches, found ${made}`);
  return out;
}

export interface SparseAutoencoder {
  /** Encoder weights [inputs × hidden] and biases [hidden]. */
  kernel: Float32Array;
  bias: Float32Array;
  /** Per epoch: mean reconstruction error (MSE per value) and mean hidden activation. */
  history: { reconstruction: number; meanActivation: number }[];
}

/** Trains the auto-encoder on `patches` [count × inputs] with `hidden` units, from `seed`. */
export function trainSparseAutoencoder(
  patches: Float32Array,
  inputs: number,
  hidden: number,
  config: SparseAutoencoderConfig,
  random: Random,
): SparseAutoencoder {
  const count = patches.length / inputs;
  const scale = Math.sqrt(6 / (inputs + hidden + 1));
  const uniform = (n: number) => Float32Array.from({ length: n }, () => (2 * random.next() - 1) * scale);
  // In tidy: the initial values are released once the variables hold copies of them.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(uniform(inputs * hidden), [inputs, hidden])),
    tf.variable(tf.zeros([hidden])),
    tf.variable(tf.tensor2d(uniform(hidden * inputs), [hidden, inputs])),
    tf.variable(tf.zeros([inputs])),
  ]);
  const optimizer = tf.train.adam(config.learningRate);
  const { sparsity: rho, sparsityWeight: beta, weightDecay: lambda } = config;
  const history: SparseAutoencoder['history'] = [];
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = random.shuffle(Array.from({ length: count }, (_, i) => i));
      let reconstruction = 0;
      let activation = 0;
      for (let start = 0; start < count; start += config.batchSize) {
        const rows = order.slice(start, start + config.batchSize);
        const batch = new Float32Array(rows.length * inputs);
        rows.forEach((row, i) => {
          batch.set(patches.subarray(row * inputs, (row + 1) * inputs), i * inputs);
        });
        const parts = tf.tidy(() => {
          const x = tf.tensor2d(batch, [rows.length, inputs]);
          let mse = 0;
          let mean = 0;
          optimizer.minimize(() => {
            const h = tf.sigmoid(tf.add(tf.matMul(x, w1), b1));
            const error = tf.mean(tf.square(tf.sub(tf.add(tf.matMul(h, w2), b2), x)));
            const rhoHat = tf.clipByValue(tf.mean(h, 0), 1e-6, 1 - 1e-6);
            const kl = tf.sum(
              tf.add(
                tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
                tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))),
              ),
            );
            const decay = tf.mul(lambda / 2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))));
            mse = error.dataSync()[0];
            mean = tf.mean(h).dataSync()[0];
            return tf.add(tf.add(error, tf.mul(beta, kl)), decay) as tf.Scalar;
          });
          return { mse, mean };
        });
        reconstruction += parts.mse * rows.length;
        activation += parts.mean * rows.length;
      }
      history.push({ reconstruction: reconstruction / count, meanActivation: activation / count });
    }
    return { kernel: w1.dataSync() as Float32Array, bias: b1.dataSync() as Float32Array, history };
  } finally {
    tf.dispose([w1, b1, w2, b2]);
    optimizer.dispose();
  }
}

/**
 * The model's first convolution (Conv1D over every feature, or Conv2D with one input channel), pre-trained as
 * above on `train`, its kernel and bias replaced by the encoder's; returns the auto-encoder's history.
 */
export function pretrainFirstConvolution(
  model: tfl.LayersModel,
  train: FeatureSet,
  config: SparseAutoencoderConfig,
  random: Random,
): SparseAutoencoder['history'] {
  const layer = model.layers.find((candidate) => ['Conv1D', 'Conv2D'].includes(candidate.getClassName()));
  if (layer === undefined) {
    throw new Error('sparse auto-encoder: expected a model with a Conv1D or Conv2D layer, got none');
  }
  const [kernel, bias] = layer.getWeights();
  const shape = kernel.shape as number[];
  if (shape.length === 4 && shape[2] !== 1) {
    throw new Error(`sparse auto-encoder: expected a Conv2D over one input channel, got ${shape[2]}`);
  }
  // Conv1D: [k, dims, filters], a patch is k frames of every feature; Conv2D: [kh, kw, 1, filters], a window.
  const patch: PatchShape = { frames: shape[0], dims: shape[1] };
  const filters = shape[shape.length - 1];
  const patches = samplePatches(train, patch, config.patches, random);
  const encoder = trainSparseAutoencoder(patches, patch.frames * patch.dims, filters, config, random);
  // [frames·dims × filters] in frame-major order is the kernel's own layout.
  const weights = [tf.tensor(encoder.kernel, shape), ...(bias ? [tf.tensor(encoder.bias, bias.shape)] : [])];
  layer.setWeights(weights);
  tf.dispose(weights);
  return encoder.history;
}
