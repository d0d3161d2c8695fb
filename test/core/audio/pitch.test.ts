import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import {
  createPitchTracker,
  type PitchConfig,
  type PitchTrack,
  semitoneContour,
} from '../../../core/audio/pitch.ts';
import { resample } from '../../../core/audio/resample.ts';
import { harmonicTone, silence, to16Bit, vowelLike, whiteNoise } from '../../fixtures/audio/synthetic.ts';

const SAMPLE_RATE = 16000;
const HOP = 256;
const CONFIG: PitchConfig = {
  sampleRate: SAMPLE_RATE,
  hop: HOP,
  fmin: 60,
  fmax: 500,
  voicingThreshold: 0.45,
  noiseFloorDb: -80,
};

const tracker = createPitchTracker(CONFIG);
const semitones = (ratio: number) => 12 * Math.log2(ratio);
/** Centre in seconds of frame t. */
const centre = (t: number) => (t * HOP) / SAMPLE_RATE;
/** Frames whose pitch window (2.5 periods of 60 Hz ≈ 42 ms) lies inside a signal of `seconds`. */
function innerFrames(seconds: number): number[] {
  const frames = tracker.frameCount(Math.round(seconds * SAMPLE_RATE));
  return Array.from({ length: frames }, (_, t) => t).filter(
    (t) => centre(t) > 0.025 && centre(t) < seconds - 0.025,
  );
}
const voicedCount = (track: PitchTrack) => track.f0.filter((f) => f > 0).length;

/** Largest |F0 / truth − 1| over the frames, all of which must be voiced. */
function worstRelativeError(track: PitchTrack, frames: number[], truth: (seconds: number) => number): number {
  let worst = 0;
  for (const t of frames) {
    expect(track.f0[t], `frame ${t} voiced`).toBeGreaterThan(0);
    worst = Math.max(worst, Math.abs(track.f0[t] / truth(centre(t)) - 1));
  }
  return worst;
}

describe('createPitchTracker on harmonic tones', () => {
  for (const [label, fundamental] of [
    ['full', 1],
    ['weak (−30 dB)', 0.03],
    ['missing', 0],
  ] as const) {
    for (const f0 of [80, 120, 220, 400]) {
      it(`finds ${f0} Hz within 1 % in every frame, fundamental ${label}`, () => {
        const track = tracker.track(harmonicTone(1, f0, { fundamental }));
        const frames = innerFrames(1);
        expect(worstRelativeError(track, frames, () => f0)).toBeLessThan(0.01);
        for (const t of frames) expect(track.voicing[t]).toBeGreaterThan(0.9);
      });
    }
  }

  it('follows a glide from 100 to 400 Hz within 1 %', () => {
    const glide = (seconds: number) => 100 * 4 ** Math.min(1, Math.max(0, (seconds - 0.25) / 2));
    const track = tracker.track(harmonicTone(2.5, glide));
    expect(worstRelativeError(track, innerFrames(2.5), glide)).toBeLessThan(0.01);
  });

  it('follows a vowel with 0.5 octave intonation and aspiration noise 15 dB down within 0.2 semitone', () => {
    const contour = (seconds: number) => 150 * 2 ** (0.5 * Math.sin(2 * Math.PI * 0.5 * seconds));
    const track = tracker.track(vowelLike(3, contour, { noiseDb: -15 }));
    expect(worstRelativeError(track, innerFrames(3), contour)).toBeLessThan(2 ** (0.2 / 12) - 1);
  });

  it('finds F0 only where the tone is: frames centred on sample t·hop', () => {
    // Silence, then a 200 Hz tone from 0.5 s: a frame's window reaches 21 ms either side of its centre.
    const signal = new Float32Array(SAMPLE_RATE);
    signal.set(harmonicTone(0.5, 200), SAMPLE_RATE / 2);
    const track = tracker.track(signal);
    expect(track.f0).toHaveLength(1 + Math.floor(SAMPLE_RATE / HOP));
    for (let t = 0; t < track.f0.length; t++) {
      if (centre(t) < 0.47) expect(track.f0[t], `frame ${t}`).toBe(0);
      if (centre(t) > 0.52) expect(track.f0[t], `frame ${t}`).toBeCloseTo(200, 0);
    }
  });
});

