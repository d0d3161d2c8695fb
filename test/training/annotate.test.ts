import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.ts';
import { createFeatureExtractor } from '../../core/audio/feature-set.ts';
import { computeNormalisationStats } from '../../core/audio/normalise.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { modelMetadataFromRunRecord, type RunRecord } from '../../core/contracts/run-record.ts';
import { classifySpans } from '../../core/serving/inference.ts';
import { annotateModelFolder, loadServedModel } from '../../training/annotate.ts';
import {
  chooseExampleClips,
  heldOutSpeakers,
  logMelPicture,
  shippedWeightsOf,
} from '../../training/attention-examples.ts';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import type { CorpusItem } from '../../training/corpora/corpus.ts';
import { evaluate, summariseFolds } from '../../training/evaluation/metrics.ts';
import { countMacs } from '../../training/inference-cost.ts';
import { saveModel } from '../../training/model-io.ts';
import {
  ATTENTION_LAYER,
  buildModel,
  type ModelConfigInput,
  resolveModelConfig,
} from '../../training/models/index.ts';
import { collectEnvironment, readRunRecord, writeRunRecord } from '../../training/run-record-files.ts';
import { TrainingConfigSchema } from '../../training/trainer.ts';
import { runCli } from './cli/run-cli.ts';
import { makeTempDir, writeClip } from './corpora/tiny-corpus.ts';

const LABELS = ['angry', 'happy', 'neutral', 'sad'];
/** EMO-DB emotion letters of LABELS, and L (boredom), which the models do not know. */
const LETTERS = ['W', 'F', 'N', 'T', 'L'];
const SPEAKERS = ['03', '08', '16'];
const SAMPLE_RATE = 16000;
/** 2 s clips: 126 frames of the default front end. */
const FRAMES = 126;
const FEATURES = createFeatureExtractor('logmel40', {});

/** A tone whose pitch follows the label and speaker, 1.2–2.4 s long, so clips differ. */
function tone(letter: number, speaker: number, take: number): Float32Array {
  const samples = new Float32Array(Math.round(SAMPLE_RATE * (1.2 + 0.4 * ((letter + take) % 4))));
  const frequency = 220 * (letter + 1) + 35 * speaker + 11 * take;
  for (let i = 0; i < samples.length; i++) {
    const envelope = Math.sin((Math.PI * i) / samples.length);
    samples[i] =
      0.2 * envelope * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE) + 0.003 * Math.sin(i * i);
  }
  return samples;
}

let backend: TrainingBackend;
let corpus: string;
const clips: { path: string; samples: Float32Array }[] = [];

/** Two takes per speaker and letter in the official EMO-DB layout (`wav/03a01Wa.wav`). */
beforeAll(async () => {
  backend = await initTrainingBackend({ prefer: 'wasm' });
  corpus = await mkdtemp(join(tmpdir(), 'ser-annotate-corpus-'));
  for (const [s, speaker] of SPEAKERS.entries()) {
    for (const [l, letter] of LETTERS.entries()) {
      for (const take of [1, 2]) {
        const samples = tone(l, s, take);
        const path = `wav/${speaker}a0${take}${letter}a.wav`;
        await writeClip(corpus, path, encodeWav(samples, SAMPLE_RATE));
        clips.push({ path, samples });
      }
    }
  }
});
afterAll(() => rm(corpus, { recursive: true, force: true }));

/** A record as run.ts writes it, for a LOSO-like split whose fold 1 tests speaker 03. */
function recordFor(id: string, model: ModelConfigInput, parameters: number, notes: string[]): RunRecord {
  const fold = evaluate(LABELS, [0, 1, 2, 3], [0, 1, 2, 2]);
  return {
    schemaVersion: 1,
    id,
    createdAt: '2026-11-22T12:00:00.000Z',
    task: {
      corpus: 'emodb',
      protocol: 'loso',
      speakerIndependent: true,
      labels: LABELS,
      features: { set: 'logmel40', config: { ...FEATURES.config }, dims: 40, frames: FRAMES },
    },
    config: { model: resolveModelConfig(model), training: TrainingConfigSchema.parse({ seed: 3 }) },
    data: {
      datasetHash: 'c'.repeat(64),
      items: 24,
      classCounts: LABELS.map((label) => ({ label, count: 6 })),
      skipped: [],
    },
    splits: {
      seed: 5,
      folds: [
        {
          index: 0,
          speakers: { train: ['emodb:16'], validation: ['emodb:08'], test: ['emodb:03'] },
          counts: { train: 8, validation: 8, test: 8 },
        },
      ],
    },
    folds: [{ index: 0, metrics: fold, history: [], bestEpoch: 1, stoppedEarly: false, seconds: 1 }],
    summary: summariseFolds([fold]),
    parameters,
    environment: collectEnvironment(backend),
    timings: {
      startedAt: '2026-11-22T11:59:00.000Z',
      finishedAt: '2026-11-22T12:00:00.000Z',
      totalSeconds: 60,
      featureSeconds: 1,
    },
    notes,
  };
}

