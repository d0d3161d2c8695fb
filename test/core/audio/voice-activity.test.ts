import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ABSOLUTE_FLOOR_DB,
  detectVoiceActivity,
  MIN_SPEECH_SECONDS,
  speechFrames,
  speechSecondsBetween,
  windowLevels,
} from '../../../core/audio/voice-activity.ts';
import { decodeWav } from '../../../core/audio/wav.ts';
import { mix, silence, speechLike, tone, whiteNoise } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;

describe('detectVoiceActivity', () => {
  it('finds no speech in digital silence', () => {
    const activity = detectVoiceActivity(silence(3), RATE);
    expect(activity.speechDetected).toBe(false);
    expect(activity.speechSeconds).toBe(0);
    expect(activity.noiseFloorDb).toBeNull();
  });

  it.each([
    ['loud', -15],
    ['moderate', -35],
    ['quiet', -60],
  ])('finds no speech in %s white noise (%d dBFS)', (_, level) => {
    const activity = detectVoiceActivity(whiteNoise(3, level), RATE);
    expect(activity.speechDetected).toBe(false);
    expect(activity.speechSeconds).toBeLessThan(MIN_SPEECH_SECONDS);
  });

  it('finds no speech in a noise burst that starts after silence', () => {
    const signal = new Float32Array(3 * RATE);
    signal.set(whiteNoise(2, -25), RATE);
    expect(detectVoiceActivity(signal, RATE).speechDetected).toBe(false);
  });

  it('finds no speech in a held tone', () => {
    expect(detectVoiceActivity(tone(3, 440, -20), RATE).speechDetected).toBe(false);
  });

  it('finds speech in a speech-like signal and times it to within a syllable edge', () => {
    const { signal, voicedSeconds } = speechLike(3);
    const activity = detectVoiceActivity(signal, RATE);
    expect(activity.speechDetected).toBe(true);
    // The raised-cosine edges of each syllable fall below the margin, so active time is a share of voiced time.
    expect(activity.speechSeconds).toBeGreaterThan(0.4 * voicedSeconds);
    expect(activity.speechSeconds).toBeLessThanOrEqual(voicedSeconds + 0.05);
  });

  it('marks the same frames with a DC offset, and finds no speech in a DC offset alone', () => {
    const { signal } = speechLike(3);
    const peak = signal.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    const shifted = signal.map((value) => value + 0.1 * peak);
    expect(Array.from(detectVoiceActivity(shifted, RATE).active)).toEqual(
      Array.from(detectVoiceActivity(signal, RATE).active),
    );
    expect(detectVoiceActivity(new Float32Array(3 * RATE).fill(0.05), RATE).speechDetected).toBe(false);
  });

  it('finds speech under white noise at 20 dB SNR', () => {
    const { signal } = speechLike(3);
    expect(detectVoiceActivity(mix(signal, whiteNoise(3, -45)), RATE).speechDetected).toBe(true);
  });

  it('finds speech in the espeak-ng clip', () => {
    const clip = decodeWav(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)));
    const activity = detectVoiceActivity(clip.channels[0], clip.info.sampleRate);
    expect(activity.speechDetected).toBe(true);
    expect(activity.speechSeconds).toBeGreaterThan(1);
    expect(activity.noiseFloorDb).toBeGreaterThanOrEqual(ABSOLUTE_FLOOR_DB);
  });

  it.each([-40, -20, -1])(
    'finds the same speech in the espeak-ng clip at %d dBFS peak between digital silence, 16-bit',
    (peakDb) => {
      const clip = decodeWav(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)))
        .channels[0];
      const peak = clip.reduce((most, x) => Math.max(most, Math.abs(x)), 0);
      const padded = new Float32Array(clip.length + 2 * RATE);
      padded.set(
        clip.map((x) => (x / peak) * 10 ** (peakDb / 20)),
        RATE,
      );
      const quantised = padded.map((x) => Math.round(x * 32767) / 32767);
      const reference = detectVoiceActivity(clip, RATE);
      const activity = detectVoiceActivity(quantised, RATE);
      expect(activity.speechDetected).toBe(true);
      expect(Math.abs(activity.speechSeconds - reference.speechSeconds)).toBeLessThan(
        0.1 * reference.speechSeconds,
      );
    },
  );

  it.each([0.5, 0.7])(
    'finds speech in the espeak-ng clip clipped so that %s of its samples are below full scale',
    (quantile) => {
      const clip = decodeWav(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)))
        .channels[0];
      const sorted = Float32Array.from(clip, Math.abs).sort();
      const gain = 1 / sorted[Math.floor(quantile * sorted.length)];
      const clipped = clip.map((x) => Math.max(-1, Math.min(1, x * gain)));
      const activity = detectVoiceActivity(clipped, RATE);
      expect(activity.speechDetected).toBe(true);
      expect(activity.speechSeconds).toBeGreaterThan(1);
    },
  );

  it.each([
    ['white noise', () => whiteNoise(2, -3)],
    [
      'low-passed noise',
      () => {
        const noise = whiteNoise(2, -3, 5);
        for (let i = 1; i < noise.length; i++) noise[i] = 0.98 * noise[i - 1] + 0.1 * noise[i];
        return noise;
      },
    ],
    ['a loud tone', () => tone(2, 220, -1)],
  ])('finds no speech in %s between digital silences, however loud', (_, make) => {
    const signal = new Float32Array(4 * RATE);
    signal.set(make(), RATE);
    expect(detectVoiceActivity(signal, RATE).speechDetected).toBe(false);
  });

  it('answers for a one-sample clip without throwing', () => {
    const activity = detectVoiceActivity(Float32Array.of(0.5), RATE);
    expect(activity.active.length).toBe(1);
    expect(activity.speechDetected).toBe(false);
  });

  it('rejects a non-positive sample rate', () => {
    expect(() => detectVoiceActivity(silence(1), 0)).toThrow('expected a positive sample rate, got 0');
  });
});

