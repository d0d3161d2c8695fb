import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture, ModelConfig } from '../../core/contracts/model-configs.ts';
import { buildAttentionBlstm } from './attention-blstm.ts';
import { buildBaseline } from './baseline.ts';
import { ATTENTION_LAYER, createModelBuilder, type ModelBuilder } from './blocks.ts';
import { buildBlstm } from './blstm.ts';
import { buildCnn } from './cnn.ts';
import { buildCnnBlstmAttention } from './cnn-blstm-attention.ts';
import { buildHybrid } from './hybrid.ts';
import { buildLstm } from './lstm.ts';

export {
  ARCHITECTURES,
  type Architecture,
  type ModelConfig,
  type ModelConfigInput,
  ModelConfigSchema,
  NETWORK_ARCHITECTURES,
  resolveModelConfig,
} from '../../core/contracts/model-configs.ts';
export { ATTENTION_LAYER, OUTPUT_LAYER } from './blocks.ts';

/** The serving budget: every model must stay below this many parameters. */
export const MAX_PARAMETERS = 1_000_000;

type Build<C> = (
  config: C,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
) => tfl.SymbolicTensor;

const builders: { [A in Architecture]: Build<Extract<ModelConfig, { architecture: A }>> } = {
  lstm: buildLstm,
  blstm: buildBlstm,
  'attention-blstm': buildAttentionBlstm,
  cnn: buildCnn,
  hybrid: buildHybrid,
  'cnn-blstm-attention': buildCnnBlstmAttention,
  baseline: buildBaseline,
  svm: () => {
    throw new Error('svm: not a network; runExperiment trains it by SMO (training/svm-experiment.ts)');
  },
};

/**
 * Builds the model for `config` over inputs of [frames, dims] features with a softmax over `numClasses`.
 * The same seed gives the same initial weights and the same layer names.
 */
export function buildModel(
  config: ModelConfig,
  inputShape: [frames: number, dims: number],
  numClasses: number,
  seed: number,
): tfl.LayersModel {
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`expected [frames, dims] as positive integers, got [${inputShape}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`expected at least 2 classes, got ${numClasses}`);
  }
  const builder = createModelBuilder(seed);
  const build = builders[config.architecture] as Build<ModelConfig>;
  let model: tfl.LayersModel | undefined;
  // Some initialisers leave intermediate tensors behind (LSTM's unit forget bias); variables survive tidy.
  tf.tidy(() => {
    const input = tfl.input({ shape: inputShape, name: 'features' });
    model = tfl.model({
      inputs: input,
      outputs: build(config, input, numClasses, builder),
      name: config.architecture,
    });
  });
  if (model == null) throw new Error(`expected a ${config.architecture} model to be built, got none`);
  const parameters = model.countParams();
  if (parameters >= MAX_PARAMETERS) {
    model.dispose();
    throw new Error(
      `expected fewer than ${MAX_PARAMETERS} parameters for ${config.architecture}, got ${parameters}`,
    );
  }
  return model;
}

/** The attention layer's name when the model has one (for metadata.attentionLayer), else null. */
export function attentionLayerName(model: tfl.LayersModel): string | null {
  return model.layers.some((layer) => layer.name === ATTENTION_LAYER) ? ATTENTION_LAYER : null;
}
