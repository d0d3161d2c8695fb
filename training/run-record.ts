import { z } from 'zod';
import {
  type ModelMetadata,
  ModelMetadataSchema,
  UtteranceConfigSchema,
} from '../functions/model/metadata.ts';
import { WaveformAugmentationSchema } from './augment/waveform.ts';
import { ModelConfigSchema } from './models/configs.ts';
import { TrainingConfigSchema } from './training-config.ts';

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
 * The serving `metadata.json` (functions/model/metadata.ts) for a model trained with this record's
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
    normalisation: served.normalisation,
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

/** Labels with test items: all of the model's labels within a corpus, the shared ones across corpora. */
function scoredLabels(record: RunRecord): number {
  return record.summary.perClass.filter((entry) => entry.support > 0).length || record.task.labels.length;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}`;
const meanStd = (value: { mean: number; std: number } | null) =>
  value == null ? '–' : `${percent(value.mean)} ± ${percent(value.std)}`;
const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** Seconds of audio one model input covers (frames × hop), or null when the feature config does not say. */
export function inputSeconds(features: RunRecord['task']['features']): number | null {
  const { hop, sampleRate } = features.config;
  return typeof hop === 'number' && typeof sampleRate === 'number' && sampleRate > 0
    ? (features.frames * hop) / sampleRate
    : null;
}

function inferenceSection(record: RunRecord): string[] {
  const cost = record.inference;
  if (cost === undefined) return [];
  const { features } = record.task;
  const seconds = inputSeconds(features);
  return [
    `## Inference cost`,
    [
      `- ${(cost.macs / 1e6).toFixed(2)} M multiply-accumulates per ${seconds === null ? '' : `${seconds.toFixed(1)} s `}` +
        `input (${features.frames} frames × ${features.dims} features), counted from the layers.`,
      `- ${cost.msPerClip.median.toFixed(2)} ms per clip (median; p95 ${cost.msPerClip.p95.toFixed(2)} ms) over ` +
        `${cost.runs} forward passes at batch 1, feature extraction excluded, measured ${cost.measuredAt} on ` +
        `${cost.cpu.model} × ${cost.cpu.cores}, Node ${cost.node}, ${cost.backend} (load average ${cost.loadAverage.toFixed(1)}).`,
    ].join('\n'),
  ];
}

