import '@tensorflow/tfjs-backend-cpu';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { detectVoiceActivity } from '../../../core/audio/voice-activity.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { classifyClip } from '../../../core/serving/classify-clip.ts';
import { createModelStore, type ServedModel } from '../../../core/serving/model-store.ts';
import { withNoise } from '../../../training/evaluation/added-noise.ts';
import { evaluate, type Metrics } from '../../../training/evaluation/metrics.ts';
import { seedOf } from '../../../training/experiment.ts';
import { createRandom } from '../../../training/random.ts';
import { readModelSource } from '../../fixtures/models/read-models.ts';
import { makeTempDir, writeClip } from '../corpora/tiny-corpus.ts';
import { type CliOutcome, ROOT, runCli } from './run-cli.ts';

const FIXTURE_MODELS = join(ROOT, 'test/fixtures/models');
const TINY_CNN = join(FIXTURE_MODELS, 'tiny-cnn');
const EXAMPLE_RUN = join(ROOT, 'test/fixtures/run-records/cnn-emodb-loso/run.json');

interface Report {
  model: { id: string; labels: string[] };
  corpus: { id: string; clips: number };
  protocol: { kind: string; speakerIndependent: boolean | null; statement: string };
  firstSeconds: number | null;
  noise: { colour: string; snrDb: number; seed: number } | null;
  evaluated: number;
  leftOut: { reason: string; count: number }[];
  metrics: Metrics;
  items: { file: string; speaker: string; truth: string; predicted: string; probabilities: number[] }[];
}

const runEvaluate = (args: string[]) => runCli('evaluate', args);

/** tiny-cnn as the serving path runs it, on tfjs's cpu backend: the reference for the CLI's answers. */
function servedTinyCnn(): Promise<ServedModel> {
  const store = createModelStore(readModelSource(FIXTURE_MODELS), {
    prepareBackend: async () => {
      await tf.setBackend('cpu');
    },
  });
  return store.load('tiny-cnn');
}

/**
 * A tone in syllable-long bursts (so voice activity finds speech in it) with a little noise: each clip differs
 * in pitch, level and length, so predictions differ too.
 */
function burstClip(index: number): Uint8Array {
  const sampleRate = 16000;
  const samples = new Float32Array(Math.round(sampleRate * (0.6 + 0.35 * (index % 5))));
  const frequency = 150 * (index + 1);
  const amplitude = 0.05 + 0.09 * (index % 4);
  const syllable = 0.25 * sampleRate;
  for (let i = 0; i < samples.length; i++) {
    const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / syllable);
    samples[i] =
      amplitude * envelope * Math.sin((2 * Math.PI * frequency * i) / sampleRate) + 0.01 * Math.sin(i * i);
  }
  return encodeWav(samples, sampleRate);
}

/** EMO-DB letters of the tiny-cnn labels (W angry, F happy, N neutral, T sad), and L (boredom, not one). */
const FILES = [
  ...['03', '08', '16'].flatMap((speaker) =>
    ['W', 'F', 'N', 'T'].map((letter) => `wav/${speaker}a01${letter}a.wav`),
  ),
  'wav/03a02La.wav',
  'wav/08a02La.wav',
];

let scratch: string;
let corpus: string;
let unknownProtocol: { outcome: CliOutcome; report: Report };

/** A copy of tiny-cnn (the folder name is the model id) with the given run.json, or none. */
async function modelFolder(run?: (record: Record<string, unknown>) => Record<string, unknown>) {
  const folder = join(await makeTempDir('ser-model-'), 'tiny-cnn');
  await cp(TINY_CNN, folder, { recursive: true });
  if (run !== undefined) {
    const example = JSON.parse(await readFile(EXAMPLE_RUN, 'utf8'));
    await writeFile(join(folder, 'run.json'), JSON.stringify(run({ ...example, id: 'tiny-cnn' })));
  }
  return folder;
}

const withTask = (record: Record<string, unknown>, corpusId: string, notes: string[]) => ({
  ...record,
  task: { ...(record.task as object), corpus: corpusId },
  notes,
});

