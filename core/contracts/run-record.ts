import { z } from 'zod';
import { ModelConfigSchema } from './model-configs.ts';
import {
  type ModelMetadata,
  ModelMetadataSchema,
  NORMALISATION_SCOPES,
  UtteranceConfigSchema,
} from './model-metadata.ts';
import { TrainingConfigSchema } from './training-config.ts';
import { WaveformAugmentationSchema } from './waveform-augmentation.ts';

/*
 * The contract of `models/<id>/run.json` (reading and writing the files is training/run-record-files.ts):
 * everything about one training run, in the spirit of SpeechBrain's run records: the
 * resolved configuration and seed, the data and its splits, every fold's scores and learning curve, the
 * aggregate, and the machine it ran on. The site and the README tables are generated from these files, so
 * the schema is strict (unknown fields are errors) and versioned: a change of meaning bumps schemaVersion.
 */

const MeanStdSchema = z.strictObject({
  mean: z.number(),
  /** Sample standard deviation (n − 1) across folds; 0 for one fold. */
  std: z.number().nonnegative(),
  /** Number of folds summarised. */
  n: z.number().int().positive(),
});

/** Rows are true labels and columns predictions, both in `labels` order. */
const ConfusionSchema = z.strictObject({
  labels: z.array(z.string()).min(2),
  counts: z.array(z.array(z.number().int().nonnegative())),
});

/** One test set's scores, as training/evaluation/metrics.ts computes them. */
export const FoldMetricsSchema = z.strictObject({
  total: z.number().int().positive(),
  /** Weighted accuracy: plain accuracy over all test items. */
  wa: z.number().min(0).max(1),
  /** Unweighted accuracy: mean per-class recall over the classes present in the test set. */
  ua: z.number().min(0).max(1),
  macroF1: z.number().min(0).max(1),
  perClass: z.array(
    z.strictObject({
      label: z.string(),
      /** Null when the class was never predicted. */
      precision: z.number().nullable(),
      /** Null (as F1) when the class is absent from the test set. */
      recall: z.number().nullable(),
      f1: z.number().nullable(),
      support: z.number().int().nonnegative(),
      predicted: z.number().int().nonnegative(),
    }),
  ),
  confusion: ConfusionSchema,
});

/** One epoch of one fold. Validation fields are null without a validation set. */
export const EpochRecordSchema = z.strictObject({
  epoch: z.number().int().positive(),
  /** Mean class-weighted training loss over the epoch's batches (with dropout and noise on). */
  loss: z.number(),
  /** Training accuracy over the epoch's batches (with dropout and noise on). */
  acc: z.number(),
  /** Unweighted cross-entropy on the validation set. */
  valLoss: z.number().nullable(),
  valAcc: z.number().nullable(),
  /** Validation unweighted accuracy (mean per-class recall). */
  valUa: z.number().nullable(),
  /** How often the corpus-adversarial head named the training clip's corpus; absent without the head. */
  corpusAcc: z.number().optional(),
  seconds: z.number().nonnegative(),
});

export const EnvironmentSchema = z.strictObject({
  node: z.string(),
  /** e.g. `linux 6.1.0 x64`. */
  os: z.string(),
  cpu: z.strictObject({ model: z.string(), cores: z.number().int().positive() }),
  memoryGiB: z.number().positive(),
  backend: z.strictObject({
    name: z.enum(['tensorflow', 'wasm']),
    versions: z.strictObject({ tfjsCore: z.string(), tfjsLayers: z.string(), backend: z.string() }),
    simd: z.boolean().nullable(),
    threads: z.number().int().positive().nullable(),
    customKernels: z.array(z.string()),
    notes: z.array(z.string()),
  }),
  /** Null outside a git checkout. `dirty` means uncommitted changes: the revision alone does not reproduce it. */
  git: z.strictObject({ revision: z.string(), dirty: z.boolean() }).nullable(),
});

/**
 * What classifying one clip of the model's input size (`task.features.frames` frames) costs: the network's
 * forward pass at batch 1, feature extraction excluded (training/inference-cost.ts).
 */
