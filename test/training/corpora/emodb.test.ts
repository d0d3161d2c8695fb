import { describe, expect, it } from 'vitest';
import { emodb, parseEmodbName } from '../../../training/corpora/emodb.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseEmodbName', () => {
  it('reads speaker, gender and the German emotion letter', () => {
    expect(parseEmodbName('03a01Fa.wav')).toEqual({ speaker: '03', gender: 'male', label: 'F' });
    expect(parseEmodbName('16b10Lb.wav')).toEqual({ speaker: '16', gender: 'female', label: 'L' });
  });

  it('rejects speakers outside the ten EMO-DB speakers', () => {
    expect(parseEmodbName('05a01Fa.wav')).toEqual({
      skipReason: 'expected an EMO-DB speaker (03, 08, 09, 10, 11, 12, 13, 14, 15, 16), got 05',
    });
  });
});

describe('emodb.list', () => {
  it('reads wav/ and maps Langeweile to boredom, skipping unknown emotion letters', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['wav/03a01Fa.wav', 'wav/08b02Lc.wav', 'wav/09a05Xa.wav']);
    const listing = await emodb.list(root);
    expect(listing?.layout).toBe('wav/SSTTTEV.wav (e.g. wav/03a01Fa.wav)');
    expect(
      listing?.items.map((item) => [item.relativePath, item.speaker, item.gender, item.canonical]),
    ).toEqual([
      ['wav/03a01Fa.wav', '03', 'male', 'happy'],
      ['wav/08b02Lc.wav', '08', 'female', 'boredom'],
    ]);
    expect(listing?.skipped).toEqual([
      { file: 'wav/09a05Xa.wav', reason: 'unknown emodb emotion label "X"' },
    ]);
  });

  it('also reads the wav/ folder itself', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['14a07Tb.wav']);
    const listing = await emodb.list(root);
    expect(listing?.layout).toBe('SSTTTEV.wav directly in the folder (the wav/ folder itself)');
    expect(listing?.items.map((item) => [item.relativePath, item.canonical])).toEqual([
      ['14a07Tb.wav', 'sad'],
    ]);
  });

  it('does not apply to a folder with neither wav/ nor EMO-DB names', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Angry/SM1_F10_A010.wav']);
    expect(await emodb.list(root)).toBeNull();
  });
});