/** Runs the CLI on the tiny corpus with --json into a scratch folder (made by the CLI) and reads the report. */
async function evaluateToJson(model: string, extra: string[] = [], folder?: string) {
  const json = join(folder ?? (await makeTempDir('ser-eval-')), 'out', 'report.json');
  const outcome = await runEvaluate([model, '--corpus', 'emodb', '--data', corpus, '--json', json, ...extra]);
  expect(outcome.code, outcome.stderr).toBe(0);
  return { outcome, report: JSON.parse(await readFile(json, 'utf8')) as Report };
}

describe('npm run evaluate', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ser-eval-'));
    corpus = join(scratch, 'corpus');
    for (const [index, file] of FILES.entries()) await writeClip(corpus, file, burstClip(index));
    unknownProtocol = await evaluateToJson(TINY_CNN, [], scratch);
  });

  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('evaluates only clips whose label the model has, and says how many were left out and why', () => {
    const { report, outcome } = unknownProtocol;
    expect(report.corpus.clips).toBe(14);
    expect(report.evaluated).toBe(12);
    expect(report.leftOut).toEqual([{ reason: "label boredom is not among the model's labels", count: 2 }]);
    expect(report.items.map((item) => item.truth).sort()).toEqual(
      ['angry', 'happy', 'neutral', 'sad'].flatMap((label) => [label, label, label]),
    );
    expect(outcome.stdout).toContain('evaluated 12 of 14 clips');
    expect(outcome.stdout).toContain("left out 2: label boredom is not among the model's labels");
  });

  it('gives each clip the probabilities the serving path gives it, and predicts their argmax', async () => {
    const served = await servedTinyCnn();
    for (const item of unknownProtocol.report.items) {
      const audio = decodeAudio(await readFile(join(corpus, item.file)));
      const expected = classifyClip(served, audio.samples, { attention: false }).probabilities ?? [];
      // The CLI runs on wasm, this on cpu: the same network within float rounding.
      item.probabilities.forEach((p, i) => {
        expect(Math.abs(p - expected[i]), `${item.file} probability ${i}`).toBeLessThan(1e-5);
      });
      const best = item.probabilities.indexOf(Math.max(...item.probabilities));
      expect(item.predicted).toBe(served.metadata.labels[best]);
    }
    // The bursts are varied enough that the random-weight model does not answer one label for all.
    expect(new Set(unknownProtocol.report.items.map((item) => item.predicted)).size).toBeGreaterThan(1);
  });

  it('with --first-seconds, classifies each clip from its first speech for at most that long', async () => {
    const { report, outcome } = await evaluateToJson(TINY_CNN, ['--first-seconds', '0.7']);
    expect(report.firstSeconds).toBe(0.7);
    expect(outcome.stdout).toContain('each clip cut to its first 0.7 s from its first speech');
    const served = await servedTinyCnn();
    let cut = 0;
    for (const item of report.items) {
      const { samples, sampleRate } = decodeAudio(await readFile(join(corpus, item.file)));
      const { active, hopSeconds } = detectVoiceActivity(samples, sampleRate);
      const from = Math.round(active.indexOf(1) * hopSeconds * sampleRate);
      const part = samples.subarray(from, Math.min(samples.length, from + Math.round(0.7 * sampleRate)));
      if (part.length < samples.length) cut++;
      const expected = classifyClip(served, part, { attention: false }).probabilities ?? [];
      item.probabilities.forEach((p, i) => {
        expect(Math.abs(p - expected[i]), `${item.file} probability ${i}`).toBeLessThan(1e-5);
      });
    }
    // The clips are 0.6–2 s long: most are cut.
    expect(cut).toBeGreaterThan(report.items.length / 2);
  });

  it('with --snr, classifies each clip with seeded noise added at that SNR below its speech', async () => {
    const args = ['--snr', '10', '--noise', 'brown', '--seed', '7'];
    const { report, outcome } = await evaluateToJson(TINY_CNN, args);
    expect(report.noise).toEqual({ colour: 'brown', snrDb: 10, seed: 7 });
    expect(outcome.stdout).toContain("brown noise added at 10 dB below each clip's speech level (seed 7)");
    const served = await servedTinyCnn();
    let moved = 0;
    for (const item of report.items) {
      const { samples, sampleRate } = decodeAudio(await readFile(join(corpus, item.file)));
      const noisy = withNoise(samples, sampleRate, 10, 'brown', createRandom(seedOf(`7:${item.file}`)));
      const expected = classifyClip(served, noisy, { attention: false }).probabilities ?? [];
      item.probabilities.forEach((p, i) => {
        expect(Math.abs(p - expected[i]), `${item.file} probability ${i}`).toBeLessThan(1e-5);
      });
      const clean = unknownProtocol.report.items.find((entry) => entry.file === item.file);
      if (clean && Math.abs(clean.probabilities[0] - item.probabilities[0]) > 1e-4) moved++;
    }
    // The noise reaches the network: answers move.
    expect(moved).toBeGreaterThan(0);
  });

  it('reports metrics that follow from its own predictions, in JSON and in print alike', () => {
    const { report, outcome } = unknownProtocol;
    const labels = report.model.labels;
    const recomputed = evaluate(
      labels,
      report.items.map((item) => labels.indexOf(item.truth)),
      report.items.map((item) => labels.indexOf(item.predicted)),
    );
    expect(report.metrics).toEqual(recomputed);
    const printed = /UA ([\d.]+) % {2}WA ([\d.]+) % {2}macro-F1 ([\d.]+) %/.exec(outcome.stdout);
    expect(printed?.slice(1).map(Number)).toEqual(
      [recomputed.ua, recomputed.wa, recomputed.macroF1].map((value) => Number((100 * value).toFixed(1))),
    );
    const lines = outcome.stdout.split('\n');
    const header = lines.findIndex((line) => line.startsWith('true \\ predicted'));
    const matrix = lines
      .slice(header + 1, header + 1 + labels.length)
      .map((line) => line.trim().split(/\s+/));
    expect(matrix.map((row) => row[0])).toEqual(labels);
    expect(matrix.map((row) => row.slice(1).map(Number))).toEqual(recomputed.confusion.counts);
    const percent = (value: number | null) => (value === null ? '—' : (100 * value).toFixed(1));
    const perClass = lines.findIndex((line) => line.startsWith('class '));
    expect(
      lines.slice(perClass + 1, perClass + 1 + labels.length).map((line) => line.trim().split(/\s+/)),
    ).toEqual(
      recomputed.perClass.map((row) => [
        row.label,
        percent(row.precision),
        percent(row.recall),
        percent(row.f1),
        String(row.support),
        String(row.predicted),
      ]),
    );
  });

  it('says the protocol is unknown without a run.json', () => {
    expect(unknownProtocol.report.protocol).toMatchObject({ kind: 'unknown', speakerIndependent: null });
    expect(unknownProtocol.outcome.stdout).toContain(
      'protocol: UNKNOWN: the model folder has no run.json, so whether these speakers were in training cannot be checked',
    );
  });

  it('calls a corpus the model never trained on a held-out corpus', async () => {
    const model = await modelFolder((record) => withTask(record, 'ravdess', []));
    const { report, outcome } = await evaluateToJson(model);
    expect(report.protocol).toMatchObject({ kind: 'held-out-corpus', speakerIndependent: true });
    expect(outcome.stdout).toContain(
      "protocol: held-out corpus: emodb is not in the model's training data (ravdess)",
    );
  });

  it("calls a leave-one-corpus-out record's held-out corpus a held-out corpus", async () => {
    const model = await modelFolder((record) => ({
      ...withTask(record, 'ravdess+emodb', []),
      task: { ...(record.task as object), corpus: 'ravdess+emodb', heldOutCorpus: 'emodb' },
    }));
    const { report, outcome } = await evaluateToJson(model);
    expect(report.protocol).toMatchObject({ kind: 'held-out-corpus', speakerIndependent: true });
    expect(outcome.stdout).toContain(
      "protocol: held-out corpus: emodb is not in the model's training data (ravdess)",
    );
  });

  it('warns that a training corpus gives speaker-dependent, optimistic scores', async () => {
    const model = await modelFolder((record) => withTask(record, 'ravdess+emodb', []));
    const { report, outcome } = await evaluateToJson(model);
    expect(report.protocol).toMatchObject({ kind: 'speaker-dependent', speakerIndependent: false });
    expect(outcome.stdout).toContain(
      'protocol: WARNING: these speakers were in training — speaker-dependent, optimistic',
    );
    expect(report.evaluated).toBe(12);
  });

  it("with --fold-test-speakers, evaluates only fold 1's test speakers of a fold-1 model", async () => {
    // The example record's fold 1 tests emodb:03.
    const note =
      "The shipped weights are fold 1's model (test speakers emodb:03); the scores above are over all 10 folds.";
    const model = await modelFolder((record) => withTask(record, 'emodb', [note]));
    const { report, outcome } = await evaluateToJson(model, ['--fold-test-speakers']);
    expect(report.protocol).toMatchObject({ kind: 'fold-test-speakers', speakerIndependent: true });
    expect(outcome.stdout).toContain("protocol: speaker-independent: fold 1's test speakers only (emodb:03)");
    expect(report.items.map((item) => item.speaker)).toEqual(['03', '03', '03', '03']);
    expect(report.leftOut).toEqual([
      { reason: "label boredom is not among the model's labels", count: 2 },
      { reason: "speaker is not among fold 1's test speakers", count: 8 },
    ]);
    // The same clips score the same as in the full run.
    const full = new Map(unknownProtocol.report.items.map((item) => [item.file, item.predicted]));
    for (const item of report.items) expect(item.predicted).toBe(full.get(item.file));
  });

  it.each([
    [
      'a missing model folder',
      ['/nonexistent/tiny-cnn', '--corpus', 'emodb', '--data', '.'],
      'expected a model folder at /nonexistent/tiny-cnn, got nothing',
    ],
    [
      'an unknown corpus',
      [TINY_CNN, '--corpus', 'iemocap', '--data', '.'],
      'expected --corpus to be one of ravdess, emodb, urdu, savee, tess, crema-d, ased, turev, got iemocap',
    ],
    ['no --data', [TINY_CNN, '--corpus', 'emodb'], 'expected --data <corpus folder>, got nothing'],
    [
      'a first-seconds under half a second',
      [TINY_CNN, '--corpus', 'emodb', '--data', '.', '--first-seconds', '0.2'],
      'expected --first-seconds from 0.5 to 60, got 0.2',
    ],
    [
      'an SNR out of range',
      [TINY_CNN, '--corpus', 'emodb', '--data', '.', '--snr', '90'],
      'expected --snr from -10 to 60 dB, got 90',
    ],
    [
      'an unknown noise',
      [TINY_CNN, '--corpus', 'emodb', '--data', '.', '--snr', '10', '--noise', 'pink'],
      'expected --noise white or brown, got pink',
    ],
    [
      'a noise without an SNR',
      [TINY_CNN, '--corpus', 'emodb', '--data', '.', '--noise', 'brown'],
      'expected --noise and --seed only with --snr, got them without',
    ],
  ])('refuses %s with exit code 2', async (_, args, message) => {
    const outcome = await runEvaluate(args);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(message);
  });

  it('refuses invalid metadata, naming what is wrong', async () => {
    const model = await modelFolder();
    const metadata = JSON.parse(await readFile(join(model, 'metadata.json'), 'utf8'));
    await writeFile(join(model, 'metadata.json'), JSON.stringify({ ...metadata, labels: ['angry'] }));
    const outcome = await runEvaluate([model, '--corpus', 'emodb', '--data', corpus]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      "model 'tiny-cnn': metadata.json is invalid: Too small: expected array to have >=2 items",
    );
  });

  it('refuses --fold-test-speakers for a model whose shipped weights are not fold 1', async () => {
    const model = await modelFolder((record) => withTask(record, 'emodb', ['Trained on every speaker.']));
    const outcome = await runEvaluate([model, '--corpus', 'emodb', '--data', corpus, '--fold-test-speakers']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      `expected run.json notes to say "The shipped weights are fold 1's model" for --fold-test-speakers, got: Trained on every speaker.`,
    );
  });

  it('refuses a folder with no corpus layout', async () => {
    const empty = await makeTempDir();
    const outcome = await runEvaluate([TINY_CNN, '--corpus', 'emodb', '--data', empty]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`no known corpus layout in ${empty}`);
  });
});