export const InferenceCostSchema = z.strictObject({
  /** Multiply-accumulates of one forward pass, counted analytically from the layers (biases count as one). */
  macs: z.number().int().nonnegative(),
  /** Wall time of one forward pass in milliseconds, over `runs` timed passes after warm-up. */
  msPerClip: z.strictObject({ median: z.number().nonnegative(), p95: z.number().nonnegative() }),
  runs: z.number().int().positive(),
  /** tfjs backend and the kernels registered on it, e.g. `wasm 4.22.0, SIMD on, 1 thread; custom kernels: …`. */
  backend: z.string(),
  cpu: z.strictObject({ model: z.string(), cores: z.number().int().positive() }),
  node: z.string(),
  /** One-minute load average when the timing started: above the core count, other work competed for the CPU. */
  loadAverage: z.number().nonnegative(),
  measuredAt: z.iso.datetime({ offset: true }),
});

/** One held-out clip through the shipped model, with its attention over time (training/attention-examples.ts). */
export const AttentionExampleSchema = z.strictObject({
  corpus: z.string(),
  /** Path relative to the corpus folder, as in `data.skipped`. */
  clip: z.string(),
  /** `corpus:speaker`, as in `splits`. */
  speaker: z.string(),
  /** True label, one of `task.labels`. */
  label: z.string(),
  /** Duration of the clip in seconds. */
  seconds: z.number().positive(),
  /** The shipped model's output for the whole clip through the serving path, in `task.labels` order. */
  probabilities: z.array(z.number().min(0).max(1)).min(2),
  attention: z.strictObject({
    /** Centre of the first weight's input frames, in seconds from the start of the clip. */
    startSeconds: z.number(),
    /** Seconds per weight: one input frame, or several when the network pools time before attending. */
    stepSeconds: z.number().positive(),
    /** Weights of the attention steps that hold audio (padding-only steps are left out). */
    weights: z.array(z.number().min(0).max(1)).min(1),
  }),
  /** What the model saw, as a small picture: log-mel energies in dB, downsampled in time and frequency. */
  logMel: z.strictObject({
    /** Centre of the first column, in seconds from the start of the clip. */
    startSeconds: z.number(),
    /** Seconds per column. */
    frameSeconds: z.number().positive(),
    /** Centre frequency of each row in Hz, lowest first. */
    bandHz: z.array(z.number().nonnegative()).min(1),
    /** `db[row][column]`, rows as in `bandHz`, rounded to whole dB. */
    db: z.array(z.array(z.number().int())).min(1),
  }),
});

/** Example clips for models with an attention layer, drawn from speakers the shipped weights never trained on. */
export const AttentionExamplesSchema = z.strictObject({
  /** Name of the layer whose output the weights are (metadata.attentionLayer). */
  layer: z.string(),
  /**
   * `fold-1`: the shipped weights are fold 1's, the clips come from fold 1's test speakers. `all-speakers`: the
   * shipped weights saw every speaker but the validation ones (used for early stopping), the clips come from those.
   */
  weights: z.enum(['fold-1', 'all-speakers']),
  side: z.enum(['test', 'validation']),
  speakers: z.array(z.string()).min(1),
  /** Seed of the choice of labels and clips. */
  seed: z.number().int(),
  examples: z.array(AttentionExampleSchema).min(1),
});

/**
 * A fold's test clips scored through the serving path (training/evaluation/served-scores.ts: windows over each
 * clip's speech, aggregated as the API does) rather than one centred input per clip. Clips in which no window
 * finds speech would be refused as `no_speech`: they are counted, not scored.
 */
export const ServedScoresSchema = z.strictObject({
  ua: z.number().min(0).max(1),
  wa: z.number().min(0).max(1),
  macroF1: z.number().min(0).max(1),
  /** Clips answered (scored). */
  answered: z.number().int().nonnegative(),
  /** Clips the API would refuse as no_speech. */
  noSpeech: z.number().int().nonnegative(),
});

