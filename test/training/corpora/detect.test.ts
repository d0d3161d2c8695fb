import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError } from '../../../training/corpora/corpus.ts';
import { detectCorpus } from '../../../training/corpora/detect.ts';
import type { CorpusId } from '../../../training/corpora/labels.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

const LAYOUTS: Record<CorpusId, string[]> = {
  ravdess: ['Actor_01/03-01-01-01-01-01-01.wav', 'Actor_02/03-01-03-01-01-01-02.wav'],
  emodb: ['wav/03a01Fa.wav', 'wav/08a01Na.wav'],
  urdu: ['Angry/SM1_F10_A010.wav', 'Sad/SF1_F1_S01.wav'],
  savee: ['AudioData/DC/a01.wav', 'AudioData/JE/n01.wav'],
  tess: ['OAF_angry/OAF_back_angry.wav', 'YAF_sad/YAF_back_sad.wav'],
  'crema-d': ['AudioWAV/1001_DFA_ANG_XX.wav', 'AudioWAV/1002_DFA_NEU_XX.wav'],
  ased: ['01Neutral/n1-01-01-01-01.flac', '05Angry/a5-03-01-02-50.wav'],
  turev: ['Sound Source/Angry/1157_kz_acik.flac', 'Sound Source/Calm/1234_sk_algi.flac'],
};

async function rejection(promise: Promise<unknown>): Promise<CorpusError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CorpusError)) throw new Error(`expected a CorpusError, got ${String(error)}`);
  return error;
}

describe('detectCorpus', () => {
  for (const [corpus, files] of Object.entries(LAYOUTS)) {
    it(`recognises ${corpus} in its official layout`, async () => {
      const root = await makeTempDir();
      await writeClips(root, files);
      const { definition, listing } = await detectCorpus(root);
      expect(definition.id).toBe(corpus);
      expect(listing.items).toHaveLength(2);
    });
  }

  it('says when the folder does not exist or is a file', async () => {
    const root = await makeTempDir();
    const missing = await rejection(detectCorpus(join(root, 'nope')));
    expect(missing.code).toBe('missing-folder');
    expect(missing.message).toBe(`expected a corpus folder at ${join(root, 'nope')}, but it does not exist`);
    await writeFile(join(root, 'file.txt'), 'x');
    expect((await rejection(detectCorpus(join(root, 'file.txt')))).code).toBe('not-a-folder');
  });

  it('names every layout it looked for and what it found instead', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['audio/clip1.wav', 'audio/clip2.wav']);
    await writeFile(join(root, 'labels.csv'), 'file,label\n');
    const error = await rejection(detectCorpus(root));
    expect(error.code).toBe('unknown-layout');
    expect(error.message).toContain(
      `no known corpus layout in ${root}: looked for RAVDESS (speech) (Actor_01..24/`,
    );
    for (const layout of [
      'wav/SSTTTEV.wav',
      '{Angry,Happy,Neutral,Sad}/',
      'ALL/DC_a01.wav',
      'OAF_',
      'AudioWAV/',
    ]) {
      expect(error.message).toContain(layout);
    }
    expect(error.message).toContain('found 1 folders (audio) and 1 files (labels.csv).');
  });

  it('says when a layout is present but none of its files fit the name scheme', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Actor_01/take1.wav']);
    const error = await rejection(detectCorpus(root));
    expect(error.message).toContain(
      'RAVDESS (speech) folders are present but none of their 1 audio files fit its names ' +
        '(expected a RAVDESS name like 03-01-05-01-02-01-07.wav, got take1.wav).',
    );
  });

  it('reads the folder only as the corpus it is told to', async () => {
    const root = await makeTempDir();
    await writeClips(root, LAYOUTS.ravdess);
    const error = await rejection(detectCorpus(root, { corpus: 'emodb' }));
    expect(error.code).toBe('unknown-layout');
    expect(error.message).toContain('looked for EMO-DB (wav/SSTTTEV.wav');
    expect(error.message).not.toContain('RAVDESS');
    expect((await detectCorpus(root, { corpus: 'ravdess' })).definition.id).toBe('ravdess');
  });
});