const FOLD_ONE =
  "The shipped weights are fold 1's model (test speakers emodb:03); the scores above are over all 1 folds.";
const ALL_SPEAKERS =
  'The shipped weights were trained on every speaker except the validation speakers emodb:08 (best epoch 1); …';

/** A model folder as run.ts leaves it: weights, metadata.json (normalised on the training speaker), run.json. */
async function modelFolder(id: string, model: ModelConfigInput, notes: string[] = [FOLD_ONE]) {
  const folder = join(await makeTempDir('ser-annotate-models-'), id);
  const network = buildModel(resolveModelConfig(model), [FRAMES, 40], LABELS.length, 9);
  await saveModel(network, folder);
  const record = recordFor(id, model, network.countParams(), notes);
  network.dispose();
  await writeRunRecord(folder, record);
  const stats = computeNormalisationStats(
    clips.filter((clip) => clip.path.startsWith('wav/16')).map((clip) => FEATURES.extract(clip.samples)),
  );
  const metadata = modelMetadataFromRunRecord(record, {
    version: '1.0.0',
    normalisation: { mean: [...stats.mean], std: [...stats.std] },
    attentionLayer: model.architecture.includes('attention') ? ATTENTION_LAYER : null,
  });
  await writeFile(join(folder, 'metadata.json'), JSON.stringify(metadata));
  return { folder, record };
}

const CNN_BLSTM: ModelConfigInput = {
  architecture: 'cnn-blstm-attention',
  filters: [4, 4],
  kernelSize: 3,
  units: 4,
  attentionUnits: 2,
  denseUnits: 0,
};

