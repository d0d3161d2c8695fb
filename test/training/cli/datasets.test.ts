import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DatasetsSummary, DatasetsSummarySchema } from '../../../core/contracts/datasets-summary.ts';
import { clip, makeTempDir, writeClip } from '../corpora/tiny-corpus.ts';
import { type CliOutcome, runCli } from './run-cli.ts';

const runDatasets = (args: string[]) => runCli('datasets', args);

/** Writes clips of the given lengths (seconds) at the given paths. */
async function corpusOf(clips: Record<string, number>): Promise<string> {
  const root = await makeTempDir();
  for (const [path, seconds] of Object.entries(clips)) await writeClip(root, path, clip({ seconds }));
  return root;
}

async function summarise(
  corpora: Record<string, string>,
): Promise<{ outcome: CliOutcome; summary: DatasetsSummary }> {
  const out = join(await makeTempDir('ser-datasets-'), 'models', 'datasets.json');
  const args = Object.entries(corpora).flatMap(([id, path]) => ['--corpus', `${id}=${path}`]);
  const outcome = await runDatasets([...args, '--out', out]);
  expect(outcome.code, outcome.stderr).toBe(0);
  return { outcome, summary: JSON.parse(await readFile(out, 'utf8')) };
}

describe('npm run datasets', () => {
  it('summarises each corpus as the site schema describes: classes, speakers, durations, licence, notes', async () => {
    const emodb = await corpusOf({
      'wav/03a01Wa.wav': 2,
      'wav/03a01Fa.wav': 2,
      'wav/08a01Wa.wav': 2,
      'wav/16b02Lb.wav': 2,
      'wav/09a05Xa.wav': 2,
    });
    const urdu = await corpusOf({
      'Angry/SM1_F1_A01.wav': 0.5,
      'Happy/SM2_F1_H01.wav': 1,
      'Neutral/SM10_F1_N01.wav': 1.5,
      'Sad/SF1_F1_S01.wav': 3.2,
    });
    const { summary, outcome } = await summarise({ emodb, urdu });
    expect(DatasetsSummarySchema.parse(summary)).toEqual(summary);
    expect(Date.parse(summary.generatedAt)).not.toBeNaN();
    expect(outcome.stdout).toContain('EMO-DB: 4 files, 3 speakers');

    const [emodbSummary, urduSummary] = summary.corpora;
    expect(emodbSummary).toEqual({
      id: 'emodb',
      name: 'EMO-DB',
      licence: 'free for research (authors)',
      classes: [
        { label: 'happy', count: 1 },
        { label: 'angry', count: 2 },
        { label: 'boredom', count: 1 },
      ],
      speakers: [
        { id: '03', gender: 'male', count: 2 },
        { id: '08', gender: 'female', count: 1 },
        { id: '16', gender: 'female', count: 1 },
      ],
      durations: { total: 8, min: 2, median: 2, max: 2, histogram: { edges: [2, 2.1], counts: [4] } },
      notes: [
        'expected about 535 EMO-DB files (the official release), found 5',
        'left out wav/09a05Xa.wav: unknown emodb emotion label "X"',
        'this public copy was cut or zero-padded to exactly 2.0 s',
      ],
    });

    expect(urduSummary.licence).toBe('research use only');
    // Numeric-aware order: SM2 before SM10.
    expect(urduSummary.speakers.map((speaker) => speaker.id)).toEqual(['SF1', 'SM1', 'SM2', 'SM10']);
    expect(urduSummary.classes.map((item) => item.label)).toEqual(['neutral', 'happy', 'sad', 'angry']);
    const { histogram, ...stats } = urduSummary.durations;
    expect(stats).toEqual({ total: 6.2, min: 0.5, median: 1.25, max: 3.2 });
    // 0.1 s bins would be 28; 0.25 s is the narrowest nice width with at most 16.
    expect(histogram.edges).toEqual(Array.from({ length: 12 }, (_, i) => 0.5 + 0.25 * i));
    expect(histogram.counts).toEqual([1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('leaves the 2.0 s note out when the EMO-DB clips are not all 2.0 s, and names other corpora neutrally', async () => {
    const emodb = await corpusOf({ 'wav/03a01Wa.wav': 2, 'wav/03a01Fa.wav': 2.5 });
    const tess = await corpusOf({ 'OAF_angry/OAF_back_angry.wav': 1, 'YAF_sad/YAF_back_sad.wav': 1.2 });
    const { summary } = await summarise({ emodb, tess });
    expect(summary.corpora[0].notes).toEqual([
      'expected about 535 EMO-DB files (the official release), found 2',
    ]);
    expect(summary.corpora[1].licence).toBe("see the corpus's own terms");
  });

  it.each([
    ['a --corpus without a path', ['--corpus', 'emodb'], "expected --corpus id=path, got 'emodb'"],
    [
      'an unknown corpus',
      ['--corpus', 'iemocap=/tmp'],
      "expected a corpus id in ravdess, emodb, urdu, savee, tess, crema-d, ased, turev, got 'iemocap'",
    ],
    [
      'a missing folder',
      ['--corpus', 'emodb=/nonexistent/emodb'],
      'expected a corpus folder at /nonexistent/emodb, but it does not exist',
    ],
  ])('refuses %s with exit code 2 and writes nothing', async (_, args, message) => {
    const out = join(await makeTempDir('ser-datasets-'), 'datasets.json');
    const outcome = await runDatasets([...args, '--out', out]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe('npm run datasets into an existing summary', () => {
  it('replaces the corpora it read and keeps the others, in the site order', async () => {
    const emodb = await corpusOf({ 'wav/03a01Wa.wav': 2, 'wav/08a01Fa.wav': 2 });
    const urdu = await corpusOf({ 'Angry/SM1_F1_A01.wav': 1, 'Sad/SF1_F1_S01.wav': 1 });
    const out = join(await makeTempDir('ser-datasets-'), 'datasets.json');
    expect(
      (await runDatasets(['--corpus', `urdu=${urdu}`, '--corpus', `emodb=${emodb}`, '--out', out])).code,
    ).toBe(0);
    const emodbAgain = await corpusOf({ 'wav/03a01Wa.wav': 2, 'wav/08a01Fa.wav': 2, 'wav/09a05Wa.wav': 2 });
    const outcome = await runDatasets(['--corpus', `emodb=${emodbAgain}`, '--out', out]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain(`kept from ${out}: URDU`);
    const summary = DatasetsSummarySchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(summary.corpora.map((corpus) => corpus.id)).toEqual(['emodb', 'urdu']);
    expect(summary.corpora[0].speakers).toHaveLength(3);
  });

  it('refuses to add to a file that is not a datasets summary', async () => {
    const emodb = await corpusOf({ 'wav/03a01Wa.wav': 2 });
    const out = join(await makeTempDir('ser-datasets-'), 'datasets.json');
    await writeFile(out, '{"something": "else"}');
    const outcome = await runDatasets(['--corpus', `emodb=${emodb}`, '--out', out]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`expected ${out} to be a datasets summary to add to, got another file`);
    expect(await readFile(out, 'utf8')).toBe('{"something": "else"}');
  });
});
