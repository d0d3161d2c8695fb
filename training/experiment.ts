import { z } from 'zod';
import {
  createFeatureExtractor,
  FEATURE_SET_NAMES,
  type FeatureExtractor,
  type FeatureMatrix,
  type FeatureSetName,
} from '../functions/audio/feature-set.ts';
import { centreFrames } from '../functions/audio/fit-frames.ts';
import {
  applyNormalisation,
  computeNormalisationStats,
  type NormalisationStats,
} from '../functions/audio/normalise.ts';
import type { SkippedFile } from './corpora/corpus.ts';
import { CANONICAL_LABELS, type CanonicalLabel, CORPUS_IDS } from './corpora/labels.ts';
import { type LoadedItem, loadCorpus } from './corpora/load.ts';
import {
  leaveOneSpeakerOut,
  randomStratified,
  type Split,
  speakerId,
  speakerKFold,
} from './evaluation/splits.ts';
import { createFeatureCache } from './feature-cache.ts';
import { ModelConfigSchema } from './models/index.ts';
import type { FeatureSet } from './trainer.ts';
import { TrainingConfigSchema } from './trainer.ts';

/**
 * One experiment, as written in `training/configs/*.json`. Parsing fills in every default, so the parsed value
 * is the resolved configuration the run record stores.
 */
export const ExperimentConfigSchema = z.strictObject({
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
      set: z.enum(FEATURE_SET_NAMES as [FeatureSetName, ...FeatureSetName[]]).default('logmel40'),
      config: z.record(z.string(), z.union([z.number(), z.null()])).default({}),
    })
    .default({ set: 'logmel40', config: {} }),
  /** Every clip is centred and cropped or padded to this duration's frame count. */
  clipSeconds: z.number().positive().default(3),
  /**
   * `speaker-5fold` (speaker-grouped k-fold), `loso` (leave one speaker out), `random-stratified` (speaker-
   * dependent; only to compare with papers that use it), or `all-speakers` (one model on every speaker but a few
   * validation speakers: the serving model, whose metrics come from the k-fold runs of the same configuration).
   */
  protocol: z.enum(['speaker-5fold', 'loso', 'random-stratified', 'all-speakers']).default('speaker-5fold'),
  validationSpeakers: z.number().int().nonnegative().default(2),
  model: ModelConfigSchema,
  training: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
});

export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;

/** A corpus item with its features, ready to be split and normalised. */
export interface ExampleItem extends LoadedItem {
  features: FeatureMatrix;
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
  const cache = createFeatureCache(extractor);
  const items: ExampleItem[] = [];
  const skipped: ExperimentData['skipped'] = [];
  const warnings: string[] = [];
  const corpora: ExperimentData['corpora'] = [];
  for (const { corpus, path } of config.corpora) {
    const started = Date.now();
    const features = new Map<string, FeatureMatrix>();
    const loaded = await loadCorpus(path, {
      corpus,
      mergeCalmIntoNeutral: config.mergeCalmIntoNeutral,
      onAudio: async (item, audio) => {
        features.set(item.file, await cache.features(item.hash, () => audio.samples));
      },
    });
    for (const item of loaded.items)
      items.push({ ...item, features: features.get(item.file) as FeatureMatrix });
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

/** The experiment's split. `all-speakers` is one fold whose test side is empty. */
export function splitFor(config: ExperimentConfig, items: readonly ExampleItem[]): Split {
  const options = { seed: config.seed, validationSpeakers: config.validationSpeakers };
  switch (config.protocol) {
    case 'speaker-5fold':
      return speakerKFold(items, { ...options, k: 5 });
    case 'loso':
      return leaveOneSpeakerOut(items, options);
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

/** Normalised, centred, fixed-length examples for the trainer. */
export function featureSetOf(
  data: ExperimentData,
  indices: readonly number[],
  stats: NormalisationStats,
): FeatureSet {
  const { inputFrames, extractor, items, labels } = data;
  const dims = extractor.dims;
  const features = new Float32Array(indices.length * inputFrames * dims);
  indices.forEach((index, row) => {
    const fitted = centreFrames(applyNormalisation(items[index].features, stats), inputFrames);
    features.set(fitted.data, row * inputFrames * dims);
  });
  return {
    features,
    labels: indices.map((index) => labels.indexOf(items[index].canonical)),
    frames: inputFrames,
    dims,
  };
}
