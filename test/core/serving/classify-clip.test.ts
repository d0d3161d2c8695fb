import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { detectVoiceActivity } from '../../../core/audio/voice-activity.ts';
import { classifyClip, modelWindowSeconds } from '../../../core/serving/classify-clip.ts';
import { classifySpans } from '../../../core/serving/inference.ts';
import type { ServedModel } from '../../../core/serving/model-store.ts';
import { classifySlidingWindows } from '../../../core/serving/sliding-windows.ts';
import { aggregateWindows } from '../../../core/serving/timeline.ts';
import { concat, silence, whiteNoise } from '../../fixtures/audio/synthetic.ts';
import { createFixtureStore } from '../../fixtures/models/fixture-store.ts';

const store = createFixtureStore();
const speech = decodeAudio(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url))).samples;
let served: ServedModel;

beforeAll(async () => {
  served = await store.load('tiny-blstm');
});

describe('classifyClip on segments off the 10 ms grid', () => {
  it('keeps every window inside its segment and weighs it by the speech it finds alone', () => {
    const long = concat(speech, speech, speech);
    const result = classifyClip(served, long, {
      attention: false,
      segmentSeconds: 2.555,
      minSegmentSeconds: 0.5,
    });
    for (const segment of result.segments) {
      for (const window of segment.windows) {
        expect(window.startSeconds).toBeGreaterThanOrEqual(segment.startSeconds - 1e-9);
        expect(window.endSeconds).toBeLessThanOrEqual(segment.endSeconds + 1e-9);
        const from = Math.round(window.startSeconds * 16000);
        const own = detectVoiceActivity(long.subarray(from, Math.round(window.endSeconds * 16000)), 16000);
        expect(window.speechSeconds).toBe(own.speechSeconds);
      }
    }
  });
});

describe('classifySlidingWindows', () => {
  it("gives the same windows with the clip's voice activity as a stream gets without it", () => {
    const long = concat(speech, silence(0.5), speech);
    const activity = detectVoiceActivity(long, 16000);
    for (const hopSeconds of [1, 0.255]) {
      const options = { hopSeconds, attention: false, minSeconds: 0.5 };
      const alone = classifySlidingWindows(served, long, options);
      const shared = classifySlidingWindows(served, long, { ...options, activity });
      expect(shared.segments).toEqual(alone.segments);
      expect(shared.probabilities).toEqual(alone.probabilities);
    }
  });
});

describe('classifyClip', () => {
  it("starts windows on voice activity's 10 ms frames but the last, and weighs each by the speech it finds alone", () => {
    // Cut in the middle of an active frame, off the 10 ms grid, so that speech runs to the clip's end.
    const { active } = detectVoiceActivity(speech, 16000);
    const voiced = Array.from(active.keys()).filter((frame) => active[frame] === 1);
    const cut = voiced[Math.floor(voiced.length / 2)] * 160 + 83;
    const long = concat(speech, silence(0.37), speech, speech.subarray(0, cut));
    const result = classifyClip(served, long, { attention: false });
    const windows = result.segments.flatMap((segment) => segment.windows);
    expect(windows.length).toBeGreaterThan(2);
    // Speech runs to the clip's end: the last window ends there, wherever it starts.
    expect(windows.at(-1)?.endSeconds).toBe(long.length / 16000);
    for (const window of windows) {
      const from = Math.round(window.startSeconds * 16000);
      if (window !== windows.at(-1)) expect(from % 160).toBe(0);
      const own = detectVoiceActivity(long.subarray(from, Math.round(window.endSeconds * 16000)), 16000);
      expect(window.speechSeconds).toBe(own.speechSeconds);
      expect(window.prediction !== null).toBe(own.speechDetected);
    }
  });

  it("windows the tiny model's 2 s input over the speech and weighs each by its speech", () => {
    expect(modelWindowSeconds(served)).toBeCloseTo(1.984, 6);
    const result = classifyClip(served, speech, { attention: false });
    const [segment] = result.segments;
    expect(result.segments).toHaveLength(1);
    expect(segment.windows.length).toBeGreaterThan(1);
    const voting = segment.windows.filter((window) => window.prediction !== null);
    const direct = classifySpans(served, speech, voting, { attention: false }).predictions;
    const expected = aggregateWindows(
      direct.map((prediction) => prediction.probabilities),
      voting.map((window) => window.speechSeconds),
    );
    expect(Array.from(result.probabilities ?? [])).toEqual(Array.from(expected));
    expect(Array.from(segment.probabilities ?? [])).toEqual(Array.from(expected));
  });

  it('classifies a clip no longer than the input as itself, one window', () => {
    const short = speech.subarray(0, 24000);
    const result = classifyClip(served, short, { attention: true });
    expect(result.segments[0].windows).toHaveLength(1);
    const [prediction] = classifySpans(served, short, [{ startSeconds: 0, endSeconds: 1.5 }], {
      attention: true,
    }).predictions;
    expect(Array.from(result.probabilities ?? [])).toEqual(
      Array.from(prediction.probabilities).map((p) => expect.closeTo(p, 6)),
    );
    expect(result.segments[0].windows[0].prediction?.attention?.weights).toEqual(
      prediction.attention?.weights,
    );
  });

  it('gives silence and steady noise between utterances no vote', () => {
    for (const gap of [silence(5), whiteNoise(5, -20, 4)]) {
      const clip = concat(speech, gap, speech);
      const gapStart = speech.length / 16000;
      const result = classifyClip(served, clip, { attention: false });
      const inside = result.segments[0].windows.filter(
        (window) => window.startSeconds >= gapStart && window.endSeconds <= gapStart + 5,
      );
      expect(inside.length).toBeGreaterThan(0);
      for (const window of inside) expect(window.prediction).toBeNull();
    }
  });

  it("makes the clip's answer from every window of its segments, each segment from its own", () => {
    const clip = concat(speech, speech);
    const result = classifyClip(served, clip, {
      attention: false,
      segmentSeconds: 2.5,
      minSegmentSeconds: 0.5,
    });
    expect(result.segments.map((segment) => segment.startSeconds)).toEqual([0, 2.5, 5]);
    const windows = result.segments.flatMap((segment) => segment.windows);
    const voting = windows.filter((window) => window.prediction !== null);
    const all = aggregateWindows(
      voting.map((window) => window.prediction?.probabilities as Float32Array),
      voting.map((window) => window.speechSeconds),
    );
    expect(Array.from(result.probabilities ?? [])).toEqual(Array.from(all));
    for (const segment of result.segments) {
      for (const window of segment.windows) {
        expect(window.startSeconds).toBeGreaterThanOrEqual(segment.startSeconds - 1e-9);
        expect(window.endSeconds).toBeLessThanOrEqual(segment.endSeconds + 1e-9);
      }
    }
  });

  it('classifies nothing in a clip without speech', () => {
    const result = classifyClip(served, silence(4), { attention: false });
    expect(result.probabilities).toBeNull();
    expect(result.segments[0].probabilities).toBeNull();
    expect(result.segments[0].windows.every((window) => window.prediction === null)).toBe(true);
  });
});