describe('createPitchTracker on noise and silence', () => {
  it('leaves white noise unvoiced at any level', () => {
    for (const [seed, levelDb] of [
      [1, -20],
      [2, -40],
      [3, -60],
    ]) {
      const track = tracker.track(whiteNoise(3, levelDb, seed));
      expect(voicedCount(track), `noise at ${levelDb} dBFS`).toBe(0);
      expect(Math.max(...track.voicing)).toBeLessThan(CONFIG.voicingThreshold);
    }
  });

  it('gives digital silence and ±1 LSB TPDF-dithered silence the same output: no F0, strength 0', () => {
    const zeros = tracker.track(silence(2));
    const dither = to16Bit(silence(2), 9);
    expect(dither.some((x) => x !== 0)).toBe(true);
    const dithered = tracker.track(dither);
    for (const track of [zeros, dithered]) {
      expect(track.f0.every((f) => f === 0)).toBe(true);
      expect(track.voicing.every((v) => v === 0)).toBe(true);
    }
  });

  it('needs the noise floor for that: without it dither has a voicing strength', () => {
    const bare = createPitchTracker({ ...CONFIG, noiseFloorDb: null });
    expect(bare.track(silence(1)).voicing.every((v) => v === 0)).toBe(true);
    expect(Math.max(...bare.track(to16Bit(silence(1), 9)).voicing)).toBeGreaterThan(0.05);
  });

  it('gives the same F0 a hundred times quieter, and nearly the same strength above the floor', () => {
    const contour = (seconds: number) => 110 + 40 * seconds;
    const loud = tracker.track(vowelLike(2, contour));
    const quiet = tracker.track(vowelLike(2, contour).map((x) => x * 0.01)); // −60 dBFS
    for (const t of innerFrames(2)) expect(loud.f0[t], `frame ${t}`).toBeGreaterThan(0);
    for (let t = 0; t < loud.f0.length; t++) {
      expect(quiet.f0[t]).toBeCloseTo(loud.f0[t], 4);
      // The −80 dBFS floor takes its share: 1 − N/E, under 2 % at −60 dBFS.
      expect(Math.abs(quiet.voicing[t] - loud.voicing[t])).toBeLessThan(0.02);
    }
  });

  it('handles signals shorter than a window, down to no samples', () => {
    for (const length of [0, 1, 100, 700]) {
      const track = tracker.track(harmonicTone(1, 150).subarray(0, length));
      expect(track.f0).toHaveLength(1 + Math.floor(length / HOP));
      expect([...track.f0, ...track.voicing].every(Number.isFinite)).toBe(true);
    }
  });

  it('gives the same track when called again, after a longer signal', () => {
    const signal = vowelLike(1, 130, { noiseDb: -20 });
    const first = tracker.track(signal);
    tracker.track(harmonicTone(3, 300));
    expect(tracker.track(signal)).toEqual(first);
  });
});

describe('createPitchTracker across sample rates', () => {
  it('analyses 16 kHz at 8 kHz, and 8 kHz as it is', () => {
    expect(tracker.analysisRate).toBe(8000);
    expect(createPitchTracker({ ...CONFIG, sampleRate: 8000 }).analysisRate).toBe(8000);
  });

  it('tracks a vowel sampled at 48 kHz and resampled to 16 kHz as the same vowel sampled at 16 kHz', () => {
    const contour = (seconds: number) => 120 * 2 ** (0.5 * Math.sin(2 * Math.PI * 0.5 * seconds));
    const native = tracker.track(vowelLike(3, contour));
    const resampled = tracker.track(resample(vowelLike(3, contour, { sampleRate: 48000 }), 48000, 16000));
    for (let t = 0; t < native.f0.length; t++) {
      expect(resampled.f0[t] > 0, `frame ${t} voiced in both or neither`).toBe(native.f0[t] > 0);
      if (native.f0[t] > 0) expect(Math.abs(semitones(resampled.f0[t] / native.f0[t]))).toBeLessThan(0.2);
      expect(resampled.voicing[t]).toBeCloseTo(native.voicing[t], 2);
    }
  });
});

describe('createPitchTracker path search', () => {
  /** Frames more than a semitone off the contour, over the inner frames of noisy vowels around each F0. */
  function grossErrors(octaveJumpCost: number): { gross: number; frames: number } {
    const pathTracker = createPitchTracker({ ...CONFIG, octaveJumpCost });
    let gross = 0;
    let frames = 0;
    for (const noiseDb of [-10, -5, 0]) {
      for (const centreHz of [90, 130, 200, 300]) {
        const contour = (seconds: number) => centreHz * 2 ** (0.4 * Math.sin(2 * Math.PI * 0.5 * seconds));
        const track = pathTracker.track(vowelLike(2, contour, { noiseDb, seed: centreHz }));
        for (const t of innerFrames(2)) {
          frames++;
          if (track.f0[t] > 0 && Math.abs(semitones(track.f0[t] / contour(centre(t)))) > 1) gross++;
        }
      }
    }
    return { gross, frames };
  }

  it('keeps noisy vowels on their octave where frame-by-frame decisions jump', () => {
    const alone = grossErrors(0);
    const path = grossErrors(0.35);
    expect(alone.gross / alone.frames).toBeGreaterThan(0.02);
    expect(path.gross).toBe(0);
  });

  it('removes most octave jumps between consecutive frames of the committed speech clip', () => {
    const wav = readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url));
    const signal = decodeAudio(new Uint8Array(wav)).samples;
    const jumps = (track: PitchTrack) =>
      track.f0.filter(
        (f, t) => t > 0 && f > 0 && track.f0[t - 1] > 0 && Math.abs(semitones(f / track.f0[t - 1])) > 7,
      ).length;
    const alone = createPitchTracker({ ...CONFIG, octaveJumpCost: 0 }).track(signal);
    const path = tracker.track(signal);
    // Voicing is decided frame by frame either way.
    expect(path.voicing).toEqual(alone.voicing);
    expect(jumps(alone)).toBeGreaterThanOrEqual(5);
    expect(jumps(path)).toBeLessThanOrEqual(2);
  });
});

