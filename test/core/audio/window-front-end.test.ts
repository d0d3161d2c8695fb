import { afterEach, describe, expect, it } from 'vitest';
import { createFeatureExtractor } from '../../../core/audio/feature-set.ts';
import { useSpectrumKernels } from '../../../core/audio/frame-features.ts';
import {
  DEFAULT_UTTERANCE_CONFIG,
  type PreparedUtterance,
  prepareUtterance,
  type UtteranceConfig,
} from '../../../core/audio/utterance.ts';
import { createClipFrontEnd, createWindowFrontEnd } from '../../../core/audio/window-front-end.ts';
import { loadSpectrumKernels } from '../../../core/kernels/load-node.ts';
import { concat, mix, silence, speechLike, whiteNoise } from '../../fixtures/audio/synthetic.ts';

const extractor = createFeatureExtractor('logmel40', { fmin: 60, fmax: 7000, noiseFloorDb: -65 });
const { hop } = extractor.config;
const config: UtteranceConfig = { ...DEFAULT_UTTERANCE_CONFIG, centre: 'overall' };
// 10 s: speech, a pause, louder speech, over a quiet room.
const clip = mix(
  concat(
    speechLike(4).signal,
    silence(1.5),
    speechLike(4.5).signal.map((x) => 3 * x),
  ),
  whiteNoise(10, -70, 3),
);
/** Samples in a 3 s window of 188 frames, as the served models have. */
const WINDOW = 187 * hop;

const maxDifference = (a: PreparedUtterance, b: PreparedUtterance) =>
  Math.max(...a.data.map((value, i) => Math.abs(value - b.data[i])));

afterEach(() => useSpectrumKernels(null));

