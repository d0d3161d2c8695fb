import { readFile } from 'node:fs/promises';
import { DEFAULT_TARGET_RATE, decodeAudio } from '../core/audio/decode.ts';
import { createFeatureExtractor, type FeatureConfig } from '../core/audio/feature-set.ts';
import { centreFrames } from '../core/audio/fit-frames.ts';
import { hzToMel, melToHz } from '../core/audio/mel.ts';
import { clipFeatures, type UtteranceConfig } from '../core/audio/utterance.ts';
import type { AttentionExample, AttentionExamples, RunRecord } from '../core/contracts/run-record.ts';
import { classifySpans } from '../core/serving/inference.ts';
import type { ServedModel } from '../core/serving/model-store.ts';
import type { CorpusItem } from './corpora/corpus.ts';
import { detectCorpus } from './corpora/detect.ts';
import type { CorpusId } from './corpora/labels.ts';
import { createRandom } from './random.ts';

/**
 * Attention over time for a few held-out clips of a model with an attention layer: each clip goes through
 * the serving path (core/serving/inference.ts, as `POST /v1/classify?attention=1` does), and a small
 * log-mel picture of what the model saw is kept beside the weights, so the site can draw one over the other.
 */

/** `value` to `digits` decimals; + 0 turns −0 into 0, which JSON would otherwise keep apart. */
const round = (value: number, digits: number) => Number(value.toFixed(digits)) + 0;

/** `corpus:speaker`, as splits.ts's speakerId writes the speakers in the record. */
const speakerOf = (item: CorpusItem) => `${item.corpus}:${item.speaker}`;

/** Which weights a model folder ships (run.ts `--ship`). */
export type ShippedWeights = AttentionExamples['weights'];

/** What run.ts writes in the notes for each choice of shipped weights. */
const SHIPPED_NOTES: Record<ShippedWeights, string> = {
  'fold-1': "The shipped weights are fold 1's model",
  'all-speakers': 'The shipped weights were trained on every speaker except the validation speakers',
};

/** The shipped weights as the record's notes state them; null when no note says. */
export function shippedWeightsOf(record: RunRecord): ShippedWeights | null {
  for (const [weights, note] of Object.entries(SHIPPED_NOTES)) {
    if (record.notes.some((line) => line.startsWith(note))) return weights as ShippedWeights;
  }
  return null;
}

/** Speakers the shipped weights never trained on: fold 1's test side, or its validation side for all-speakers. */
export function heldOutSpeakers(
  record: RunRecord,
  weights: ShippedWeights,
): Pick<AttentionExamples, 'weights' | 'side' | 'speakers'> {
  const fold = record.splits.folds[0];
  // An `all-speakers` protocol run has one fold with an empty test side: its weights saw every other speaker.
  const side = weights === 'all-speakers' || fold.speakers.test.length === 0 ? 'validation' : 'test';
  return { weights, side, speakers: fold.speakers[side] };
}

/**
 * Up to `count` clips of distinct true labels from `items` (already limited to held-out speakers and known
 * labels): the labels are a seeded draw, each clip a seeded draw within its label. Returned in label order.
 */
export function chooseExampleClips<T extends CorpusItem>(
  items: readonly T[],
  labels: readonly string[],
  count: number,
  seed: number,
): T[] {
  const random = createRandom(seed);
  const byLabel = new Map<string, T[]>();
  const sorted = [...items].sort((a, b) =>
    `${a.corpus}/${a.relativePath}` < `${b.corpus}/${b.relativePath}` ? -1 : 1,
  );
  for (const item of sorted) byLabel.set(item.canonical, [...(byLabel.get(item.canonical) ?? []), item]);
  const present = labels.filter((label) => byLabel.has(label));
  const chosen = new Set(random.shuffle(present).slice(0, count));
  return present
    .filter((label) => chosen.has(label))
    .map((label) => {
      const clips = byLabel.get(label) as T[];
      return clips[random.int(clips.length)];
    });
}

export interface PictureSize {
  /** At most this many rows (mel bands are averaged in groups). Default 20. */
  bands?: number;
  /** At most this many columns (frames are averaged in groups). Default 94. */
  frames?: number;
}

/**
 * The clip's log-mel energies (dB, the shared front end with the run's configuration) over the frames the
 * model saw (the utterance front end's cut, if the model has one, then the centred crop, as prepareSpanInput
 * fits them), averaged down to a small picture.
 */
