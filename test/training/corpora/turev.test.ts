import { describe, expect, it } from 'vitest';
import { detectCorpus } from '../../../training/corpora/detect.ts';
import { toCanonical } from '../../../training/corpora/labels.ts';
import { parseTurevName, turev } from '../../../training/corpora/turev.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseTurevName', () => {
  it('reads the speaker and the emotion code, in any case, and no gender', () => {
    expect(parseTurevName('1157_kz_acik.flac', 'Angry')).toEqual({ speaker: '1157', label: 'kz' });
    expect(parseTurevName('1234_SK_algi.wav', 'calm')).toEqual({ speaker: '1234', label: 'sk' });
  });

  it('skips a file whose emotion code disagrees with its folder or is unknown', () => {
    expect(parseTurevName('1157_mt_acik.flac', 'Angry')).toEqual({
      skipReason: 'file name says emotion mt but it is in Angry/',
    });
    expect(parseTurevName('1157_nt_acik.flac', 'Calm')).toEqual({
      skipReason: 'file name says emotion nt but it is in Calm/',
    });
  });

  it('skips names outside the scheme', () => {
    expect(parseTurevName('kz_acik.flac', 'Angry')).toEqual({
      skipReason: 'expected a TurEV-DB name like 1157_kz_acik.flac, got kz_acik.flac',
    });
    expect(parseTurevName('1157_kz_acik_2.flac', 'Angry')).toEqual({
      skipReason: 'expected a TurEV-DB name like 1157_kz_acik.flac, got 1157_kz_acik_2.flac',
    });
  });

  it('maps calm to calm, or to neutral when asked', () => {
    expect(toCanonical('turev', 'sk')).toBe('calm');
    expect(toCanonical('turev', 'sk', { mergeCalmIntoNeutral: true })).toBe('neutral');
    expect(toCanonical('turev', 'HL', { mergeCalmIntoNeutral: true })).toBe('sad');
  });
});

describe('turev.list', () => {
  const files = [
    'Sound Source/Angry/1157_kz_acik.flac',
    'Sound Source/Calm/1234_sk_algi.wav',
    'Sound Source/Happy/1358_mt_beste.FLAC',
    'Sound Source/Sad/7895_hl_cay.flac',
    'Sound Source/Sad/7895_kz_bugu.flac',
    'Sound Source/Sad/readme.txt',
    'Sound Source/Neutral/1157_nt_acik.flac',
  ];

  it('reads the four emotion folders under Sound Source, .flac and .wav alike', async () => {
    const root = await makeTempDir();
    await writeClips(root, files);
    const listing = await turev.list(root);
    expect(listing?.layout).toBe('Sound Source/{Angry,Calm,Happy,Sad}/1157_kz_acik.flac');
    expect(
      listing?.items.map((item) => [
        item.relativePath,
        item.speaker,
        item.gender,
        item.label,
        item.canonical,
      ]),
    ).toEqual([
      ['Sound Source/Angry/1157_kz_acik.flac', '1157', undefined, 'kz', 'angry'],
      ['Sound Source/Calm/1234_sk_algi.wav', '1234', undefined, 'sk', 'calm'],
      ['Sound Source/Happy/1358_mt_beste.FLAC', '1358', undefined, 'mt', 'happy'],
      ['Sound Source/Sad/7895_hl_cay.flac', '7895', undefined, 'hl', 'sad'],
    ]);
    expect(listing?.items.every((item) => !('gender' in item))).toBe(true);
    expect(listing?.skipped).toEqual([
      { file: 'Sound Source/Sad/7895_kz_bugu.flac', reason: 'file name says emotion kz but it is in Sad/' },
    ]);
  });

  it('reads the same folders when pointed at Sound Source itself', async () => {
    const root = await makeTempDir();
    await writeClips(root, files);
    const listing = await turev.list(`${root}/Sound Source`);
    expect(listing?.layout).toBe('{Angry,Calm,Happy,Sad}/1157_kz_acik.flac');
    expect(listing?.items.map((item) => item.relativePath)).toEqual([
      'Angry/1157_kz_acik.flac',
      'Calm/1234_sk_algi.wav',
      'Happy/1358_mt_beste.FLAC',
      'Sad/7895_hl_cay.flac',
    ]);
    // Angry, Happy and Sad are URDU folders too: the loader that recognises the files wins.
    expect((await detectCorpus(`${root}/Sound Source`)).definition.id).toBe('turev');
  });

  it('does not apply without its emotion folders, and leaves URDU to URDU', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Actor_01/03-01-01-01-01-01-01.wav']);
    expect(await turev.list(root)).toBeNull();
    const urdu = await makeTempDir();
    await writeClips(urdu, ['Angry/SM1_F10_A010.wav', 'Sad/SF1_F1_S01.wav']);
    expect((await detectCorpus(urdu)).definition.id).toBe('urdu');
  });
});