describe('createWindowFrontEnd', () => {
  it('gives a window that is the whole clip what prepareUtterance gives, up to float rounding', () => {
    const expected = prepareUtterance(clip, extractor, config);
    const actual = createClipFrontEnd(clip, extractor, config)?.prepare(0, clip.length);
    expect(actual).toBeDefined();
    if (!actual) return;
    expect([actual.frames, actual.dims, actual.firstFrame, actual.speechFrames]).toEqual([
      expected.frames,
      expected.dims,
      expected.firstFrame,
      expected.speechFrames,
    ]);
    expect(maxDifference(actual, expected)).toBeLessThan(1e-4);
  });

  it('gives the same features with the wasm kernels as with the TypeScript loops', () => {
    const windows = [0, 40 * hop, 250 * hop];
    const plain = createClipFrontEnd(clip, extractor, config);
    useSpectrumKernels(loadSpectrumKernels());
    const fast = createClipFrontEnd(clip, extractor, config);
    for (const from of windows) {
      const a = plain?.prepare(from, WINDOW);
      const b = fast?.prepare(from, WINDOW);
      expect(a && b && a.frames === b.frames && maxDifference(a, b)).toBeLessThan(1e-4);
    }
  });

  it("gives a window inside the clip prepareUtterance's features on its samples, but for its start", () => {
    const frontEnd = createClipFrontEnd(clip, extractor, config);
    // Windows across the pause and inside the louder speech: each finds its own speech level and frames.
    for (const from of [100 * hop, 350 * hop]) {
      const alone = prepareUtterance(clip.subarray(from, from + WINDOW), extractor, config);
      const shared = frontEnd?.prepare(from, WINDOW);
      expect(shared).toBeDefined();
      if (!shared) return;
      expect(shared.frames).toBe(alone.frames);
      expect(shared.speechFrames).toBe(alone.speechFrames);
      // The first frames see the audio before the window (and a settled high-pass) instead of zeros; the frames
      // after them differ only through the window's statistics, which those first frames shift a little
      // (measured: under 0.01).
      const inner = (prepared: PreparedUtterance) => prepared.data.subarray(3 * 40);
      const [a, b] = [inner(shared), inner(alone)];
      const largest = Math.max(...a.map((value, i) => Math.abs(value - b[i])));
      expect(largest).toBeLessThan(0.02);
    }
  });

  it('gives a clip pushed in pieces of any size the features it gives the whole clip, to the bit', () => {
    const whole = createClipFrontEnd(clip, extractor, config);
    let seed = 7;
    const nextSize = () => {
      seed = (seed * 16807) % 2147483647;
      return seed % 5000;
    };
    const pieces = createWindowFrontEnd(extractor, config);
    if (!whole || !pieces) throw new Error('expected front ends for logmel40');
    const starts = [0, 62, 125, 187, 250, 312, 375].map((frame) => frame * hop);
    const prepared: (PreparedUtterance | null)[] = [];
    let pushed = 0;
    for (const from of starts) {
      // Until the window's last sample is in, it cannot be prepared.
      while (pushed < from + WINDOW) {
        expect(pieces.prepare(from, WINDOW)).toBeNull();
        const size = Math.min(nextSize(), clip.length - pushed);
        pieces.push(clip.subarray(pushed, pushed + size));
        pushed += size;
      }
      prepared.push(pieces.prepare(from, WINDOW));
      pieces.dropBefore(from + hop);
    }
    pieces.push(clip.subarray(pushed));
    pieces.end();
    const last = Math.floor((clip.length - WINDOW) / hop) * hop;
    for (const [index, from] of [...starts, last].entries()) {
      const expected = whole.prepare(from, WINDOW);
      const actual = index < starts.length ? prepared[index] : pieces.prepare(from, WINDOW);
      expect(actual?.data).toEqual(expected?.data);
      expect(actual?.firstFrame).toBe(expected?.firstFrame);
    }
    // Dropped: a window before the last drop is not prepared any more.
    expect(pieces.prepare(0, WINDOW)).toBeNull();
    expect(() => pieces.push(clip.subarray(0, 10))).toThrow(/expected no audio after the end/);
  });

  it('gives a window the same features to the bit whatever windows came before it', () => {
    // One front end keeps each frame's spectrum and levels for the windows after; a fresh one computes them all.
    const shared = createClipFrontEnd(clip, extractor, config);
    const windows = [
      [0, WINDOW],
      [62 * hop, WINDOW],
      [62 * hop, WINDOW - 100],
      [125 * hop, WINDOW + 77],
      [40 * hop, WINDOW],
      [300 * hop, Math.round(1.3 * 16_000)],
    ];
    for (const [from, length] of windows) {
      const fresh = createClipFrontEnd(clip, extractor, config)?.prepare(from, length);
      const kept = shared?.prepare(from, length);
      expect(kept?.data).toEqual(fresh?.data);
      expect(kept?.speechFrames).toBe(fresh?.speechFrames);
    }
  });

  it('takes only windows on the frame grid and inside the clip', () => {
    const frontEnd = createClipFrontEnd(clip, extractor, config);
    expect(frontEnd?.prepare(hop + 1, WINDOW)).toBeNull();
    expect(frontEnd?.prepare(0.5, WINDOW)).toBeNull();
    expect(frontEnd?.prepare(-hop, WINDOW)).toBeNull();
    expect(frontEnd?.prepare(clip.length - WINDOW + hop, WINDOW)).toBeNull();
    expect(frontEnd?.prepare(Math.floor((clip.length - WINDOW) / hop) * hop, WINDOW)).not.toBeNull();
  });

  it('is not made for feature sets other than log-mel, whose columns a gain does not simply shift', () => {
    for (const set of ['full', 'logmel40+deltas', 'logmel40+pitch'] as const) {
      expect(createWindowFrontEnd(createFeatureExtractor(set), DEFAULT_UTTERANCE_CONFIG)).toBeNull();
    }
  });

  it('refuses a malformed utterance config as prepareUtterance does', () => {
    expect(() => createWindowFrontEnd(extractor, { ...config, highPassHz: 0 })).toThrow(
      /expected a positive highPassHz, got 0/,
    );
  });
});