describe('windowLevels', () => {
  const clip = mix(speechLike(4).signal, whiteNoise(4, -60));

  it('gives a window starting on a frame the levels it would sum itself, so the same activity', () => {
    const activity = detectVoiceActivity(clip, RATE);
    for (const [from, length] of [
      [0, clip.length],
      [160, 3 * RATE],
      [1600, 400],
      [16000, 2 * RATE + 77],
      [320, clip.length - 320],
    ]) {
      const window = clip.subarray(from, from + length);
      const levels = windowLevels(activity, from, length);
      expect(levels).not.toBeNull();
      const own = detectVoiceActivity(window, RATE);
      const shared = detectVoiceActivity(window, RATE, undefined, levels ?? undefined);
      expect(Array.from(shared.levels.energies)).toEqual(Array.from(own.levels.energies));
      expect(Array.from(shared.levels.squares)).toEqual(Array.from(own.levels.squares));
      expect(Array.from(shared.active)).toEqual(Array.from(own.active));
      expect(shared.speechSeconds).toBe(own.speechSeconds);
    }
  });

  it('gives none for a window off the frame grid or shorter than a frame', () => {
    const activity = detectVoiceActivity(clip, RATE);
    expect(windowLevels(activity, 80, RATE)).toBeNull();
    expect(windowLevels(activity, 160, 399)).toBeNull();
  });

  it('refuses levels of another length or framing', () => {
    const activity = detectVoiceActivity(clip, RATE);
    expect(() => detectVoiceActivity(clip.subarray(0, RATE), RATE, undefined, activity.levels)).toThrow(
      'expected levels of 98 frames, got 398',
    );
    const frames = { frameLength: 320, hop: 160, centred: false };
    expect(() => detectVoiceActivity(clip, RATE, frames, activity.levels)).toThrow(
      'expected levels framed as {"frameLength":320,"hop":160,"centred":false}, got {"frameLength":400,"hop":160,"centred":false}',
    );
  });
});

describe('speechSecondsBetween', () => {
  it('counts only the active frames inside the window', () => {
    const signal = new Float32Array(4 * RATE);
    signal.set(speechLike(2).signal, 0);
    const activity = detectVoiceActivity(signal, RATE);
    const first = speechSecondsBetween(activity, 0, 2);
    expect(first).toBeGreaterThan(MIN_SPEECH_SECONDS);
    expect(speechSecondsBetween(activity, 2, 4)).toBe(0);
    expect(first).toBeCloseTo(activity.speechSeconds, 6);
  });
});

describe('speechFrames', () => {
  const frames = { frameLength: 512, hop: 256, centred: true };
  const clip = decodeWav(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)))
    .channels[0];

  it('marks the same frames at any gain, and none of the silence around them', () => {
    const padded = new Float32Array(clip.length + 2 * RATE);
    padded.set(clip, RATE);
    const loud = speechFrames(padded, RATE, frames).mask;
    const quiet = speechFrames(
      padded.map((x) => x * 0.01),
      RATE,
      frames,
    ).mask;
    expect(loud.length).toBe(1 + Math.floor(padded.length / 256));
    expect([...quiet]).toEqual([...loud]);
    // The second of silence on either side (less the frames that overlap the speech) is never marked.
    expect(loud.subarray(0, 60).every((flag) => flag === 0)).toBe(true);
    expect(loud.subarray(loud.length - 60).every((flag) => flag === 0)).toBe(true);
    expect(loud.reduce((sum, flag) => sum + flag, 0)).toBeGreaterThan(100);
  });

  it('marks nothing in digital silence', () => {
    const found = speechFrames(silence(1), RATE, frames);
    expect(found.mask.every((flag) => flag === 0)).toBe(true);
    expect(found.meanSquare).toBe(0);
  });

  it("measures the marked frames' mean square as a sum over each frame's own samples would", () => {
    // The feature frames (blocks of 256), voice activity's own 25 ms / 10 ms (blocks of 80), and frames whose edges
    // share no block larger than one sample (summed frame by frame); the clip is no whole number of blocks.
    const framings = [
      frames,
      { frameLength: 400, hop: 160, centred: false },
      { frameLength: 401, hop: 160, centred: false },
    ];
    expect(clip.length % 80).not.toBe(0);
    for (const framing of framings) {
      const { mask, meanSquare } = speechFrames(clip, RATE, framing);
      let sum = 0;
      let count = 0;
      const offset = framing.centred ? Math.floor(framing.frameLength / 2) : 0;
      mask.forEach((flag, frame) => {
        if (flag === 0) return;
        const start = Math.max(0, frame * framing.hop - offset);
        const end = Math.min(clip.length, frame * framing.hop - offset + framing.frameLength);
        for (let i = start; i < end; i++) sum += clip[i] * clip[i];
        count += end - start;
      });
      expect(mask.some((flag) => flag === 1)).toBe(true);
      expect(meanSquare).toBeCloseTo(sum / count, 12);
    }
  });
});
