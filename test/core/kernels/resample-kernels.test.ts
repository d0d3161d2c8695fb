import { afterEach, describe, expect, it } from 'vitest';
import { resample, resamplePcm16, useResampleKernels } from '../../../core/audio/resample.ts';
import { loadResampleKernels } from '../../../core/kernels/load-node.ts';
import { createRandom } from '../../../training/random.ts';
import { relativeRms } from '../../fixtures/audio/compare.ts';

const kernels = loadResampleKernels();

/** Harmonics of a gliding 120–220 Hz voice plus noise: energy across the whole band, like speech. */
function voiceLike(rate: number, length: number, seed = 1): Float32Array {
  const random = createRandom(seed);
  let phase = 0;
  return Float32Array.from({ length }, (_, i) => {
    phase += (2 * Math.PI * (120 + (100 * i) / Math.max(length, 1))) / rate;
    let x = 0;
    for (let h = 1; h <= 30; h++) x += Math.sin(h * phase) / h;
    return 0.3 * x + 0.05 * (2 * random.next() - 1);
  });
}

/** The TypeScript loops' output and the wasm kernels' output for the same call, and whether wasm took it. */
function bothWays(signal: Float32Array, fromRate: number, toRate: number, wasm = kernels) {
  useResampleKernels(null);
  const expected = resample(signal, fromRate, toRate);
  let handled = false;
  useResampleKernels({
    resample(plan, input, output) {
      handled = wasm.resample(plan, input, output);
      return handled;
    },
    resamplePcm16: () => false,
  });
  const actual = resample(signal, fromRate, toRate);
  useResampleKernels(null);
  return { expected, actual, handled };
}

/** As {@link bothWays} for interleaved 16-bit PCM through `resamplePcm16`. */
function bothWaysPcm16(interleaved: Int16Array, channels: number, fromRate: number, toRate: number) {
  useResampleKernels(null);
  const expected = resamplePcm16(interleaved, channels, fromRate, toRate);
  let handled = false;
  useResampleKernels({
    resample: () => false,
    resamplePcm16(plan, samples, count, output) {
      handled = kernels.resamplePcm16(plan, samples, count, output);
      return handled;
    },
  });
  const actual = resamplePcm16(interleaved, channels, fromRate, toRate);
  useResampleKernels(null);
  return { expected, actual, handled };
}

/** `voiceLike` as interleaved 16-bit PCM, each channel a different voice. */
function voiceLikePcm16(rate: number, frames: number, channels: number): Int16Array {
  const voices = Array.from({ length: channels }, (_, c) => voiceLike(rate, frames, c + 1));
  return Int16Array.from({ length: frames * channels }, (_, i) =>
    Math.round(32767 * voices[i % channels][Math.floor(i / channels)]),
  );
}

afterEach(() => useResampleKernels(null));

describe('resampler wasm kernels', () => {
  // Half-band chains into the symmetric kernel (48, 96, 192, 24 kHz), into the exact polyphase one (44.1, 88.2,
  // 22.05, 11.025, 12 kHz, up to 44.1 kHz), into the interpolated one (8001, 191999 Hz), half-bands alone
  // (32 kHz), upsampling with the symmetric kernel (8 kHz).
  it.each([
    [48000, 16000],
    [44100, 16000],
    [22050, 16000],
    [8000, 16000],
    [11025, 16000],
    [96000, 16000],
    [192000, 16000],
    [32000, 16000],
    [24000, 16000],
    [12000, 16000],
    [88200, 16000],
    [8001, 16000],
    [191999, 16000],
    [16000, 44100],
    [16000, 8000],
    [44100, 48000],
  ])('match the TypeScript loops from %i to %i Hz within 1e-6 relative RMS, at every length', (from, to) => {
    for (const length of [0, 1, 2, 3, 5, 31, 1001, Math.round(from * 0.37)]) {
      const { expected, actual, handled } = bothWays(voiceLike(from, length), from, to);
      expect(handled, `${length} samples`).toBe(true);
      expect(relativeRms(actual, expected), `${length} samples`).toBeLessThanOrEqual(1e-6);
    }
  });

  it.each([
    [48000, 1],
    [48000, 2],
    [44100, 2],
    [8000, 1],
  ])(
    'downmix 16-bit PCM from %i Hz, %i channel(s), in their memory as TypeScript does, at every length',
    (from, channels) => {
      for (const frames of [0, 1, 3, 4, 7, 8, 9, 1001, Math.round(from * 0.37)]) {
        const { expected, actual, handled } = bothWaysPcm16(
          voiceLikePcm16(from, frames, channels),
          channels,
          from,
          16000,
        );
        expect(handled, `${frames} frames`).toBe(true);
        expect(relativeRms(actual, expected), `${frames} frames`).toBeLessThanOrEqual(1e-6);
      }
    },
  );

  it('leave 16-bit PCM of more than two channels to the TypeScript downmix', () => {
    const { expected, actual, handled } = bothWaysPcm16(voiceLikePcm16(48000, 4800, 3), 3, 48000, 16000);
    expect(handled).toBe(false);
    expect(actual).toEqual(expected);
  });

  it('reuse their memory: once every plan has its tables in, more calls leave it the same size', () => {
    const fresh = loadResampleKernels();
    const clips = [48000, 44100, 22050].map((rate) => ({ rate, signal: voiceLike(rate, 3 * rate) }));
    // Two rounds: buffers sit above the tables, so the first call had less below it than it has now.
    for (let round = 0; round < 2; round++) {
      for (const { rate, signal } of clips) bothWays(signal, rate, 16000, fresh);
    }
    const settled = fresh.memoryBytes();
    for (let round = 0; round < 3; round++) {
      for (const { rate, signal } of clips) expect(bothWays(signal, rate, 16000, fresh).handled).toBe(true);
    }
    expect(fresh.memoryBytes()).toBe(settled);
  });

  it('drop earlier plans past their table budget and copy them in again when they come back', () => {
    // Interpolated tables of about 0.5 MB each: five of them pass the 2 MiB budget.
    const rates = [191999, 191997, 191993, 191991, 191989, 191999];
    for (const rate of rates) {
      const { expected, actual, handled } = bothWays(voiceLike(rate, 20000, rate), rate, 16000);
      expect(handled, `${rate} Hz`).toBe(true);
      expect(relativeRms(actual, expected), `${rate} Hz`).toBeLessThanOrEqual(1e-6);
    }
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });

  it.each([
    [48000, 16000],
    [44100, 16000],
    [22050, 16000],
    [8000, 16000],
  ])(
    'take a call too long for 16 MiB in overlapping pieces, matching the TypeScript loops from %i to %i Hz',
    (from, to) => {
      // 1.5 M samples (about 21 MB of buffers in one call): three pieces and two seams at least.
      const signal = voiceLike(from, 1_500_000);
      const { expected, actual, handled } = bothWays(signal, from, to);
      expect(handled).toBe(true);
      expect(actual.length).toBe(expected.length);
      expect(relativeRms(actual, expected)).toBeLessThanOrEqual(1e-6);
      // A seam in the wrong place or a margin too short would show as a local error far above float rounding.
      let worst = 0;
      for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      expect(worst).toBeLessThan(1e-5);
      expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
    },
  );

  it('take 16-bit stereo too long for 16 MiB in overlapping pieces, matching the TypeScript downmix', () => {
    const { expected, actual, handled } = bothWaysPcm16(voiceLikePcm16(44100, 1_400_000, 2), 2, 44100, 16000);
    expect(handled).toBe(true);
    expect(relativeRms(actual, expected)).toBeLessThanOrEqual(1e-6);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });
});
