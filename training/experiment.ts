import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  createFeatureExtractor,
  FEATURE_SET_NAMES,
  type FeatureExtractor,
  type FeatureMatrix,
} from '../core/audio/feature-set.ts';
import { centreFrames } from '../core/audio/fit-frames.ts';
import {
  applyNormalisation,
  computeNormalisationStats,
  type NormalisationStats,
} from '../core/audio/normalise.ts';
import {
  clipFeatures,
  DEFAULT_UTTERANCE_CONFIG,
  UTTERANCE_FRONT_END_VERSION,
} from '../core/audio/utterance.ts';
import { ModelConfigSchema } from '../core/contracts/model-configs.ts';
import { NORMALISATION_SCOPES, UtteranceConfigSchema } from '../core/contracts/model-metadata.ts';
import { TrainingConfigSchema } from '../core/contracts/training-config.ts';
import { WaveformAugmentationSchema } from '../core/contracts/waveform-augmentation.ts';
import { augmentWaveform } from './augment/waveform.ts';
import type { SkippedFile } from './corpora/corpus.ts';
import { CANONICAL_LABELS, type CanonicalLabel, CORPUS_IDS } from './corpora/labels.ts';
import { type LoadedItem, loadCorpus } from './corpora/load.ts';
import {
  leaveOneCorpusOut,
  leaveOneSpeakerOut,
  randomStratified,
  type Split,
  speakerId,
  speakerKFold,
} from './evaluation/splits.ts';
import { createFeatureCache } from './feature-cache.ts';
import { createRandom } from './random.ts';
import type { FeatureSet } from './training-types.ts';

/**
 * One experiment, as written in `training/configs/*.json`. Parsing fills in every default, so the parsed value
 * is the resolved configuration the run record stores.
 */
