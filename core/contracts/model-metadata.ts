import { z } from 'zod';

/**
 * The utterance front end's settings (core/audio/utterance.ts `UtteranceConfig`) as a model's metadata holds
 * them; an experiment config (training/experiment.ts) takes the same with defaults for every field.
 */
export const UtteranceConfigSchema = z.object({
  highPassHz: z.number().positive(),
  trimMarginSeconds: z.number().nonnegative(),
  // Models before `centre` existed subtracted per-band means.
  centre: z.enum(['per-band', 'overall']).default('per-band'),
  // Models before `spread` existed divided by the clip's own spread.
  spread: z.enum(['utterance', 'training-set']).default('utterance'),
  // Absent (every model before it, and `absolute`): the f0 column stays in semitones re 100 Hz.
  pitch: z.enum(['absolute', 'clip-relative']).optional(),
});

/** One headline score published with a model (metadata.json, GET /v1/models), with the protocol behind it. */
export const ModelMetricSchema = z.object({
  corpus: z.string().meta({ description: 'The corpus scored: with leave-one-corpus-out, the one held out.' }),
  protocol: z.string(),
  ua: z.number(),
  wa: z.number(),
  macroF1: z.number(),
  labels: z
    .array(z.string())
    .optional()
    .meta({
      description:
        'The labels scored, when fewer than the model answers over: with leave-one-corpus-out, those the held-out ' +
        "corpus shares with the training corpora (the same recipe trained without it); a guess's UA is one over " +
        'their number. ?labels= with them gets the answers scored here.',
    }),
});

export type ModelMetric = z.infer<typeof ModelMetricSchema>;

/**
 * `models/<id>/metadata.json`: everything the edge function needs to turn a clip into the model's input and
 * its output into named probabilities. Written by the trainer, read by the function and the site.
 */
/** Whose statistics z-score a model's inputs: its training set's, or each speaker's own (research only). */
export const NORMALISATION_SCOPES = ['training-set', 'per-speaker'] as const;

export const ModelMetadataSchema = z.object({
  /** Folder name under models/, also the `model` query value. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  /** Semantic version of this model's outputs (bumped when labels or features change). */
  version: z.string(),
  /** Architecture family, e.g. `attention-blstm`, `cnn`, `cnn-blstm-attention`, `hybrid`. */
  architecture: z.string(),
  /** Labels in the order of the model's output units. */
  labels: z.array(z.string()).min(2),
  /** Front end: the named feature set and its configuration (see core/audio/feature-set.ts). */
  features: z.object({
    set: z.string(),
    config: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    dims: z.number().int().positive(),
  }),
  /**
   * The utterance front end (core/audio/utterance.ts): high-pass, standardisation over the clip's own
   * speech frames, leading and trailing non-speech cut. Null (models before it): features go straight to
   * `normalisation`.
   */
  utterance: UtteranceConfigSchema.nullable().default(null),
  /** Clips are cropped or zero-padded (centred) to this many frames before the model. */
  inputFrames: z.number().int().positive(),
  /** Per-feature normalisation computed on the training set: x' = (x - mean) / std. */
  normalisation: z.object({
    mean: z.array(z.number()),
    std: z.array(z.number()),
    /**
     * `per-speaker`: the model learned from inputs z-scored with each speaker's own statistics, so it cannot be
     * served from one clip (the model store refuses it); `mean` and `std` are then its training clips' pooled
     * statistics, for tools that only need inputs of the right scale.
     */
    scope: z.enum(NORMALISATION_SCOPES).default('training-set'),
  }),
  /** Name of the layer whose output is the attention weights over time, when the model has one. */
  attentionLayer: z.string().nullable(),
  parameters: z.number().int().nonnegative(),
  /** Headline metrics published with the model; each names the protocol that produced it. */
  metrics: z.array(ModelMetricSchema),
  createdAt: z.string(),
});

export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

/** `models/registry.json`: which models the function serves and which one is the default. */
export const ModelRegistrySchema = z
  .object({
    default: z.string(),
    models: z.array(z.string()).min(1),
  })
  .refine((registry) => registry.models.includes(registry.default), {
    message: 'expected the default model to be one of the listed models',
  });

export type ModelRegistry = z.infer<typeof ModelRegistrySchema>;
