import { describe, expect, it } from 'vitest';
import { createActivityLevelsStream } from '../../../core/audio/activity-levels-stream.ts';
import { detectVoiceActivity } from '../../../core/audio/voice-activity.ts';
import { createRandom } from '../../../training/random.ts';
import { mix, speechLike, whiteNoise } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;
const clip = mix(speechLike(6).signal, whiteNoise(6, -55));

/** The clip pushed in pieces of random sizes (some empty). */
function pushedInPieces(seed: number) {
  const stream = createActivityLevelsStream(RATE);
  const random = createRandom(seed);
  for (let at = 0; at < clip.length; ) {
    const size = Math.min(clip.length - at, random.int(3000));
    stream.push(clip.subarray(at, at + size));
    at += size;
  }
  return stream;
}

describe('createActivityLevelsStream', () => {
  it('gives each window on the frame grid the levels, and so the activity, it would compute alone', () => {
    for (const seed of [1, 2]) {
      const stream = pushedInPieces(seed);
      for (const [from, length] of [
        [0, 3 * RATE],
        [RATE, 3 * RATE],
        [160, 400],
        [2 * RATE, clip.length - 2 * RATE],
        [3 * RATE, 2 * RATE + 37],
      ]) {
        const window = clip.subarray(from, from + length);
        const levels = stream.levelsFor(from, length);
        expect(levels).not.toBeNull();
        const own = detectVoiceActivity(window, RATE);
        expect(Array.from(levels?.energies ?? [])).toEqual(Array.from(own.levels.energies));
        expect(Array.from(levels?.squares ?? [])).toEqual(Array.from(own.levels.squares));
        const shared = detectVoiceActivity(window, RATE, undefined, levels ?? undefined);
        expect(Array.from(shared.active)).toEqual(Array.from(own.active));
      }
    }
  });

  it('gives none off the grid, for a window shorter than a frame, past what arrived, or before what was dropped', () => {
    const stream = pushedInPieces(3);
    expect(stream.levelsFor(80, RATE)).toBeNull();
    expect(stream.levelsFor(160, 399)).toBeNull();
    expect(stream.levelsFor(5 * RATE, 2 * RATE)).toBeNull();
    stream.dropBefore(RATE);
    expect(stream.levelsFor(0, 3 * RATE)).toBeNull();
    const after = stream.levelsFor(RATE, 3 * RATE);
    const own = detectVoiceActivity(clip.subarray(RATE, 4 * RATE), RATE);
    expect(Array.from(after?.energies ?? [])).toEqual(Array.from(own.levels.energies));
  });

  it('shares nothing for framings whose edges share no block of 16 samples', () => {
    const stream = createActivityLevelsStream(44100);
    stream.push(new Float32Array(44100));
    expect(stream.levelsFor(0, 44100)).toBeNull();
  });
});