describe('annotateModelFolder', () => {
  it('adds the cost and one held-out example per label, computed through the serving path', async () => {
    const { folder } = await modelFolder('tiny-attention', CNN_BLSTM);
    const lines: string[] = [];
    const annotated = await annotateModelFolder(folder, {
      backend,
      corpora: [{ corpus: 'emodb', path: corpus }],
      latency: { runs: 3, warmup: 1 },
      log: (line) => lines.push(line),
    });
    expect(await readRunRecord(join(folder, 'run.json'))).toEqual(annotated);
    await expect(readFile(join(folder, 'MODEL_CARD.md'), 'utf8')).resolves.toMatch(
      /## Inference cost\n\n- 0\.\d\d M multiply-accumulates per 2\.0 s input \(126 frames × 40 features\)/,
    );

    const served = await loadServedModel(folder, 'tiny-attention');
    const { network } = served;
    if (network === null) throw new Error('expected a tfjs network');
    expect(annotated.inference?.macs).toBe(countMacs(network).total);
    expect(annotated.inference?.runs).toBe(3);

    const examples = annotated.attentionExamples;
    expect(examples).toMatchObject({
      layer: ATTENTION_LAYER,
      weights: 'fold-1',
      side: 'test',
      speakers: ['emodb:03'],
      seed: 5,
    });
    expect(examples?.examples.map((example) => example.label)).toEqual(LABELS);
    for (const example of examples?.examples ?? []) {
      expect(example.speaker).toBe('emodb:03');
      expect(example.corpus).toBe('emodb');
      expect(example.clip).toMatch(/^wav\/03a0\d[WFNT]a\.wav$/);
      const audio = decodeAudio(await readFile(join(corpus, example.clip)));
      expect(example.seconds).toBeCloseTo(audio.samples.length / SAMPLE_RATE, 3);
      const [served1] = classifySpans(
        served,
        audio.samples,
        [{ startSeconds: 0, endSeconds: example.seconds }],
        {
          attention: true,
        },
      ).predictions;
      example.probabilities.forEach((p, i) => {
        expect(p).toBeCloseTo(served1.probabilities[i], 4);
      });
      // Two pooling blocks: 4 input frames (64 ms) per attention step; the clips are shorter than the input.
      expect(example.attention.stepSeconds).toBeCloseTo(0.064, 6);
      expect(example.attention.weights).toHaveLength(served1.attention?.weights.length ?? -1);
      expect(example.attention.weights.reduce((sum, w) => sum + w, 0)).toBeLessThanOrEqual(1.0001);
      expect(example.logMel.db).toHaveLength(20);
      expect(example.logMel.bandHz).toHaveLength(20);
      // Every frame the model saw (≤ 126), in columns of ⌈frames / 94⌉ frames.
      const frames = Math.min(FRAMES, 1 + Math.floor(audio.samples.length / 256));
      expect(example.logMel.db[0].length).toBe(Math.ceil(frames / Math.ceil(frames / 94)));
    }
    expect(lines.join('\n')).toMatch(/tiny-attention: 0\.\d\d M MACs per clip; [\d.]+ ms median/);
    expect(lines.join('\n')).toMatch(/4 attention examples from the test speakers emodb:03 of fold 1/);
    network.dispose();

    // The same choice and the same numbers on a second run.
    const again = await annotateModelFolder(folder, {
      backend,
      corpora: [{ corpus: 'emodb', path: corpus }],
      latency: { runs: 3, warmup: 1 },
      log: () => {},
    });
    expect(again.attentionExamples).toEqual(examples);
  });

  it("leaves every other field of run.json as it was, not filled in by today's defaults", async () => {
    const { folder } = await modelFolder('tiny-old', CNN_BLSTM);
    const path = join(folder, 'run.json');
    // As a record written before a training option existed: the field is absent, and must stay absent.
    const stored = JSON.parse(await readFile(path, 'utf8'));
    delete stored.config.training.noiseStd;
    await writeFile(path, JSON.stringify(stored));
    await annotateModelFolder(folder, {
      backend,
      corpora: null,
      latency: { runs: 2, warmup: 0 },
      log: () => {},
    });
    const { inference, ...rest } = JSON.parse(await readFile(path, 'utf8'));
    expect(rest).toEqual(stored);
    expect(inference.runs).toBe(2);
  });

  it('takes the validation speakers when the folder ships all-speakers weights', async () => {
    const { folder } = await modelFolder('tiny-serving', CNN_BLSTM, [ALL_SPEAKERS]);
    const annotated = await annotateModelFolder(folder, {
      backend,
      corpora: [{ corpus: 'emodb', path: corpus }],
      latency: { runs: 2, warmup: 0 },
      examples: 2,
      log: () => {},
    });
    expect(annotated.attentionExamples).toMatchObject({
      weights: 'all-speakers',
      side: 'validation',
      speakers: ['emodb:08'],
    });
    expect(annotated.attentionExamples?.examples).toHaveLength(2);
    expect(annotated.attentionExamples?.examples.every((example) => example.speaker === 'emodb:08')).toBe(
      true,
    );
  });

  it('still writes the cost when the corpus is missing, and says why there are no examples', async () => {
    const { folder } = await modelFolder('tiny-attention', CNN_BLSTM);
    const lines: string[] = [];
    const missing = join(corpus, 'not-here');
    const annotated = await annotateModelFolder(folder, {
      backend,
      corpora: [{ corpus: 'emodb', path: missing }],
      latency: { runs: 2, warmup: 0 },
      log: (line) => lines.push(line),
    });
    expect(annotated.inference?.macs).toBeGreaterThan(0);
    expect(annotated.attentionExamples).toBeUndefined();
    expect(lines).toContain(
      `tiny-attention: attention examples skipped: corpus missing: emodb (no folder at ${missing})`,
    );
  });

  it('gives a model without attention its cost only', async () => {
    const { folder } = await modelFolder('tiny-baseline', { architecture: 'baseline' });
    const lines: string[] = [];
    const annotated = await annotateModelFolder(folder, {
      backend,
      corpora: [{ corpus: 'emodb', path: corpus }],
      latency: { runs: 2, warmup: 0 },
      log: (line) => lines.push(line),
    });
    // Statistics 2 · 126 · 40, BatchNorm 160, logistic regression (160 + 1) · 4.
    expect(annotated.inference?.macs).toBe(2 * 126 * 40 + 160 + 161 * 4);
    expect(annotated.attentionExamples).toBeUndefined();
    expect(lines).toContain('tiny-baseline: no attention layer, so no attention examples');
  });
});

