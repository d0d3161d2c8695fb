import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRavdessName, ravdess } from '../../../training/corpora/ravdess.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseRavdessName', () => {
  it('reads emotion and actor, odd actors being male', () => {
    expect(parseRavdessName('03-01-05-02-01-02-07.wav', '07')).toEqual({
      speaker: '07',
      gender: 'male',
      label: '05',
    });
    expect(parseRavdessName('03-01-02-01-01-01-12.wav', '12')).toEqual({
      speaker: '12',
      gender: 'female',
      label: '02',
    });
  });

  it('explains names outside the speech scheme', () => {
    expect(parseRavdessName('01-01-05-02-01-02-07.wav', '07')).toEqual({
      skipReason: 'expected modality 03 (audio-only), got 01',
    });
    expect(parseRavdessName('03-01-05-02-01-02-08.wav', '07')).toEqual({
      skipReason: 'file name says actor 08 but it is in Actor_07',
    });
    expect(parseRavdessName('take1.wav', '07')).toEqual({
      skipReason: 'expected a RAVDESS name like 03-01-05-01-02-01-07.wav, got take1.wav',
    });
  });
});

describe('ravdess.list', () => {
  it('lists speech files, leaves songs out with a note and skips misnamed files', async () => {
    const root = await makeTempDir();
    await writeClips(root, [
      'Actor_01/03-01-02-01-01-01-01.wav',
      'Actor_01/03-02-03-01-01-01-01.wav',
      'Actor_01/take1.wav',
      'Actor_02/03-01-05-02-01-02-02.wav',
      'Actor_02/03-01-01-01-01-01-05.wav',
    ]);
    await writeFile(join(root, 'Actor_02', 'notes.txt'), 'not audio');
    const listing = await ravdess.list(root);
    expect(listing?.layout).toBe('Actor_01..24/03-01-EE-II-SS-RR-AA.wav');
    expect(
      listing?.items.map(({ relativePath, speaker, gender, label, canonical }) => ({
        relativePath,
        speaker,
        gender,
        label,
        canonical,
      })),
    ).toEqual([
      {
        relativePath: 'Actor_01/03-01-02-01-01-01-01.wav',
        speaker: '01',
        gender: 'male',
        label: '02',
        canonical: 'calm',
      },
      {
        relativePath: 'Actor_02/03-01-05-02-01-02-02.wav',
        speaker: '02',
        gender: 'female',
        label: '05',
        canonical: 'angry',
      },
    ]);
    expect(listing?.items[0].file).toBe(join(root, 'Actor_01/03-01-02-01-01-01-01.wav'));
    expect(listing?.skipped.map((skip) => skip.file)).toEqual([
      'Actor_01/take1.wav',
      'Actor_02/03-01-01-01-01-01-05.wav',
    ]);
    expect(listing?.notes).toEqual(['left out 1 song files (vocal channel 02): this loader reads speech']);
  });

  it('merges calm into neutral when asked', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Actor_03/03-01-02-01-01-01-03.wav']);
    const listing = await ravdess.list(root, { mergeCalmIntoNeutral: true });
    expect(listing?.items.map((item) => [item.label, item.canonical])).toEqual([['02', 'neutral']]);
  });

  it('does not apply to a folder without Actor_NN folders', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['wav/03a01Fa.wav']);
    expect(await ravdess.list(root)).toBeNull();
  });
});
