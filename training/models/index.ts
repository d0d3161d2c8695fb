import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { SvmModelConfigSchema } from '../svm.ts';
import { AttentionBlstmConfigSchema, buildAttentionBlstm } from './attention-blstm.ts';
import { BaselineConfigSchema, buildBaseline } from './baseline.ts';
import { ATTENTION_LAYER, createModelBuilder, type ModelBuilder } from './blocks.ts';
import { BlstmConfigSchema, buildBlstm } from './blstm.ts';
import { buildCnn, CnnConfigSchema } from './cnn.ts';
import { buildCnnBlstmAttention, CnnBlstmAttentionConfigSchema } from './cnn-blstm-attention.ts';
import { buildHybrid, HybridConfigSchema } from './hybrid.ts';
import { buildLstm, LstmConfigSchema } from './lstm.ts';

export { ATTENTION_LAYER, OUTPUT_LAYER } from './blocks.ts';

/**
 * Every architecture's configuration, told apart by `architecture`. Parsing fills in the defaults, so the
 * parsed value is the resolved configuration a run record stores.
 */
export const ModelConfigSchema = z.discriminatedUnion('architecture', [
  LstmConfigSchema,
  BlstmConfigSchema,
  AttentionBlstmConfigSchema,
  CnnConfigSchema,
  HybridConfigSchema,
  CnnBlstmAttentionConfigSchema,
  BaselineConfigSchema,
  SvmModelConfigSchema,
]);

/** A resolved model configuration (all defaults filled in). */
export type ModelConfig = z.output<typeof ModelConfigSchema>;
/** A model configuration as written by hand: `architecture` plus any fields to override. */
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;
export type Architecture = ModelConfig['architecture'];

export const ARCHITECTURES: readonly Architecture[] = ModelConfigSchema.options.map(
  (schema) => schema.shape.architecture.value,
);

/** The architectures that are networks (buildModel builds them): all but the SVM. */
export const NETWORK_ARCHITECTURES = ARCHITECTURES.filter(
  (architecture): architecture is Exclude<Architecture, 'svm'> => architecture !== 'svm',
);

/** The serving budget: every model must stay below this many parameters. */
export const MAX_PARAMETERS = 1_000_000;

/** Fills in the defaults and validates; throws a ZodError naming the offending field. */
export function resolveModelConfig(input: ModelConfigInput): ModelConfig {
  return ModelConfigSchema.parse(input);
}

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