/** A model card (Mitchell et al. 2019, abridged) rendered from the run record alone. */
export function renderModelCard(record: RunRecord): string {
  const { task, config, data, summary } = record;
  const { model, training } = config;
  const speakers = new Set(record.splits.folds.flatMap((fold) => Object.values(fold.speakers).flat()));
  const env = record.environment;
  const skipped = data.skipped.slice(0, 20).map((s) => `  - \`${s.corpus}/${s.file}\`: ${s.reason}`);
  if (data.skipped.length > skipped.length)
    skipped.push(`  - … and ${data.skipped.length - skipped.length} more`);
  return `${[
    `# ${record.id}`,
    `A speech emotion classifier (\`${model.architecture}\`, ${record.parameters.toLocaleString('en')} parameters) ` +
      `trained on ${task.corpus} (${data.items} clips, ${speakers.size} speakers) to tell apart: ` +
      `${task.labels.join(', ')}. Generated from \`run.json\` on ${record.createdAt}.`,
    `## Results`,
    `Protocol \`${task.protocol}\`, ${summary.folds} folds, ` +
      `${task.speakerIndependent ? 'speaker-independent (no speaker in both training and test)' : '**speaker-dependent** (speakers overlap between training and test: scores are optimistic)'}. ` +
      (task.heldOutCorpus === undefined
        ? ''
        : `Trained on every corpus but **${task.heldOutCorpus}**, tested on all of ${task.heldOutCorpus}'s clips whose label a training corpus has, predicting among those labels only. `) +
      `Mean ± sample standard deviation over folds, in percent. Chance UA is ${percent(1 / scoredLabels(record))}.`,
    table(
      ['metric', 'value'],
      [
        ['UA (unweighted accuracy, mean per-class recall)', meanStd(summary.ua)],
        ['WA (weighted accuracy)', meanStd(summary.wa)],
        ['macro-F1', meanStd(summary.macroF1)],
      ],
    ),
    `### Per class`,
    table(
      ['class', 'precision', 'recall', 'F1', 'test items'],
      summary.perClass.map((c) => [
        c.label,
        meanStd(c.precision),
        meanStd(c.recall),
        meanStd(c.f1),
        `${c.support}`,
      ]),
    ),
    `### Confusion matrix`,
    `Summed over the folds' test sets; rows are true classes, columns predictions.`,
    table(
      ['true \\ predicted', ...summary.confusion.labels],
      summary.confusion.counts.map((row, i) => [summary.confusion.labels[i], ...row.map(String)]),
    ),
    ...inferenceSection(record),
    `## Training`,
    [
      `- Features: \`${task.features.set}\`, ${task.features.dims} dims × ${task.features.frames} frames (${JSON.stringify(task.features.config)}).`,
      `- Model: \`${JSON.stringify(model)}\`.`,
      ...(task.features.utterance
        ? [
            `- Utterance front end: ${task.features.utterance.highPassHz} Hz high-pass, features standardised over the clip's own speech frames ` +
              `(${task.features.utterance.centre === 'overall' ? 'one mean over all bands, so the long-term spectrum stays' : 'each band centred on its own mean'}), ` +
              `silence before and after the speech cut (margin ${task.features.utterance.trimMarginSeconds} s).`,
          ]
        : []),
      ...(config.waveformAugmentation && config.waveformAugmentation.copies > 0
        ? [`- Waveform augmentation: \`${JSON.stringify(config.waveformAugmentation)}\`.`]
        : []),
      ...(model.architecture === 'svm'
        ? [
            `- Trained by SMO on each fold's utterance statistics (mean, standard deviation, minimum and maximum of every ` +
              `feature), standardised with the training side's; ${model.kernel} kernel, C = ${model.c}` +
              `${model.kernel === 'rbf' ? `, γ = ${model.gamma ?? '1 / features'}` : ''}; one-vs-rest, Platt-scaled probabilities. ` +
              `No epochs, no validation speakers.`,
          ]
        : [
            `- Optimiser ${training.optimizer}, learning rate ${training.learningRate}` +
              `${training.learningRateSchedule === 'cosine' ? ' on a cosine schedule down to a twentieth' : ''}, batch ${training.batchSize}, ` +
              (training.keep === 'last'
                ? `a fixed ${training.epochs} epochs, last weights kept`
                : `≤ ${training.epochs} epochs, early stopping on ${training.monitor} (patience ${training.patience}, best weights restored)`) +
              `${training.maxExamplesPerGroup === null ? '' : `; each epoch draws at most ${training.maxExamplesPerGroup} clips of each corpus`}.`,
            ...(training.corpusAdversary
              ? [
                  `- Corpus-adversarial head (gradient reversal, ${training.corpusAdversary.units} hidden units) on the penultimate ` +
                    `representation, reversal scale rising to ${training.corpusAdversary.weight}; used in training only, not part of the served model.`,
                ]
              : []),
            `- Class weights: ${training.classWeights}; feature noise σ = ${training.noiseStd}; gradient clip norm ${training.clipNorm ?? 'none'}; seed ${training.seed}.`,
            `- Other augmentation and regularisation: ${augmentationSummary(training)}.`,
            `- Best epoch per fold: ${record.folds.map((fold) => fold.bestEpoch).join(', ')}.`,
          ]),
      `- Training time: ${(record.folds.reduce((sum, fold) => sum + fold.seconds, 0) / 60).toFixed(1)} min ` +
        `(run ${(record.timings.totalSeconds / 60).toFixed(1)} min).`,
    ].join('\n'),
    `## Data`,
    [
      `- Dataset hash \`${data.datasetHash}\`; split seed ${record.splits.seed}.`,
      `- Clips per class: ${data.classCounts.map((c) => `${c.label} ${c.count}`).join(', ')}.`,
      `- Skipped files: ${data.skipped.length}.`,
      ...skipped,
    ].join('\n'),
    `## Environment`,
    [
      `- Node ${env.node}, ${env.os}, ${env.cpu.model} × ${env.cpu.cores}, ${env.memoryGiB} GiB.`,
      `- tfjs ${env.backend.versions.tfjsCore}, backend \`${env.backend.name}\` ${env.backend.versions.backend}` +
        `${env.backend.simd == null ? '' : `, SIMD ${env.backend.simd ? 'on' : 'off'}, ${env.backend.threads} thread(s)`}` +
        `${env.backend.customKernels.length > 0 ? `, custom kernels: ${env.backend.customKernels.join(', ')}` : ''}.`,
      `- Code: ${env.git == null ? 'not a git checkout' : `\`${env.git.revision}\`${env.git.dirty ? ' with uncommitted changes' : ''}`}.`,
    ].join('\n'),
    `## Intended use and limitations`,
    [
      `- For research, demos and teaching: it guesses the emotion a speaker *portrays* from the voice alone.`,
      `- ${task.corpus} is a small corpus; scores on other speakers, languages, recording conditions or spontaneous speech will be lower, often much lower.`,
      `- Emotion is not reliably inferable from voice: do not use this model for decisions about people (hiring, policing, health, education, surveillance).`,
      ...record.notes.map((note) => `- ${note}`),
    ].join('\n'),
  ].join('\n\n')}\n`;
}

/** The augmentation and regularisation a training config turns on beyond noise and class weights, in words. */
function augmentationSummary(training: RunRecord['config']['training']): string {
  // Records annotated in place keep their config as stored: older ones lack these fields, meaning their defaults.
  const {
    maxTimeShift,
    specAugment,
    mixupAlpha,
    weightDecay,
    randomEq,
    lossOverCorpusLabels,
    smote,
    pretrainFirstConvolution,
  } = TrainingConfigSchema.parse(training);
  const parts = [
    maxTimeShift > 0 ? `time shift up to ±${maxTimeShift} frames` : '',
    specAugment.timeMasks > 0 && specAugment.maxTimeMask > 0
      ? `${specAugment.timeMasks} time mask(s) of ≤ ${specAugment.maxTimeMask} frames`
      : '',
    specAugment.freqMasks > 0 && specAugment.maxFreqMask > 0
      ? `${specAugment.freqMasks} feature mask(s) of ≤ ${specAugment.maxFreqMask} dimensions`
      : '',
    mixupAlpha > 0 ? `mixup α = ${mixupAlpha}` : '',
    randomEq.probability > 0 && (randomEq.maxTilt > 0 || randomEq.maxRipple > 0)
      ? `random equaliser on ${Math.round(100 * randomEq.probability)} % of clips (tilt ≤ ±${randomEq.maxTilt}, ripples ≤ ${randomEq.maxRipple})`
      : '',
    weightDecay > 0 ? `weight decay λ = ${weightDecay}` : '',
    lossOverCorpusLabels ? "each clip's loss over its own corpus's labels" : '',
    smote !== null ? `SMOTE to the largest class (${smote.neighbours} neighbours, training side only)` : '',
    pretrainFirstConvolution !== null
      ? `first convolution pre-trained as a sparse auto-encoder (ρ = ${pretrainFirstConvolution.sparsity}, ${pretrainFirstConvolution.patches} patches)`
      : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? 'none' : parts.join('; ');
}