export const ExperimentConfigSchema = z
  .strictObject({
    /** Folder name under models/. */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    description: z.string().default(''),
    /** Seeds the split, the weights, the shuffle, the augmentation and dropout. */
    seed: z.number().int().nonnegative().default(42),
    /** Corpus folders in their official layouts; `path` is relative to the working directory. */
    corpora: z.array(z.strictObject({ corpus: z.enum(CORPUS_IDS), path: z.string() })).min(1),
    mergeCalmIntoNeutral: z.boolean().default(false),
    features: z
      .strictObject({
        set: z.enum(FEATURE_SET_NAMES).default('logmel40'),
        config: z.record(z.string(), z.union([z.number(), z.null()])).default({}),
      })
      .default({ set: 'logmel40', config: {} }),
    /**
     * The utterance front end (core/audio/utterance.ts: high-pass, standardisation over the clip's own
     * speech frames, silence cut), or null for the extractor's features of the whole clip with only the
     * training-set z-score (the models before it).
     */
    utterance: UtteranceConfigSchema.extend({
      highPassHz: z.number().positive().default(DEFAULT_UTTERANCE_CONFIG.highPassHz),
      trimMarginSeconds: z.number().nonnegative().default(DEFAULT_UTTERANCE_CONFIG.trimMarginSeconds),
    })
      .strict()
      .nullable()
      .default(null),
    /** Augmented copies of every training clip (training/augment/waveform.ts), drawn from `seed`. */
    waveformAugmentation: WaveformAugmentationSchema.default(WaveformAugmentationSchema.parse({})),
    /** Every clip is centred and cropped or padded to this duration's frame count. */
    clipSeconds: z.number().positive().default(3),
    /**
     * `speaker-5fold` (speaker-grouped k-fold), `loso` (leave one speaker out), `leave-one-corpus-out` (train on
     * every corpus but `heldOutCorpus`, test on it over the labels both sides have), `random-stratified` (speaker-
     * dependent; only to compare with papers that use it), or `all-speakers` (one model on every speaker but a few
     * validation speakers: the serving model, whose metrics come from the k-fold runs of the same configuration).
     */
    protocol: z
      .enum(['speaker-5fold', 'loso', 'leave-one-corpus-out', 'random-stratified', 'all-speakers'])
      .default('speaker-5fold'),
    /** The test corpus of `leave-one-corpus-out`. */
    heldOutCorpus: z.enum(CORPUS_IDS).nullable().default(null),
    validationSpeakers: z.number().int().nonnegative().default(2),
    /**
     * What the inputs are z-scored with after the utterance front end: `training-set` (the statistics of the
     * fold's training clips, as a served model is) or `per-speaker` (each speaker's own, over all of that
     * speaker's clips, labels unused: a test speaker's too, so it assumes their recordings are at hand; a
     * protocol for research only, as one uploaded clip has no speaker to normalise by).
     */
    normalisation: z.enum(NORMALISATION_SCOPES).default('training-set'),
    model: ModelConfigSchema,
    training: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
  })
  .superRefine((config, context) => {
    const corpora = config.corpora.map((entry) => entry.corpus);
    if (config.protocol === 'leave-one-corpus-out') {
      if (config.heldOutCorpus === null || !corpora.includes(config.heldOutCorpus) || corpora.length < 2) {
        context.addIssue({
          code: 'custom',
          path: ['heldOutCorpus'],
          message: `expected leave-one-corpus-out to hold out one of its ≥ 2 corpora (${corpora.join(', ')}), got ${config.heldOutCorpus}`,
        });
      }
    } else if (config.heldOutCorpus !== null) {
      context.addIssue({
        code: 'custom',
        path: ['heldOutCorpus'],
        message: `expected heldOutCorpus only with protocol leave-one-corpus-out, got it with ${config.protocol}`,
      });
    }
    if (config.normalisation === 'per-speaker' && !SPEAKER_NORMALISED_PROTOCOLS.includes(config.protocol)) {
      context.addIssue({
        code: 'custom',
        path: ['normalisation'],
        message: `expected per-speaker normalisation with a speaker-independent protocol (${SPEAKER_NORMALISED_PROTOCOLS.join(', ')}), got ${config.protocol}`,
      });
    }
    if (
      config.model.architecture === 'svm' &&
      config.model.kernel === 'linear' &&
      config.model.gamma !== null
    ) {
      context.addIssue({
        code: 'custom',
        path: ['model', 'gamma'],
        message: `expected no γ with the linear kernel, which has none, got ${JSON.stringify(config.model.gamma)}`,
      });
    }
    if (config.model.architecture === 'svm' && config.waveformAugmentation.copies > 0) {
      context.addIssue({
        code: 'custom',
        path: ['waveformAugmentation', 'copies'],
        message: `expected no augmented copies with the svm, which trains on every clip once, got ${config.waveformAugmentation.copies}`,
      });
    }
    if (config.utterance?.pitch !== undefined && !config.features.set.endsWith('+pitch')) {
      context.addIssue({
        code: 'custom',
        path: ['utterance', 'pitch'],
        message: `expected a feature set with pitch columns for utterance.pitch, got ${config.features.set}`,
      });
    }
  });

/**
 * The protocols per-speaker normalisation may run under: each speaker on one side of every fold. Not
 * `all-speakers`, whose model is served, nor the speaker-dependent `random-stratified`.
 */
const SPEAKER_NORMALISED_PROTOCOLS: readonly string[] = ['speaker-5fold', 'loso', 'leave-one-corpus-out'];

export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;

/** A corpus item with its features, ready to be split and normalised. */
export interface ExampleItem extends LoadedItem {
  features: FeatureMatrix;
  /** Features of the augmented copies of the clip (waveformAugmentation.copies of them). */
  variants: FeatureMatrix[];
}

export interface ExperimentData {
  items: ExampleItem[];
  /** Output order of the model: the canonical labels present in the data, in canonical order. */
  labels: CanonicalLabel[];
  extractor: FeatureExtractor;
  inputFrames: number;
  skipped: (SkippedFile & { corpus: string })[];
  warnings: string[];
  corpora: { corpus: string; root: string; layout: string; items: number; speakers: number }[];
}

