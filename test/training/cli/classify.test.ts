import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { classifyClip } from '../../../core/serving/classify-clip.ts';
import { createModelStore } from '../../../core/serving/model-store.ts';
import { silence } from '../../fixtures/audio/synthetic.ts';
import { readModelSource } from '../../fixtures/models/read-models.ts';
import { ROOT, runCli } from './run-cli.ts';

const TINY = join(ROOT, 'test/fixtures/models/tiny-blstm');
const SPEECH = join(ROOT, 'test/fixtures/audio/speech.wav');
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ser-classify-'));
  const speech = await readFile(SPEECH);
  const { samples } = decodeAudio(speech);
  const long = new Float32Array(3 * samples.length);
  for (let copy = 0; copy < 3; copy++) long.set(samples, copy * samples.length);
  await mkdir(join(folder, 'clips/nested'), { recursive: true });
  await writeFile(join(folder, 'clips/speech.wav'), speech);
  await writeFile(join(folder, 'clips/nested/long.wav'), encodeWav(long, 16000));
  await writeFile(join(folder, 'clips/quiet.wav'), encodeWav(silence(2), 16000));
  await writeFile(join(folder, 'clips/notes.txt'), 'not audio, not a .wav: skipped in a folder');
  await writeFile(join(folder, 'broken.wav'), 'RIFF but not really');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('npm run classify', () => {
  it('prints a table of every WAV in a folder, by the default model of models/registry.json', async () => {
    const registry = JSON.parse(await readFile(join(ROOT, 'models/registry.json'), 'utf8')) as {
      default: string;
    };
    // Its output is a pipe here, which gets JSON lines unless the table is asked for.
    const outcome = await runCli('classify', [join(folder, 'clips'), '--table']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const lines = outcome.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^model ${registry.default} `));
    expect(lines[1]).toMatch(/^file +seconds +answer +confidence +windows$/);
    expect(lines.slice(2).map((line) => line.split(/ +/)[0].replace(/.*clips\//, ''))).toEqual([
      'nested/long.wav',
      'quiet.wav',
      'speech.wav',
    ]);
    expect(lines[3]).toMatch(/quiet\.wav +2\.00 +no speech/);
    expect(lines[2]).toMatch(/long\.wav +9\.46 +\w+ +0\.\d\d +\d+\/\d+$/);
  });

  it('writes JSON lines with the API answer, the same probabilities as the serving runtime', async () => {
    const outcome = await runCli('classify', [
      SPEECH,
      join(folder, 'clips/nested/long.wav'),
      '--json',
      '--model',
      TINY,
    ]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const answers = outcome.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers).toHaveLength(2);
    const store = createModelStore(readModelSource(join(ROOT, 'test/fixtures/models')), {
      prepareBackend: async () => {
        await tf.setBackend('cpu');
      },
    });
    const served = await store.load('tiny-blstm');
    for (const [index, path] of [SPEECH, join(folder, 'clips/nested/long.wav')].entries()) {
      const answer = answers[index];
      expect(answer).toMatchObject({ model: { id: 'tiny-blstm' }, outcome: 'classified' });
      const { samples } = decodeAudio(await readFile(path));
      const reference = classifyClip(served, samples, { attention: false }).probabilities ?? [];
      Object.values(answer.probabilities as Record<string, number>).forEach((p, i) => {
        expect(Math.abs(p - reference[i])).toBeLessThan(1e-4);
      });
      expect(answer.analysis.windows).toBeGreaterThan(1);
    }
  });

  it('adds the timeline of segments with --segment', async () => {
    const outcome = await runCli('classify', [
      join(folder, 'clips/nested/long.wav'),
      '--segment',
      '3',
      '--json',
      '--model',
      TINY,
    ]);
    const [answer] = outcome.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answer.timeline.map((entry: { startSeconds: number }) => entry.startSeconds)).toEqual([0, 3, 6]);
  });

  it('answers over the labels given with --labels, as ?labels= does', async () => {
    const [all, chosen] = await Promise.all(
      [[], ['--labels', 'sad,angry']].map(async (extra) => {
        const outcome = await runCli('classify', [SPEECH, '--json', '--model', TINY, ...extra]);
        expect(outcome.code, outcome.stderr).toBe(0);
        return JSON.parse(outcome.stdout);
      }),
    );
    expect(chosen.labels).toEqual(['angry', 'sad']);
    const total = all.probabilities.angry + all.probabilities.sad;
    expect(chosen.probabilities.angry).toBeCloseTo(all.probabilities.angry / total, 5);
    expect(chosen.probabilities.sad).toBeCloseTo(all.probabilities.sad / total, 5);
  });

  it('names an unreadable file, classifies the rest and exits 2', async () => {
    const outcome = await runCli('classify', [
      SPEECH,
      join(folder, 'broken.wav'),
      '--model',
      TINY,
      '--table',
    ]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/broken\.wav: cannot classify: .+/);
    expect(outcome.stderr).toContain('1 of 2 files could not be classified');
    expect(outcome.stdout).toMatch(/speech\.wav +3\.15 /);
  });

  it('writes JSON lines into a pipe without being asked', async () => {
    const outcome = await runCli('classify', [SPEECH, '--model', TINY]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const [line, ...rest] = outcome.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({
      file: expect.stringMatching(/speech\.wav$/),
      outcome: 'classified',
    });
  });

  it.each([
    [['--segment', '0.5', 'x.wav'], "expected --segment to be a number of seconds ≥ 1, got '0.5'"],
    [[], 'expected at least one audio file or folder, got none'],
    [['x.wav', '--json', '--table'], 'expected --json or --table, got both'],
    [['/nowhere/at/all.wav'], 'expected an audio file or folder at /nowhere/at/all.wav, got nothing'],
    [['x.wav', '--model', '/nowhere'], 'expected a model folder at /nowhere, got nothing'],
    [
      [SPEECH, '--model', TINY, '--labels', 'joy,sad'],
      "--labels: expected labels among the model's (angry, happy, neutral, sad), got 'joy'",
    ],
    [
      [SPEECH, '--labels', 'sad;angry'],
      "--labels: expected labels as a comma-separated list like 'angry,happy,sad'",
    ],
  ])('refuses %j with exit 2', async (args, message) => {
    const outcome = await runCli('classify', args);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(message);
  });
});
