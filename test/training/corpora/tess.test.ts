import { describe, expect, it } from 'vitest';
import { parseTessName, tess } from '../../../training/corpora/tess.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseTessName', () => {
  it('accepts ps files in a pleasant_surprise(d) folder', () => {
    expect(parseTessName('OAF_back_ps.wav', 'OAF_Pleasant_surprise')).toEqual({
      speaker: 'OAF',
      gender: 'female',
      label: 'ps',
    });
    expect(parseTessName('YAF_chain_ps.wav', 'YAF_pleasant_surprised').skipReason).toBeUndefined();
  });

  it('skips a file whose speaker or emotion disagrees with its folder', () => {
    expect(parseTessName('YAF_back_angry.wav', 'OAF_angry')).toEqual({
      skipReason: 'file name says speaker YAF but it is in OAF_angry/',
    });
    expect(parseTessName('OAF_back_sad.wav', 'OAF_angry')).toEqual({
      skipReason: 'file name says emotion sad but it is in OAF_angry/',
    });
  });
});

describe('tess.list', () => {
  it('reads speaker_emotion folders and maps pleasant surprise to surprised', async () => {
    const root = await makeTempDir();
    await writeClips(root, [
      'OAF_angry/OAF_back_angry.wav',
      'OAF_Fear/OAF_bar_fear.wav',
      'YAF_pleasant_surprised/YAF_back_ps.wav',
    ]);
    const listing = await tess.list(root);
    // Folders are read in code-unit order: OAF_Fear before OAF_angry.
    expect(listing?.items.map((item) => [item.speaker, item.label, item.canonical])).toEqual([
      ['OAF', 'fear', 'fearful'],
      ['OAF', 'angry', 'angry'],
      ['YAF', 'ps', 'surprised'],
    ]);
  });
});