describe('createPitchTracker on speech', () => {
  /**
   * A male voice: voiced frames are mostly 80–250 Hz (measured 96 %: espeak's phrase ends fall to 77 Hz,
   * and two weakly voiced frames at consonants are octaves up), with a median of 85–140 Hz.
   */
  function expectMaleVoice(signal: Float32Array, minVoicedShare: number) {
    const track = tracker.track(signal);
    const voiced = track.f0.filter((f) => f > 0).sort();
    expect(voiced.length / track.f0.length).toBeGreaterThan(minVoicedShare);
    expect(voiced.filter((f) => f >= 80 && f <= 250).length / voiced.length).toBeGreaterThan(0.9);
    expect(voiced[voiced.length >> 1]).toBeGreaterThan(85);
    expect(voiced[voiced.length >> 1]).toBeLessThan(140);
  }

  it('puts the committed espeak-ng utterance (male) mostly within 80–250 Hz', () => {
    const wav = readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url));
    expectMaleVoice(decodeAudio(new Uint8Array(wav)).samples, 0.5);
  });

  const hasEspeak = (() => {
    try {
      execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasEspeak)(
    `puts a fresh espeak-ng male voice mostly within 80–250 Hz${hasEspeak ? '' : ' (skipped: no espeak-ng)'}`,
    () => {
      const scratch = mkdtempSync(join(tmpdir(), 'pitch-'));
      try {
        const file = join(scratch, 'male.wav');
        execFileSync('espeak-ng', [
          '-v',
          'en-us',
          '-s',
          '150',
          '-w',
          file,
          'Why would anyone do that? I am so glad.',
        ]);
        expectMaleVoice(decodeAudio(new Uint8Array(readFileSync(file))).samples, 0.5);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
});

describe('createPitchTracker settings', () => {
  it('says what it expected and what it got', () => {
    const cases: [Partial<PitchConfig>, string][] = [
      [{ sampleRate: 0 }, 'pitch: expected a positive sampleRate, got 0'],
      [{ hop: 1.5 }, 'pitch: expected hop to be a positive integer, got 1.5'],
      [{ fmin: 10 }, 'pitch: expected 20 ≤ fmin < fmax ≤ 1000 Hz (sampleRate / 16), got fmin 10, fmax 500'],
      [{ fmin: 500 }, 'got fmin 500, fmax 500'],
      [{ fmax: 1200 }, 'got fmin 60, fmax 1200'],
      [{ voicingThreshold: 1 }, 'pitch: expected 0 < voicingThreshold < 1, got 1'],
      [
        { noiseFloorDb: Number.NaN },
        'pitch: expected noiseFloorDb to be a finite dBFS level or null, got NaN',
      ],
      [{ octaveJumpCost: -0.1 }, 'pitch: expected octaveJumpCost to be a finite cost ≥ 0, got -0.1'],
    ];
    for (const [overrides, message] of cases) {
      expect(() => createPitchTracker({ ...CONFIG, ...overrides })).toThrow(message);
    }
  });
});

describe('semitoneContour', () => {
  const contour = (f0: number[]) => Array.from(semitoneContour(Float64Array.from(f0)));

  it('is 12·log2(F0 / 100 Hz) in voiced frames', () => {
    expect(contour([100, 200, 50])).toEqual([0, 12, -12]);
  });

  it('interpolates linearly through unvoiced frames and holds the ends flat', () => {
    expect(contour([0, 0, 100, 0, 0, 0, 200, 0])).toEqual([0, 0, 0, 3, 6, 9, 12, 12]);
    expect(contour([0, 400, 0])).toEqual([24, 24, 24]);
  });

  it('is 0 throughout when no frame is voiced', () => {
    expect(contour([0, 0, 0])).toEqual([0, 0, 0]);
    expect(contour([])).toEqual([]);
  });
});