export const RunRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** The folder name under models/. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  createdAt: z.iso.datetime({ offset: true }),
  task: z.strictObject({
    /** Corpus id (e.g. `ravdess`); several joined with `+`. */
    corpus: z.string(),
    /** Evaluation protocol, e.g. `speaker-5fold`, `loso`: every number in this record belongs to it. */
    protocol: z.string(),
    /** True when no speaker appears on two sides of any fold. */
    speakerIndependent: z.boolean(),
    /** With `leave-one-corpus-out`: the corpus the model never trained on, which is the test side. */
    heldOutCorpus: z.string().optional(),
    /**
     * Whose statistics z-scored the inputs (metadata.json's `normalisation.scope`); absent in records before it,
     * which all used the training set's. `per-speaker` uses each test speaker's unlabelled clips, so its scores
     * assume a speaker's recordings are at hand and are not what one uploaded clip gets.
     */
    normalisation: z.enum(NORMALISATION_SCOPES).optional(),
    /** Output order of the model, and the order of every per-class list and confusion matrix here. */
    labels: z.array(z.string()).min(2),
    /** The front end, as in metadata.json. */
    features: z.strictObject({
      set: z.string(),
      config: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
      dims: z.number().int().positive(),
      /** Clips are cropped or zero-padded (centred) to this many frames. */
      frames: z.number().int().positive(),
      /** The utterance front end, as in metadata.json; absent or null in records before it. */
      utterance: UtteranceConfigSchema.nullable().optional(),
    }),
  }),
  /** Resolved configuration: with it, the seed and the same data, the run repeats exactly. */
  config: z.strictObject({
    model: ModelConfigSchema,
    training: TrainingConfigSchema,
    /** Waveform augmentation of the training clips; absent in records before it. */
    waveformAugmentation: WaveformAugmentationSchema.optional(),
  }),
  data: z.strictObject({
    /** sha256 over the sorted (file hash, label) pairs (training/evaluation/splits.ts). */
    datasetHash: z.string().regex(/^[0-9a-f]{64}$/),
    items: z.number().int().positive(),
    classCounts: z.array(z.strictObject({ label: z.string(), count: z.number().int().nonnegative() })),
    /** Files left out, with the corpus-relative path and why. */
    skipped: z.array(z.strictObject({ corpus: z.string(), file: z.string(), reason: z.string() })),
  }),
  splits: z.strictObject({
    /** Seed of the split (may differ from the training seed). */
    seed: z.number().int(),
    folds: z.array(
      z.strictObject({
        index: z.number().int().nonnegative(),
        /** Speaker IDs (`corpus:speaker`) on each side, sorted. */
        speakers: z.strictObject({
          train: z.array(z.string()),
          validation: z.array(z.string()),
          test: z.array(z.string()),
        }),
        counts: z.strictObject({
          train: z.number().int().nonnegative(),
          validation: z.number().int().nonnegative(),
          test: z.number().int().nonnegative(),
        }),
      }),
    ),
  }),
  folds: z
    .array(
      z.strictObject({
        index: z.number().int().nonnegative(),
        /** Scores on the fold's test side, with the best epoch's weights. */
        metrics: FoldMetricsSchema,
        history: z.array(EpochRecordSchema),
        /** The epoch whose weights were kept (1-based); 0 when none scored a finite loss. */
        bestEpoch: z.number().int().nonnegative(),
        stoppedEarly: z.boolean(),
        seconds: z.number().nonnegative(),
        /** The same fold model through the serving path; absent in records before it and for SVMs. */
        served: ServedScoresSchema.optional(),
      }),
    )
    .min(1),
  /** Mean ± sd over folds, per class over the folds where defined, and the confusion summed over folds. */
  summary: z.strictObject({
    folds: z.number().int().positive(),
    wa: MeanStdSchema,
    ua: MeanStdSchema,
    macroF1: MeanStdSchema,
    perClass: z.array(
      z.strictObject({
        label: z.string(),
        precision: MeanStdSchema.nullable(),
        recall: MeanStdSchema.nullable(),
        f1: MeanStdSchema.nullable(),
        support: z.number().int().nonnegative(),
      }),
    ),
    confusion: ConfusionSchema,
    /** Mean ± sd over folds of the serving-path scores, and the no_speech clips summed; absent without them. */
    served: z
      .strictObject({
        ua: MeanStdSchema,
        wa: MeanStdSchema,
        macroF1: MeanStdSchema,
        noSpeech: z.number().int().nonnegative(),
      })
      .optional(),
  }),
  parameters: z.number().int().positive(),
  environment: EnvironmentSchema,
  timings: z.strictObject({
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    /** Wall-clock seconds of the whole run, feature extraction included. */
    totalSeconds: z.number().nonnegative(),
    /** Seconds spent extracting (or loading cached) features. */
    featureSeconds: z.number().nonnegative(),
  }),
  /** Anything a reader should know that the fields do not say. */
  notes: z.array(z.string()),
  /** Added after training (`npm run models:annotate`, or at the end of a run); absent in older records. */
  inference: InferenceCostSchema.optional(),
  /** Only for models with an attention layer whose corpus was at hand when annotating. */
  attentionExamples: AttentionExamplesSchema.optional(),
});

