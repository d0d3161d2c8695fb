import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecodedAudio } from '../../../core/audio/decode.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { CorpusError } from '../../../training/corpora/corpus.ts';
import { type LoadedItem, loadCorpus } from '../../../training/corpora/load.ts';
import { clip, makeTempDir, writeClip } from './tiny-corpus.ts';

describe('loadCorpus', () => {
  it('decodes every file to 16 kHz mono, whatever its rate and channel count', async () => {
    const root = await makeTempDir();
    await writeClip(root, 'wav/03a01Fa.wav', clip());
    await writeClip(root, 'wav/08a01Na.wav', clip({ sampleRate: 44100, channels: 2 }));
    await writeClip(
      root,
      'wav/09a02Wb.wav',
      encodeWav(new Float32Array(9600).fill(0.25), 48000, { encoding: 'float32' }),
    );
    const seen: [LoadedItem, DecodedAudio][] = [];
    const corpus = await loadCorpus(root, { onAudio: (item, audio) => void seen.push([item, audio]) });

    expect(corpus.corpus).toBe('emodb');
    expect(corpus.skipped).toEqual([]);
    expect(corpus.items.map((item) => [item.relativePath, item.canonical])).toEqual([
      ['wav/03a01Fa.wav', 'happy'],
      ['wav/08a01Na.wav', 'neutral'],
      ['wav/09a02Wb.wav', 'angry'],
    ]);
    expect(seen.map(([item]) => item.relativePath)).toEqual(corpus.items.map((item) => item.relativePath));
    for (const [item, audio] of seen) {
      expect(audio.sampleRate).toBe(16000);
      expect(Math.abs(audio.samples.length - 3200), item.relativePath).toBeLessThanOrEqual(2);
      expect(item.seconds).toBeCloseTo(0.2, 3);
      expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(corpus.warnings).toEqual(['expected about 535 EMO-DB files (the official release), found 3']);
  });

  it('skips corrupt, truncated, unreadable and misnamed files with their reasons, and loads the rest', async () => {
    const root = await makeTempDir();
    await writeClip(root, 'Actor_01/03-01-01-01-01-01-01.wav');
    await writeClip(
      root,
      'Actor_01/03-01-03-01-01-01-01.wav',
      new TextEncoder().encode('this is not a wav file'),
    );
    const whole = clip();
    await writeClip(root, 'Actor_02/03-01-04-01-01-01-02.wav', whole.subarray(0, whole.length / 2));
    await symlink(join(root, 'missing.wav'), join(root, 'Actor_02/03-01-05-01-01-01-02.wav'));
    await writeClip(root, 'Actor_02/03-01-06-01-01-01-02.wav');
    await writeClip(root, 'Actor_02/03-01-07-01-01-01-09.wav');

    const corpus = await loadCorpus(root);
    expect(corpus.items.map((item) => item.relativePath)).toEqual([
      'Actor_01/03-01-01-01-01-01-01.wav',
      'Actor_02/03-01-06-01-01-01-02.wav',
    ]);
    const reasons = Object.fromEntries(corpus.skipped.map((skip) => [skip.file, skip.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'Actor_01/03-01-03-01-01-01-01.wav',
      'Actor_02/03-01-04-01-01-01-02.wav',
      'Actor_02/03-01-05-01-01-01-02.wav',
      'Actor_02/03-01-07-01-01-01-09.wav',
    ]);
    expect(reasons['Actor_01/03-01-03-01-01-01-01.wav']).toMatch(/^corrupt or unsupported audio: not_riff: /);
    expect(reasons['Actor_02/03-01-04-01-01-01-02.wav']).toMatch(
      /^corrupt or unsupported audio: size_mismatch: /,
    );
    expect(reasons['Actor_02/03-01-05-01-01-01-02.wav']).toMatch(/^unreadable: .*ENOENT/);
    expect(reasons['Actor_02/03-01-07-01-01-01-09.wav']).toBe(
      'file name says actor 09 but it is in Actor_02',
    );
    expect(corpus.warnings).toContain('skipped 4 of 6 files (see skipped for each reason)');
  });

  it('reports byte-identical files and their labels', async () => {
    const root = await makeTempDir();
    const same = clip();
    await writeClip(root, 'Angry/SM1_F1_A01.wav', same);
    await writeClip(root, 'Happy/SM1_F2_H02.wav', same);
    await writeClip(root, 'Happy/SM1_F3_H03.wav');
    const corpus = await loadCorpus(root);
    expect(corpus.duplicates).toEqual([
      { kind: 'identical', files: ['Angry/SM1_F1_A01.wav', 'Happy/SM1_F2_H02.wav'] },
    ]);
    expect(corpus.warnings).toContain(
      'byte-identical audio in Angry/SM1_F1_A01.wav, Happy/SM1_F2_H02.wav (labelled angry, happy)',
    );
    // Duplicates are reported, not dropped: which copy to keep is the caller's choice.
    expect(corpus.items).toHaveLength(3);
  });

  it('passes label options through and throws only for the folder itself', async () => {
    const root = await makeTempDir();
    await writeClip(root, 'Actor_05/03-01-02-01-01-01-05.wav');
    const corpus = await loadCorpus(root, { mergeCalmIntoNeutral: true });
    expect(corpus.items[0].canonical).toBe('neutral');
    await expect(loadCorpus(join(root, 'absent'))).rejects.toBeInstanceOf(CorpusError);
    await writeFile(join(root, 'Actor_05', 'notes.txt'), 'ignored');
    expect((await loadCorpus(root)).items).toHaveLength(1);
  });
});