/** Reads every corpus of the experiment and computes (or reads cached) features for each file. */
export async function loadExperimentData(
  config: ExperimentConfig,
  log: (line: string) => void,
): Promise<ExperimentData> {
  const extractor = createFeatureExtractor(config.features.set, config.features.config);
  const { utterance } = config;
  const cache =
    utterance === null
      ? createFeatureCache(extractor)
      : createFeatureCache(extractor, {
          variant: { utterance, version: UTTERANCE_FRONT_END_VERSION },
          compute: (signal) => clipFeatures(signal, extractor, utterance),
        });
  const augmentation = config.waveformAugmentation;
  const sampleRate = extractor.config.sampleRate;
  const items: ExampleItem[] = [];
  const skipped: ExperimentData['skipped'] = [];
  const warnings: string[] = [];
  const corpora: ExperimentData['corpora'] = [];
  for (const { corpus, path } of config.corpora) {
    const started = Date.now();
    const features = new Map<string, FeatureMatrix[]>();
    const loaded = await loadCorpus(path, {
      corpus,
      mergeCalmIntoNeutral: config.mergeCalmIntoNeutral,
      onAudio: async (item, audio) => {
        const copies = [await cache.features(item.hash, () => audio.samples)];
        for (let copy = 1; copy <= augmentation.copies; copy++) {
          // Each copy's draws depend on the clip, the seed and the copy only: cached copies stay valid.
          const key = `${item.hash}:augment:${config.seed}:${copy}:${JSON.stringify(augmentation)}`;
          copies.push(
            await cache.features(key, () => {
              const random = createRandom(seedOf(`${item.hash}:${config.seed}:${copy}`));
              return augmentWaveform(audio.samples, sampleRate, augmentation, random);
            }),
          );
        }
        features.set(item.file, copies);
      },
    });
    for (const item of loaded.items) {
      const [original, ...variants] = features.get(item.file) as FeatureMatrix[];
      items.push({ ...item, features: original, variants });
    }
    skipped.push(...loaded.skipped.map((entry) => ({ ...entry, corpus })));
    warnings.push(...loaded.warnings.map((warning) => `${corpus}: ${warning}`));
    const speakers = new Set(loaded.items.map((item) => item.speaker)).size;
    corpora.push({ corpus, root: path, layout: loaded.layout, items: loaded.items.length, speakers });
    log(
      `${loaded.name}: ${loaded.items.length} files, ${speakers} speakers, ${loaded.skipped.length} skipped ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s; feature cache ${cache.stats.hits} hits, ${cache.stats.misses} misses)`,
    );
  }
  for (const warning of warnings) log(`warning: ${warning}`);
  const present = new Set(items.map((item) => item.canonical));
  const labels = CANONICAL_LABELS.filter((label) => present.has(label));
  const inputFrames = extractor.frameCount(Math.round(config.clipSeconds * extractor.config.sampleRate));
  return { items, labels, extractor, inputFrames, skipped, warnings, corpora };
}

/** A 32-bit seed from a string (the first bytes of its sha256). */
export function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** The experiment's split. `all-speakers` is one fold whose test side is empty. */
export function splitFor(config: ExperimentConfig, items: readonly ExampleItem[]): Split {
  const options = { seed: config.seed, validationSpeakers: config.validationSpeakers };
  switch (config.protocol) {
    case 'speaker-5fold':
      return speakerKFold(items, { ...options, k: 5 });
    case 'loso':
      return leaveOneSpeakerOut(items, options);
    case 'leave-one-corpus-out':
      return leaveOneCorpusOut(items, { ...options, heldOutCorpus: config.heldOutCorpus as string });
    case 'random-stratified':
      return randomStratified(items, { seed: config.seed, k: 5 });
    case 'all-speakers': {
      // One speaker-grouped fold gives gender-balanced validation speakers; its test side joins training.
      const grouped = speakerKFold(items, { ...options, k: 5 });
      const fold = grouped.folds[0];
      const train = [...fold.train, ...fold.test].sort((a, b) => a - b);
      const trainSpeakers = [...new Set(train.map((index) => speakerId(items[index])))].sort();
      return {
        protocol: 'all-speakers',
        speakerIndependent: true,
        seed: config.seed,
        datasetHash: grouped.datasetHash,
        folds: [
          {
            index: 0,
            train,
            validation: fold.validation,
            test: [],
            speakers: { train: trainSpeakers, validation: fold.speakers.validation, test: [] },
          },
        ],
      };
    }
  }
}