describe('npm run models:annotate', () => {
  it('annotates the folders it is given with the fused LSTM registered, saying what it does', async () => {
    const { folder } = await modelFolder('tiny-cli', CNN_BLSTM);
    const outcome = await runCli('annotate', [folder, '--data', `emodb=${corpus}`, '--runs', '3']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(
      /models:annotate: for 1 model folder\(s\), counts multiply-accumulates from the layers, times 3 forward passes/,
    );
    expect(outcome.stdout).toContain('custom kernels:');
    expect(outcome.stdout).toContain('LSTM (fused recurrence, core/network/fast-lstm.ts)');
    expect(outcome.stdout).toContain('tiny-cli: no training/configs/tiny-cli.json');
    expect(outcome.stdout).toMatch(/tiny-cli: 4 attention examples from the test speakers emodb:03/);
    expect(outcome.stdout).toContain('models:annotate: 1 of 1 annotated');
    const record = await readRunRecord(join(folder, 'run.json'));
    expect(record.inference?.backend).toContain('LSTM (fused recurrence');
    expect(record.attentionExamples?.examples).toHaveLength(4);
  });

  it('skips the examples without corpus folders and refuses a malformed --data', async () => {
    const { folder } = await modelFolder('tiny-cli', CNN_BLSTM);
    const outcome = await runCli('annotate', [folder, '--runs', '2']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain(
      'tiny-cli: attention examples skipped: the corpus folders of this run are unknown',
    );
    expect((await readRunRecord(join(folder, 'run.json'))).inference).toBeDefined();
    const malformed = await runCli('annotate', [folder, '--data', 'nowhere']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/expected --data <ravdess\|.*>=<folder>, got 'nowhere'/);
  });
});

describe('choosing and picturing examples', () => {
  const item = (speaker: string, label: string, file: string): CorpusItem => ({
    file: `/x/${file}`,
    relativePath: file,
    corpus: 'emodb',
    speaker,
    label,
    canonical: label as CorpusItem['canonical'],
  });

  it('draws distinct labels and one clip each, reproducibly, in label order', () => {
    const items = LABELS.flatMap((label) => [1, 2, 3].map((n) => item('03', label, `${label}-${n}.wav`)));
    const first = chooseExampleClips(items, LABELS, 3, 7);
    expect(first).toHaveLength(3);
    expect(new Set(first.map((clip) => clip.canonical)).size).toBe(3);
    expect(first.map((clip) => LABELS.indexOf(clip.canonical))).toEqual(
      [...first.map((clip) => LABELS.indexOf(clip.canonical))].sort(),
    );
    expect(chooseExampleClips([...items].reverse(), LABELS, 3, 7)).toEqual(first);
    expect(chooseExampleClips(items, LABELS, 9, 7)).toHaveLength(4);
  });

  it('reads the shipped weights from the notes and picks the held-out side', () => {
    const record = recordFor('x', CNN_BLSTM, 1, [FOLD_ONE]);
    expect(shippedWeightsOf(record)).toBe('fold-1');
    expect(heldOutSpeakers(record, 'fold-1')).toEqual({
      weights: 'fold-1',
      side: 'test',
      speakers: ['emodb:03'],
    });
    expect(shippedWeightsOf({ ...record, notes: [ALL_SPEAKERS] })).toBe('all-speakers');
    expect(heldOutSpeakers(record, 'all-speakers').speakers).toEqual(['emodb:08']);
    expect(shippedWeightsOf({ ...record, notes: [] })).toBeNull();
  });

  it('pictures the frames the model saw, averaged to ≤ 20 bands × 94 columns, brightest at the tone', () => {
    const samples = new Float32Array(SAMPLE_RATE * 5);
    for (let i = 0; i < samples.length; i++)
      samples[i] = 0.3 * Math.sin((2 * Math.PI * 1000 * i) / SAMPLE_RATE);
    // 5 s = 313 frames, cropped to the central 188 from frame 62, in columns of 2 frames.
    const picture = logMelPicture(samples, {}, 188);
    expect(picture.db).toHaveLength(20);
    expect(picture.db.every((row) => row.length === 94)).toBe(true);
    expect(picture.frameSeconds).toBe(0.032);
    expect(picture.startSeconds).toBeCloseTo(62.5 * 0.016, 6);
    expect(picture.bandHz).toEqual([...picture.bandHz].sort((a, b) => a - b));
    const loudest = picture.db
      .map((row) => row[40])
      .reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
    const nearest = picture.bandHz.reduce(
      (best, hz, i, all) => (Math.abs(hz - 1000) < Math.abs(all[best] - 1000) ? i : best),
      0,
    );
    expect(Math.abs(loudest - nearest)).toBeLessThanOrEqual(1);
    // A 1 s clip is padded, not stretched: its 63 frames, one column each, from its first frame.
    const short = logMelPicture(samples.subarray(0, SAMPLE_RATE), {}, 188);
    expect(short.db[0]).toHaveLength(63);
    expect(short.startSeconds).toBe(0);
  });
});
