import { describe, expect, it } from 'vitest';
import { createDuplicateFinder } from '../../../training/corpora/duplicates.ts';
import { createRandom } from '../../../training/random.ts';

function speechLike(seed: number, length = 16000): Float32Array {
  const random = createRandom(seed);
  // Noise under a slow envelope, so blocks differ in level as in speech.
  return Float32Array.from(
    { length },
    (_, i) => 0.4 * Math.sin((Math.PI * i) / length) * (random.next() * 2 - 1),
  );
}

/** Adds ±1 LSB (16-bit) of triangular dither, as a format conversion does. */
function dithered(signal: Float32Array, seed: number): Float32Array {
  const random = createRandom(seed);
  return signal.map((x) => x + (random.next() - random.next()) / 32768);
}

describe('createDuplicateFinder', () => {
  it('groups byte-identical files by hash', () => {
    const finder = createDuplicateFinder();
    const audio = speechLike(1);
    finder.add('a.wav', 'h1', audio);
    finder.add('b.wav', 'h2', speechLike(2));
    finder.add('c.wav', 'h1', audio);
    finder.add('d.wav', 'h1', audio);
    expect(finder.groups()).toEqual([{ kind: 'identical', files: ['a.wav', 'c.wav', 'd.wav'] }]);
  });

  it('groups files equal up to dither as near-identical', () => {
    const finder = createDuplicateFinder();
    const original = speechLike(3);
    finder.add('take1.wav', 'h1', dithered(original, 10));
    finder.add('other.wav', 'h2', speechLike(4));
    finder.add('take2.wav', 'h3', dithered(original, 11));
    expect(finder.groups()).toEqual([{ kind: 'near-identical', files: ['take1.wav', 'take2.wav'] }]);
  });

  it('does not group different takes of the same length and level', () => {
    const finder = createDuplicateFinder();
    for (let seed = 0; seed < 20; seed++) finder.add(`${seed}.wav`, `h${seed}`, speechLike(100 + seed));
    expect(finder.groups()).toEqual([]);
  });

  it('does not group the same audio at different lengths', () => {
    const finder = createDuplicateFinder();
    const audio = speechLike(5);
    finder.add('full.wav', 'h1', audio);
    finder.add('cut.wav', 'h2', audio.subarray(0, 15840));
    expect(finder.groups()).toEqual([]);
  });
});
