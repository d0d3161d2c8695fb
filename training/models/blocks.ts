import * as tfl from '@tensorflow/tfjs-layers';
import { createRandom } from '../random.ts';

/** Name of the softmax layer whose output is the attention weights over time (see metadata.attentionLayer). */
export const ATTENTION_LAYER = 'attention_weights';

/** Name of the output layer (class probabilities). */
export const OUTPUT_LAYER = 'probabilities';

/**
 * Deterministic construction state for one model: the seeds for every initialiser and dropout layer, drawn
 * in build order from the model seed, and layer names numbered per model (tfjs's default names count across
 * the process, so the same model built twice would get different names in its files).
 */
export interface ModelBuilder {
  seed(): number;
  name(kind: string): string;
}

export function createModelBuilder(seed: number): ModelBuilder {
  const random = createRandom(seed);
  const counts = new Map<string, number>();
  return {
    seed: () => random.int(2 ** 31 - 1),
    name: (kind) => {
      const count = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, count);
      return `${kind}_${count}`;
    },
  };
}

export function glorot(builder: ModelBuilder): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed: builder.seed() });
}

export function dense(
  builder: ModelBuilder,
  units: number,
  activation: 'relu' | 'tanh' | 'softmax' | 'linear',
  options: { name?: string; useBias?: boolean } = {},
): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    activation,
    useBias: options.useBias ?? true,
    kernelInitializer: glorot(builder),
    name: options.name ?? builder.name('dense'),
  });
}

/**
 * Dropout with a seed, so model files are deterministic. tfjs reuses a fixed seed for every call (the same
 * mask on every step), so the trainer draws a fresh seed per batch (see trainer.ts).
 */
export function dropout(builder: ModelBuilder, rate: number): tfl.layers.Layer {
  return tfl.layers.dropout({ rate, seed: builder.seed(), name: builder.name('dropout') });
}

/**
 * LSTM arguments shared by every recurrent layer: sigmoid gates, tanh cell, no recurrent dropout (the fused
 * LSTM kernel needs exactly this). The recurrent kernel is Glorot rather than Keras's orthogonal: tfjs's
 * Orthogonal initialiser needs chained tensor methods that the Node build of tfjs-core lacks.
 */
function lstmArgs(builder: ModelBuilder, units: number, returnSequences: boolean, returnState: boolean) {
  return {
    units,
    returnSequences,
    returnState,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    unitForgetBias: true,
    kernelInitializer: glorot(builder),
    recurrentInitializer: glorot(builder),
  } as const;
}

export function lstm(
  builder: ModelBuilder,
  units: number,
  options: { returnSequences: boolean; returnState?: boolean },
): tfl.layers.Layer {
  return tfl.layers.lstm({
    ...lstmArgs(builder, units, options.returnSequences, options.returnState ?? false),
    name: builder.name('lstm'),
  });
}

/**
 * Applies a bidirectional LSTM (outputs concatenated). tfjs clones the wrapped layer's config for the
 * backward direction, seeds included, so both directions would start from identical weights: the backward
 * weights are replaced by those of a twin layer with seeds of its own. With `returnState` the result is
 * [sequence or last output, forward h, forward c, backward h, backward c].
 */
export function bidirectionalLstm(
  builder: ModelBuilder,
  input: tfl.SymbolicTensor,
  units: number,
  options: { returnSequences: boolean; returnState?: boolean },
): tfl.SymbolicTensor | tfl.SymbolicTensor[] {
  const returnState = options.returnState ?? false;
  const forward = tfl.layers.lstm({
    ...lstmArgs(builder, units, options.returnSequences, returnState),
    name: builder.name('lstm'),
  });
  const wrapper = tfl.layers.bidirectional({
    layer: forward as tfl.RNN,
    mergeMode: 'concat',
    name: builder.name('bidirectional'),
  });
  const output = wrapper.apply(input) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
  const twin = tfl.layers.lstm(lstmArgs(builder, units, options.returnSequences, returnState));
  twin.build(input.shape);
  const forwardWeights = wrapper.getWeights().slice(0, twin.getWeights().length);
  wrapper.setWeights([...forwardWeights, ...twin.getWeights()]);
  // The twin was built but never applied, so Layer.dispose refuses it: free its variables directly.
  for (const weight of twin.weights) weight.dispose();
  return output;
}