export type RunRecord = z.infer<typeof RunRecordSchema>;
export type InferenceCost = z.infer<typeof InferenceCostSchema>;
export type AttentionExamples = z.infer<typeof AttentionExamplesSchema>;
export type AttentionExample = z.infer<typeof AttentionExampleSchema>;
export type FoldMetrics = z.infer<typeof FoldMetricsSchema>;
export type ServedScores = z.infer<typeof ServedScoresSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;

/**
 * JSON indented by two spaces, except that arrays of plain numbers (confusion rows, attention weights, picture
 * rows) stay on one line each, so a record reads and diffs by row rather than by number.
 */
export function formatRecordJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\n\s+(-?\d[\d.eE+-]*(?:,\n\s+-?\d[\d.eE+-]*)*)\n\s+\]/g,
    (_, numbers: string) => `[${numbers.split(/,\n\s+/).join(', ')}]`,
  );
}

/** The fields added to a finished run's record after training (`npm run models:annotate`). */
export type RunRecordAnnotations = Pick<RunRecord, 'inference' | 'attentionExamples'>;

/** The record in `value`, validated; the error names every problem and `what` was checked. */
export function parseRunRecord(value: unknown, what: string): RunRecord {
  const result = RunRecordSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`expected ${what} to match RunRecordSchema, got:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * The serving `metadata.json` (core/contracts/model-metadata.ts) for a model trained with this record's
 * configuration; `normalisation` is the mean/std per feature of the data the served model was trained on.
 */
export function modelMetadataFromRunRecord(
  record: RunRecord,
  served: {
    version: string;
    normalisation: { mean: number[]; std: number[] };
    attentionLayer: string | null;
  },
): ModelMetadata {
  const { features } = record.task;
  return ModelMetadataSchema.parse({
    id: record.id,
    version: served.version,
    architecture: record.config.model.architecture,
    labels: record.task.labels,
    features: { set: features.set, config: features.config, dims: features.dims },
    utterance: features.utterance ?? null,
    inputFrames: features.frames,
    normalisation: { ...served.normalisation, scope: record.task.normalisation ?? 'training-set' },
    attentionLayer: served.attentionLayer,
    parameters: record.parameters,
    metrics: [
      {
        corpus: record.task.corpus,
        protocol: record.task.protocol,
        ua: record.summary.ua.mean,
        wa: record.summary.wa.mean,
        macroF1: record.summary.macroF1.mean,
      },
    ],
    createdAt: record.createdAt,
  });
}

/** A record's protocol as tables and cards name it: per-speaker normalisation is part of what its scores mean. */
export function protocolName(task: Pick<RunRecord['task'], 'protocol' | 'normalisation'>): string {
  return task.normalisation === 'per-speaker' ? `${task.protocol}, per-speaker normalisation` : task.protocol;
}

/** Seconds of audio one model input covers (frames × hop), or null when the feature config does not say. */
export function inputSeconds(features: RunRecord['task']['features']): number | null {
  const { hop, sampleRate } = features.config;
  return typeof hop === 'number' && typeof sampleRate === 'number' && sampleRate > 0
    ? (features.frames * hop) / sampleRate
    : null;
}
