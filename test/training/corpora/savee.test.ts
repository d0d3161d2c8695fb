import { describe, expect, it } from 'vitest';
import { parseSaveeFlatName, parseSaveeName, savee } from '../../../training/corpora/savee.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('SAVEE names', () => {
  it('tells sadness (sa) and surprise (su) from anger (a)', () => {
    expect(parseSaveeName('sa03.wav', 'JK')).toEqual({ speaker: 'JK', gender: 'male', label: 'sa' });
    expect(parseSaveeName('su15.wav', 'JK')).toEqual({ speaker: 'JK', gender: 'male', label: 'su' });
    expect(parseSaveeName('a01.wav', 'JK')).toEqual({ speaker: 'JK', gender: 'male', label: 'a' });
    expect(parseSaveeFlatName('KL_su02.wav')).toEqual({ speaker: 'KL', gender: 'male', label: 'su' });
  });

  it('rejects unknown speakers in the flat layout', () => {
    expect(parseSaveeFlatName('XY_a01.wav')).toEqual({
      skipReason: 'expected a SAVEE speaker (DC, JE, JK, KL), got XY',
    });
  });
});

describe('savee.list', () => {
  it('reads the official AudioData layout and notes folders that are not speakers', async () => {
    const root = await makeTempDir();
    await writeClips(root, [
      'AudioData/DC/a01.wav',
      'AudioData/JE/sa01.wav',
      'AudioData/KL/su10.wav',
      'AudioData/Extra/a01.wav',
    ]);
    const listing = await savee.list(root);
    expect(listing?.layout).toBe('AudioData/{DC,JE,JK,KL}/a01.wav');
    expect(listing?.items.map((item) => [item.relativePath, item.speaker, item.canonical])).toEqual([
      ['AudioData/DC/a01.wav', 'DC', 'angry'],
      ['AudioData/JE/sa01.wav', 'JE', 'sad'],
      ['AudioData/KL/su10.wav', 'KL', 'surprised'],
    ]);
    expect(listing?.notes).toEqual(['ignored folders in AudioData/: Extra']);
  });

  it('reads the flat ALL/ layout', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['ALL/DC_n01.wav', 'ALL/JK_f02.wav']);
    const listing = await savee.list(root);
    expect(listing?.layout).toBe('ALL/DC_a01.wav');
    expect(listing?.items.map((item) => [item.speaker, item.canonical])).toEqual([
      ['DC', 'neutral'],
      ['JK', 'fearful'],
    ]);
  });
});
