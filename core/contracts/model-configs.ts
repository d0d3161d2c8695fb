/**
 * Every network architecture's configuration (and the SVM's), in one module free of tfjs: the run-record
 * contract, the site and the configs' validation read them here; the builders (training/models/*.ts) take
 * their resolved values. Parsing fills in the defaults, so a parsed value is the resolved configuration a run
 * record stores.
 */
import { z } from 'zod';

/** The support-vector classifier (training/svm.ts) on utterance statistics. */
export const SvmConfigSchema = z.strictObject({
  kernel: z.enum(['linear', 'rbf']).default('rbf'),
  /** Soft-margin penalty. */
  c: z.number().positive().default(1),
  /** RBF width: k(x, y) = exp(−γ‖x − y‖²); null is 1 / features, scikit-learn's 'auto'. */
  gamma: z.number().positive().nullable().default(null),
  /** Stopping tolerance on the KKT violation. */
  tolerance: z.number().positive().default(1e-3),
  maxIterations: z.number().int().positive().default(100_000),
});

export type SvmConfig = z.output<typeof SvmConfigSchema>;

/**
 * The SVM as an experiment's `model` (training/svm-experiment.ts trains it in place of a network). `c` and `gamma`
 * may list candidates: each fold then chooses the pair with the best UA over `searchFolds` speaker-grouped folds of
 * its own training side (nested cross-validation: the test speakers play no part in the choice).
 */
export const SvmModelConfigSchema = SvmConfigSchema.extend({
  architecture: z.literal('svm'),
  c: z.union([z.number().positive(), z.array(z.number().positive()).min(1)]).default(1),
  gamma: z
    .union([z.number().positive().nullable(), z.array(z.number().positive().nullable()).min(1)])
    .default(null),
  /** Speaker groups of each fold's training side that choose among the candidates; unused with one pair. */
  searchFolds: z.number().int().min(2).default(5),
});

export type SvmModelConfig = z.output<typeof SvmModelConfigSchema>;

/** Hyper-parameters every stacked recurrent classifier (`lstm`, `blstm`) shares. */
export const stackedRecurrentFields = {
  /** Units of each stacked layer (per direction when bidirectional), bottom first. */
  units: z.array(z.number().int().positive()).min(1).default([64, 64]),
  /** Dropout rate between layers and before the output. */
  dropout: z.number().min(0).lt(1).default(0.3),
  /** Hidden dense layer before the output; 0 for none. */
  denseUnits: z.number().int().nonnegative().default(0),
};

/** Stacked unidirectional LSTMs; the last one's final output feeds the classifier. */
export const LstmConfigSchema = z.strictObject({
  architecture: z.literal('lstm'),
  ...stackedRecurrentFields,
});

export type LstmConfig = z.output<typeof LstmConfigSchema>;

/** Stacked bidirectional LSTMs; the last one's final outputs (both directions) feed the classifier. */
export const BlstmConfigSchema = z.strictObject({
  architecture: z.literal('blstm'),
  ...stackedRecurrentFields,
});

export type BlstmConfig = z.output<typeof BlstmConfigSchema>;

/**
 * BiLSTM with additive attention pooling over its states, concatenated with the last state of each direction
 * ("Emotion detection from speech using Bi-directional LSTM networks and attention mechanism in Keras").
 */
export const AttentionBlstmConfigSchema = z.strictObject({
  architecture: z.literal('attention-blstm'),
  /** Units per direction. */
  units: z.number().int().positive().default(64),
  /** Width of the tanh layer that scores each time step. */
  attentionUnits: z.number().int().positive().default(32),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type AttentionBlstmConfig = z.output<typeof AttentionBlstmConfigSchema>;

/** A Conv2D stack over the [frames × dims] feature map, global average pooling, then the classifier. */
export const CnnConfigSchema = z.strictObject({
  architecture: z.literal('cnn'),
  /** Filters of each Conv2D(3×3) → BatchNorm → MaxPool(2×2) block; each block halves frames and dims. */
  filters: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type CnnConfig = z.output<typeof CnnConfigSchema>;

/** An LSTM-with-attention branch and a CNN branch over the same features, concatenated, then dense layers. */
export const HybridConfigSchema = z.strictObject({
  architecture: z.literal('hybrid'),
  lstmUnits: z.number().int().positive().default(64),
  attentionUnits: z.number().int().positive().default(32),
  /** Filters of the CNN branch's Conv2D blocks (see cnn). */
  filters: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type HybridConfig = z.output<typeof HybridConfigSchema>;

/**
 * Conv1D front end pooling time by 2 per block (two blocks: 188 → 47 frames), then BiLSTM + attention pooling.
 * The recurrent part is the serving cost and it scales with time steps, so this is the likely serving model.
 */
export const CnnBlstmAttentionConfigSchema = z.strictObject({
  architecture: z.literal('cnn-blstm-attention'),
  /** Filters of each Conv1D → BatchNorm → MaxPool1D(2) block. */
  filters: z.array(z.number().int().positive()).min(1).default([64, 64]),
  kernelSize: z.number().int().positive().default(5),
  /** BiLSTM units per direction. */
  units: z.number().int().positive().default(64),
  attentionUnits: z.number().int().positive().default(32),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type CnnBlstmAttentionConfig = z.output<typeof CnnBlstmAttentionConfigSchema>;

/**
 * Classical baseline: utterance-level statistics (mean, std, min, max per feature), standardised by batch
 * normalisation, then logistic regression (no hidden units) or a small MLP.
 */
export const BaselineConfigSchema = z.strictObject({
  architecture: z.literal('baseline'),
  /** Hidden ReLU layers of the MLP; empty for logistic regression. */
  hiddenUnits: z.array(z.number().int().positive()).default([]),
  dropout: z.number().min(0).lt(1).default(0),
});

export type BaselineConfig = z.output<typeof BaselineConfigSchema>;

/** Every architecture's configuration, told apart by `architecture`. */
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

/** Fills in the defaults and validates; throws a ZodError naming the offending field. */
export function resolveModelConfig(input: ModelConfigInput): ModelConfig {
  return ModelConfigSchema.parse(input);
}