/** Per-feature statistics of the training side only (validation and test never leak into them). */
export function normalisationFor(
  items: readonly ExampleItem[],
  train: readonly number[],
): NormalisationStats {
  return computeNormalisationStats(train.map((index) => items[index].features));
}

/** What z-scores each clip: one set of statistics for every clip, or each clip's own (its speaker's). */
export type Normalisation = NormalisationStats | ((item: ExampleItem) => NormalisationStats);

/**
 * The experiment's normalisation for a fold: the training side's statistics, or with `per-speaker` each
 * speaker's own over all of their clips' unaugmented features (no labels used).
 */
export function normalisationOf(
  config: Pick<ExperimentConfig, 'normalisation'>,
  items: readonly ExampleItem[],
  train: readonly number[],
): Normalisation {
  if (config.normalisation === 'training-set') return normalisationFor(items, train);
  const bySpeaker = new Map<string, FeatureMatrix[]>();
  for (const item of items) {
    const id = speakerId(item);
    const matrices = bySpeaker.get(id);
    if (matrices) matrices.push(item.features);
    else bySpeaker.set(id, [item.features]);
  }
  const stats = new Map<string, NormalisationStats>();
  return (item) => {
    const id = speakerId(item);
    let own = stats.get(id);
    if (own === undefined) {
      own = computeNormalisationStats(bySpeaker.get(id) ?? []);
      stats.set(id, own);
    }
    return own;
  };
}

/**
 * Normalised, centred, fixed-length examples for the trainer; with `forTraining`, also their augmented copies
 * and each example's corpus (for the trainer's per-corpus sampling).
 */
export function featureSetOf(
  data: ExperimentData,
  indices: readonly number[],
  normalisation: Normalisation,
  forTraining = false,
): FeatureSet {
  const { inputFrames, extractor, items, labels } = data;
  const dims = extractor.dims;
  const statsOf = typeof normalisation === 'function' ? normalisation : () => normalisation;
  const fitAll = (matrices: (item: ExampleItem) => FeatureMatrix) => {
    const out = new Float32Array(indices.length * inputFrames * dims);
    indices.forEach((index, row) => {
      const item = items[index];
      const fitted = centreFrames(applyNormalisation(matrices(item), statsOf(item)), inputFrames);
      out.set(fitted.data, row * inputFrames * dims);
    });
    return out;
  };
  const set: FeatureSet = {
    features: fitAll((item) => item.features),
    labels: indices.map((index) => labels.indexOf(items[index].canonical)),
    frames: inputFrames,
    dims,
    bands: extractor.spectralDims,
  };
  if (!forTraining) return set;
  const copies = Math.min(...indices.map((index) => items[index].variants.length));
  const corpora = [...new Set(items.map((item) => item.corpus))].sort();
  return {
    ...set,
    variants: Array.from({ length: copies }, (_, copy) => fitAll((item) => item.variants[copy])),
    groups: indices.map((index) => corpora.indexOf(items[index].corpus)),
  };
}

/** With leave-one-corpus-out, the model's labels are the training side's; otherwise every label present. */
export function withTrainingLabels(data: ExperimentData, train: readonly number[]): ExperimentData {
  const present = new Set(train.map((index) => data.items[index].canonical));
  return { ...data, labels: data.labels.filter((label) => present.has(label)) };
}

/** A config (raw or parsed) run under leave-one-corpus-out with `corpus` as its test side, as `<id>-loco-<corpus>`. */
export function leavingCorpusOut<T extends { id?: unknown }>(config: T, corpus: string) {
  return {
    ...config,
    id: `${String(config.id)}-loco-${corpus}`,
    protocol: 'leave-one-corpus-out' as const,
    heldOutCorpus: corpus,
  };
}

/**
 * A config (raw or parsed) run again with another seed, as `<id>-seed-<seed>`: the splits' and augmentation's
 * (the config's `seed`) and the initial weights', batches' and dropout's (`training.seed`).
 */
export function withSeed<T extends { id?: unknown; training?: unknown }>(config: T, seed: number) {
  const training = typeof config.training === 'object' && config.training !== null ? config.training : {};
  return { ...config, id: `${String(config.id)}-seed-${seed}`, seed, training: { ...training, seed } };
}