/**
 * Additive attention pooling over time (Bahdanau-style scores, as in "Emotion detection from speech using
 * Bi-directional LSTM networks and attention mechanism in Keras"), from built-in layers only so the files load
 * anywhere: score_t = v·tanh(W h_t + b) → softmax over t (layer `attention_weights`) → Σ_t α_t h_t.
 * Returns [batch, features].
 */
export function attentionPooling(
  builder: ModelBuilder,
  sequence: tfl.SymbolicTensor,
  attentionUnits: number,
): tfl.SymbolicTensor {
  const frames = sequence.shape[1];
  if (frames == null) throw new Error('expected a fixed number of frames for attention pooling, got null');
  const hidden = dense(builder, attentionUnits, 'tanh').apply(sequence) as tfl.SymbolicTensor;
  // A bias on the score would cancel in the softmax.
  const scores = dense(builder, 1, 'linear', { useBias: false }).apply(hidden) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: builder.name('flatten') }).apply(scores) as tfl.SymbolicTensor;
  const weights = tfl.layers.softmax({ name: ATTENTION_LAYER }).apply(flat) as tfl.SymbolicTensor;
  const column = tfl.layers
    .reshape({ targetShape: [frames, 1], name: builder.name('reshape') })
    .apply(weights) as tfl.SymbolicTensor;
  const pooled = tfl.layers.dot({ axes: 1, name: builder.name('dot') }).apply([column, sequence]);
  return tfl.layers.flatten({ name: builder.name('flatten') }).apply(pooled) as tfl.SymbolicTensor;
}

/** Dropout → Dense(relu) → Dropout → Dense(softmax) named `probabilities`; no hidden layer when units is 0. */
export function classifierHead(
  builder: ModelBuilder,
  input: tfl.SymbolicTensor,
  options: { denseUnits: number; dropout: number; numClasses: number },
): tfl.SymbolicTensor {
  let x = input;
  if (options.dropout > 0) x = dropout(builder, options.dropout).apply(x) as tfl.SymbolicTensor;
  if (options.denseUnits > 0) {
    x = dense(builder, options.denseUnits, 'relu').apply(x) as tfl.SymbolicTensor;
    if (options.dropout > 0) x = dropout(builder, options.dropout).apply(x) as tfl.SymbolicTensor;
  }
  return dense(builder, options.numClasses, 'softmax', { name: OUTPUT_LAYER }).apply(x) as tfl.SymbolicTensor;
}

/**
 * Per entry of `filters`: a ReLU convolution with 'same' padding → BatchNorm → max-pooling by 2, over time
 * ([frames, dims], `dimensions` 1) or over time and features ([frames, dims, channels], `dimensions` 2).
 */
export function convolutionStack(
  builder: ModelBuilder,
  input: tfl.SymbolicTensor,
  filters: readonly number[],
  options: { dimensions: 1 | 2; kernelSize: number },
): tfl.SymbolicTensor {
  const conv = options.dimensions === 1 ? 'conv1d' : 'conv2d';
  const pool = options.dimensions === 1 ? 'maxPooling1d' : 'maxPooling2d';
  let x = input;
  for (const count of filters) {
    x = tfl.layers[conv]({
      filters: count,
      kernelSize: options.kernelSize,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: glorot(builder),
      name: builder.name(conv),
    }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ name: builder.name('batch_normalization') })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers[pool]({
      poolSize: 2,
      name: builder.name(options.dimensions === 1 ? 'max_pooling1d' : 'max_pooling2d'),
    }).apply(x) as tfl.SymbolicTensor;
  }
  return x;
}