export function logMelPicture(
  samples: Float32Array,
  config: Partial<FeatureConfig>,
  inputFrames: number,
  size: PictureSize = {},
  utterance: UtteranceConfig | null = null,
): AttentionExample['logMel'] {
  const extractor = createFeatureExtractor('logmel40', config);
  const { hop, sampleRate, nMels, fmin, fmax } = extractor.config;
  const features = extractor.extract(samples);
  const seen = clipFeatures(samples, extractor, utterance);
  const fitted = centreFrames(seen, inputFrames);
  const from = seen.firstFrame + Math.max(0, fitted.firstFrame);
  const frames = fitted.audioFrames;
  const frameGroup = Math.max(1, Math.ceil(frames / (size.frames ?? 94)));
  const bandGroup = Math.max(1, Math.ceil(nMels / (size.bands ?? 20)));
  const columns = Math.ceil(frames / frameGroup);
  const rows = Math.ceil(nMels / bandGroup);
  // Slaney mel filter centres: nMels + 2 points evenly spaced in mel, band b centred on point b + 1.
  const lowMel = hzToMel(fmin);
  const melStep = (hzToMel(fmax) - lowMel) / (nMels + 1);
  const db: number[][] = [];
  const bandHz: number[] = [];
  for (let row = 0; row < rows; row++) {
    const bands = Array.from(
      { length: Math.min(bandGroup, nMels - row * bandGroup) },
      (_, i) => row * bandGroup + i,
    );
    const centreMel = bands.reduce((sum, band) => sum + lowMel + (band + 1) * melStep, 0) / bands.length;
    bandHz.push(Math.round(melToHz(centreMel)));
    const line: number[] = [];
    for (let column = 0; column < columns; column++) {
      const first = column * frameGroup;
      const last = Math.min(frames, first + frameGroup);
      let sum = 0;
      for (let t = first; t < last; t++) {
        for (const band of bands) sum += features.data[(from + t) * features.dims + band];
      }
      line.push(Math.round(sum / ((last - first) * bands.length)) + 0);
    }
    db.push(line);
  }
  const frameSeconds = hop / sampleRate;
  return {
    startSeconds: round((from + (Math.min(frameGroup, frames) - 1) / 2) * frameSeconds, 4),
    frameSeconds: round(frameGroup * frameSeconds, 6),
    bandHz,
    db,
  };
}

/** One clip through the serving path with attention, plus its picture. */
export function attentionExample(
  served: ServedModel,
  item: CorpusItem,
  samples: Float32Array,
  size?: PictureSize,
): AttentionExample {
  const seconds = samples.length / served.extractor.config.sampleRate;
  const [prediction] = classifySpans(served, samples, [{ startSeconds: 0, endSeconds: seconds }], {
    attention: true,
  }).predictions;
  if (prediction.attention === null) {
    throw new Error(`expected attention weights from model '${served.metadata.id}', got none`);
  }
  const { attention } = prediction;
  return {
    corpus: item.corpus,
    clip: item.relativePath,
    speaker: speakerOf(item),
    label: item.canonical,
    seconds: round(seconds, 4),
    probabilities: Array.from(prediction.probabilities, (p) => round(p, 5)),
    attention: {
      startSeconds: round(attention.startSeconds, 4),
      stepSeconds: round(attention.frameSeconds, 6),
      weights: Array.from(attention.weights, (w) => round(w, 5)),
    },
    logMel: logMelPicture(
      samples,
      served.extractor.config,
      served.metadata.inputFrames,
      size,
      served.metadata.utterance,
    ),
  };
}

export interface AttentionExampleOptions {
  /** The corpus folders of the run (training/configs/<id>.json `corpora`). */
  corpora: readonly { corpus: CorpusId; path: string }[];
  mergeCalmIntoNeutral?: boolean;
  weights: ShippedWeights;
  /** Clips, one per true label (default 4). */
  count?: number;
  /** Default: the record's split seed. */
  seed?: number;
  size?: PictureSize;
}

/**
 * Attention examples for a served model with an attention layer, from the record's held-out speakers. Lists
 * the corpora (no audio is read but the chosen clips'), so it takes seconds; throws when a corpus folder the
 * held-out speakers come from is missing or holds none of their clips.
 */
export async function collectAttentionExamples(
  served: ServedModel,
  record: RunRecord,
  options: AttentionExampleOptions,
): Promise<AttentionExamples> {
  const layer = served.metadata.attentionLayer;
  if (layer === null) {
    throw new Error(`expected model '${record.id}' to have an attention layer, got none`);
  }
  if (served.extractor.config.sampleRate !== DEFAULT_TARGET_RATE) {
    throw new Error(
      `expected a model whose features run at ${DEFAULT_TARGET_RATE} Hz (the rate clips are decoded to), ` +
        `got ${served.extractor.config.sampleRate} Hz`,
    );
  }
  const side = heldOutSpeakers(record, options.weights);
  const wanted = new Set(side.speakers);
  const needed = new Set(side.speakers.map((speaker) => speaker.split(':')[0]));
  const items: CorpusItem[] = [];
  for (const corpus of needed) {
    const folder = options.corpora.find((entry) => entry.corpus === corpus);
    if (folder === undefined) {
      throw new Error(
        `expected a folder for corpus ${corpus} (speakers ${side.speakers.join(', ')}), got none`,
      );
    }
    const { listing } = await detectCorpus(folder.path, {
      corpus: folder.corpus,
      mergeCalmIntoNeutral: options.mergeCalmIntoNeutral,
    });
    items.push(
      ...listing.items.filter(
        (item) => wanted.has(speakerOf(item)) && record.task.labels.includes(item.canonical),
      ),
    );
  }
  if (items.length === 0) {
    throw new Error(
      `expected clips of the ${side.side} speakers ${side.speakers.join(', ')} in the corpus folders, got none`,
    );
  }
  const seed = options.seed ?? record.splits.seed;
  const chosen = chooseExampleClips(items, record.task.labels, options.count ?? 4, seed);
  const examples: AttentionExample[] = [];
  for (const item of chosen) {
    const audio = decodeAudio(await readFile(item.file));
    examples.push(attentionExample(served, item, audio.samples, options.size));
  }
  return { layer, ...side, seed, examples };
}
