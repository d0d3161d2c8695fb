import { describe, expect, it } from 'vitest';
import { ased, parseAsedName, settleSpeakerGenders } from '../../../training/corpora/ased.ts';
import type { CorpusItem } from '../../../training/corpora/corpus.ts';
import { detectCorpus } from '../../../training/corpora/detect.ts';
import { loadCorpus } from '../../../training/corpora/load.ts';
import { writeFlac } from '../../core/audio/flac-writer.ts';
import { makeTempDir, writeClip, writeClips } from './tiny-corpus.ts';

describe('parseAsedName', () => {
  it('reads the emotion code, gender and speaker, in any case', () => {
    expect(parseAsedName('a5-03-01-02-50.flac', '05Angry')).toEqual({
      speaker: '50',
      gender: 'male',
      label: 'a5',
    });
    expect(parseAsedName('S4-04-02-01-29.flac', '04Sad')).toEqual({
      speaker: '29',
      gender: 'female',
      label: 's4',
    });
    expect(parseAsedName('n1-01-01-01-01.WAV', '01neutral')).toEqual({
      speaker: '01',
      gender: 'female',
      label: 'n1',
    });
  });

  it('skips a file whose emotion disagrees with its folder, in letter or number', () => {
    expect(parseAsedName('h3-01-01-02-07.flac', '05Angry')).toEqual({
      skipReason: 'file name says emotion h3 but it is in 05Angry/',
    });
    expect(parseAsedName('a3-01-01-02-07.flac', '05Angry')).toEqual({
      skipReason: 'file name says emotion a3 but it is in 05Angry/',
    });
    expect(parseAsedName('x5-01-01-02-07.flac', '05Angry')).toEqual({
      skipReason: 'file name says emotion x5 but it is in 05Angry/',
    });
  });

  it('skips names outside the scheme and unknown gender codes', () => {
    expect(parseAsedName('a5-03-01-02.flac', '05Angry')).toEqual({
      skipReason: 'expected an ASED name like a5-03-01-02-50.flac, got a5-03-01-02.flac',
    });
    expect(parseAsedName('a5-03-01-02-50.mp3', '05Angry')).toEqual({
      skipReason: 'expected an ASED name like a5-03-01-02-50.flac, got a5-03-01-02-50.mp3',
    });
    expect(parseAsedName('a5-03-01-03-50.flac', '05Angry')).toEqual({
      skipReason: 'expected gender 01 (female) or 02 (male), got 03 in a5-03-01-03-50.flac',
    });
  });
});

describe('settleSpeakerGenders', () => {
  const item = (speaker: string, gender: 'male' | 'female', name: string): CorpusItem => ({
    file: `/ased/${name}`,
    relativePath: name,
    corpus: 'ased',
    speaker,
    gender,
    label: 'n1',
    canonical: 'neutral',
  });

  it('gives each speaker the gender most of their files say, and notes the files that disagree', () => {
    const items = [
      item('09', 'female', '01Neutral/n1-01-01-01-09.flac'),
      item('09', 'female', '01Neutral/n1-01-02-01-09.flac'),
      item('09', 'male', '04Sad/s4-01-02-02-09.flac'),
      item('10', 'male', '01Neutral/n1-01-01-02-10.flac'),
      item('11', 'male', '01Neutral/n1-01-01-02-11.flac'),
      item('11', 'female', '01Neutral/n1-01-01-01-11.flac'),
    ];
    expect(settleSpeakerGenders(items)).toEqual([
      'speaker 09: 1 of 3 files say male (04Sad/s4-01-02-02-09.flac), the rest female; counted as female',
    ]);
    expect(items.map((entry) => [entry.speaker, entry.gender])).toEqual([
      ['09', 'female'],
      ['09', 'female'],
      ['09', 'female'],
      ['10', 'male'],
      // A tie is left as the files say.
      ['11', 'male'],
      ['11', 'female'],
    ]);
  });
});

describe('ased.list', () => {
  it('reads the five numbered emotion folders, .flac and .wav alike', async () => {
    const root = await makeTempDir();
    await writeClips(root, [
      '01Neutral/n1-01-01-01-01.flac',
      '02Fearful/f2-02-01-02-12.wav',
      '03Happy/h3-03-02-01-33.FLAC',
      '04Sad/S4-04-02-01-29.flac',
      '05Angry/a5-03-01-02-50.flac',
      '05Angry/h3-03-01-02-50.flac',
      '05Angry/a5-03-01-02.flac',
      '05Angry/notes.txt',
      'Other/a5-03-01-02-51.flac',
    ]);
    const listing = await ased.list(root);
    expect(listing?.layout).toBe('{01Neutral,02Fearful,03Happy,04Sad,05Angry}/a5-03-01-02-50.flac');
    expect(
      listing?.items.map((entry) => [
        entry.relativePath,
        entry.speaker,
        entry.gender,
        entry.label,
        entry.canonical,
      ]),
    ).toEqual([
      ['01Neutral/n1-01-01-01-01.flac', '01', 'female', 'n1', 'neutral'],
      ['02Fearful/f2-02-01-02-12.wav', '12', 'male', 'f2', 'fearful'],
      ['03Happy/h3-03-02-01-33.FLAC', '33', 'female', 'h3', 'happy'],
      ['04Sad/S4-04-02-01-29.flac', '29', 'female', 's4', 'sad'],
      ['05Angry/a5-03-01-02-50.flac', '50', 'male', 'a5', 'angry'],
    ]);
    expect(listing?.skipped).toEqual([
      {
        file: '05Angry/a5-03-01-02.flac',
        reason: 'expected an ASED name like a5-03-01-02-50.flac, got a5-03-01-02.flac',
      },
      { file: '05Angry/h3-03-01-02-50.flac', reason: 'file name says emotion h3 but it is in 05Angry/' },
    ]);
    expect(listing?.notes).toEqual([]);
  });

  it('does not apply without its emotion folders, and is what detectCorpus finds', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['Angry/SM1_F10_A010.wav']);
    expect(await ased.list(root)).toBeNull();
    const other = await makeTempDir();
    await writeClips(other, ['01Neutral/n1-01-01-01-01.flac', '04Sad/s4-01-01-02-02.flac']);
    expect((await detectCorpus(other)).definition.id).toBe('ased');
  });

  it('loads real FLAC beside WAV', async () => {
    const root = await makeTempDir();
    const samples = Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    await writeClip(
      root,
      '03Happy/h3-01-01-01-05.flac',
      writeFlac([samples], { sampleRate: 16000, bitsPerSample: 16 }),
    );
    await writeClip(root, '03Happy/h3-01-02-01-05.wav');
    const corpus = await loadCorpus(root, { corpus: 'ased' });
    expect(corpus.skipped).toEqual([]);
    expect(corpus.items.map((item) => [item.relativePath, item.seconds])).toEqual([
      ['03Happy/h3-01-01-01-05.flac', 0.5],
      ['03Happy/h3-01-02-01-05.wav', 0.2],
    ]);
  });
});
