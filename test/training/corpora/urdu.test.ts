import { describe, expect, it } from 'vitest';
import { parseUrduName, urdu } from '../../../training/corpora/urdu.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseUrduName', () => {
  it('takes the speaker code before the first underscore and the emotion letter of the last part', () => {
    expect(parseUrduName('SM1_F10_A010.wav', 'Angry')).toEqual({
      speaker: 'SM1',
      gender: 'male',
      label: 'A',
    });
    expect(parseUrduName('SF10_F1_S01.wav', 'Sad')).toEqual({
      speaker: 'SF10',
      gender: 'female',
      label: 'S',
    });
  });

  it('skips a file whose emotion letter disagrees with its folder', () => {
    expect(parseUrduName('SM1_F10_H010.wav', 'Angry')).toEqual({
      skipReason: 'file name says emotion H but it is in Angry/',
    });
  });
});

describe('urdu.list', () => {
  it('reads the four emotion folders', async () => {
    const root = await makeTempDir();
    await writeClips(root, [
      'Angry/SM1_F10_A010.wav',
      'Happy/SF1_F10_H010.wav',
      'Neutral/SF9_F1_N01.wav',
      'Sad/SM25_F9_S059.wav',
      'Sad/recording.wav',
    ]);
    const listing = await urdu.list(root);
    expect(listing?.items.map((item) => [item.speaker, item.gender, item.label, item.canonical])).toEqual([
      ['SM1', 'male', 'A', 'angry'],
      ['SF1', 'female', 'H', 'happy'],
      ['SF9', 'female', 'N', 'neutral'],
      ['SM25', 'male', 'S', 'sad'],
    ]);
    expect(listing?.skipped).toEqual([
      { file: 'Sad/recording.wav', reason: 'expected an URDU name like SM1_F10_A010.wav, got recording.wav' },
    ]);
  });

  it('does not apply without emotion folders', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Actor_01/03-01-01-01-01-01-01.wav']);
    expect(await urdu.list(root)).toBeNull();
  });
});
