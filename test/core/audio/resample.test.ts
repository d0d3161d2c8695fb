import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ResampleKernels,
  resample,
  resamplePcm16,
  useResampleKernels,
} from '../../../core/audio/resample.ts';
import type { ResamplePlan } from '../../../core/audio/resample-design.ts';
import { downmixPcm16 } from '../../../core/audio/wav.ts';
import { loadResampleKernels } from '../../../core/kernels/load-node.ts';

function tone(rate: number, frequency: number, seconds: number, phase = 0): Float32Array {
  return toneOfLength(rate, frequency, Math.round(rate * seconds), phase);
}

function toneOfLength(rate: number, frequency: number, length: number, phase = 0): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin((2 * Math.PI * frequency * i) / rate + phase));
}

/** Samples away from both ends, where the zero padding beyond the signal does not reach. */
function middle(signal: Float32Array, rate: number): Float32Array {
  const edge = Math.round(rate * 0.02);
  return signal.subarray(edge, signal.length - edge);
}

function rms(signal: Float32Array): number {
  let sum = 0;
  for (const x of signal) sum += x * x;
  return Math.sqrt(sum / signal.length);
}

const db = (ratio: number) => 20 * Math.log10(ratio);

/** Level of `signal` relative to a full-scale sine, in dB. */
const levelDb = (signal: Float32Array) => db(rms(signal) * Math.SQRT2);

/** Level of `actual - expected` relative to a full-scale sine, in dB. */
function errorDb(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  return levelDb(actual.map((x, i) => x - expected[i]));
}

const SOURCE_RATES = [48000, 44100, 22050, 8000, 96000, 192000, 32000, 11025] as const;

/** Counts the calls the wasm loops took, to show that none fell back to the TypeScript loops. */
function counting(kernels: ResampleKernels) {
  const counts = { calls: 0, handled: 0 };
  const counted: ResampleKernels = {
    resample(plan, signal, output) {
      counts.calls++;
      const handled = kernels.resample(plan, signal, output);
      if (handled) counts.handled++;
      return handled;
    },
    resamplePcm16(plan, interleaved, channels, output) {
      counts.calls++;
      const handled = kernels.resamplePcm16(plan, interleaved, channels, output);
      if (handled) counts.handled++;
      return handled;
    },
  };
  return { counts, counted };
}

const wasm = counting(loadResampleKernels());

// Every behaviour holds for the TypeScript loops (the default and reference) and the wasm SIMD ones.
describe.each([
  ['TypeScript', null],
  ['wasm SIMD', wasm.counted],
])('resample with the %s loops', (name, kernels) => {
  beforeAll(() => useResampleKernels(kernels));
  afterAll(() => {
    useResampleKernels(null);
    if (kernels) {
      expect(wasm.counts.calls, name).toBeGreaterThan(0);
      expect(wasm.counts.handled, name).toBe(wasm.counts.calls);
    }
  });

  describe('resample passband', () => {
    it.each(SOURCE_RATES)('passes a 1 kHz sine from %i Hz to 16 kHz at unity gain and in phase', (rate) => {
      const output = resample(tone(rate, 1000, 0.5, 0.3), rate, 16000);
      const ideal = toneOfLength(16000, 1000, output.length, 0.3);
      const gainDb = levelDb(middle(output, 16000)) - levelDb(middle(ideal, 16000));
      expect(Math.abs(gainDb)).toBeLessThan(0.1);
      // In phase too (zero delay): the difference from the ideal tone is tiny.
      expect(errorDb(middle(output, 16000), middle(ideal, 16000))).toBeLessThan(-60);
    });

    it.each([48000, 44100])('keeps a 7 kHz tone from %i Hz within 0.1 dB (passband to 7.2 kHz)', (rate) => {
      const output = middle(resample(tone(rate, 7000, 0.5), rate, 16000), 16000);
      expect(Math.abs(levelDb(output))).toBeLessThan(0.1);
    });

    it('upsamples 8 kHz → 16 kHz without images: 1 kHz and 3.5 kHz come out as the ideal tones', () => {
      for (const frequency of [1000, 3500]) {
        const output = resample(tone(8000, frequency, 0.5), 8000, 16000);
        const ideal = toneOfLength(16000, frequency, output.length);
        expect(errorDb(middle(output, 16000), middle(ideal, 16000))).toBeLessThan(-60);
      }
    });

    it('keeps a constant signal constant away from the ends', () => {
      const output = middle(resample(new Float32Array(44100).fill(0.5), 44100, 16000), 16000);
      for (const x of output) expect(Math.abs(x - 0.5)).toBeLessThan(1e-3);
    });
  });

  describe('resample anti-aliasing', () => {
    // 8.8 kHz is where the 16 kHz output's stopband starts; the others probe across every source band.
    it.each([
      [48000, [8900, 9500, 12000, 15000, 16100, 17700, 19300, 23900]],
      [44100, [8900, 11000, 14000, 17000, 21900]],
      [96000, [8900, 16100, 30000, 47000]],
      [192000, [8900, 16100, 40000, 95000]],
      [32000, [8900, 12000, 15900]],
    ])('rejects tones from %i Hz above 8.8 kHz by at least 60 dB', (rate, frequencies) => {
      for (const frequency of frequencies) {
        const output = middle(resample(tone(rate, frequency, 0.3), rate, 16000), 16000);
        expect(levelDb(output), `${frequency} Hz`).toBeLessThan(-60);
      }
    });

    it('also anti-aliases odd rate pairs that use interpolated phases', () => {
      const rate = 8001; // 16000 / gcd = 16000 phases: too many for an exact table
      const passed = resample(tone(rate, 1000, 0.5), rate, 16000);
      const ideal = toneOfLength(16000, 1000, passed.length);
      expect(errorDb(middle(passed, 16000), middle(ideal, 16000))).toBeLessThan(-60);
      const down = resample(tone(191999, 12000, 0.3), 191999, 16000);
      expect(levelDb(middle(down, 16000))).toBeLessThan(-60);
    });
  });

  describe('resample lengths and identity', () => {
    it.each([
      [0, 48000, 16000],
      [1, 48000, 16000],
      [2, 48000, 16000],
      [5, 44100, 16000],
      [144000, 48000, 16000],
      [132301, 44100, 16000],
      [66151, 22050, 16000],
      [24001, 8000, 16000],
      [576007, 192000, 16000],
      [12345, 16000, 44100],
      [999, 8001, 16000],
    ])('maps %i samples from %i Hz to round(n · to / from) at %i Hz', (length, from, to) => {
      const output = resample(new Float32Array(length).fill(0.25), from, to);
      expect(output.length).toBe(Math.round((length * to) / from));
      for (const x of output) expect(Number.isFinite(x)).toBe(true);
    });

    it('returns an exact copy when the rates are equal', () => {
      const signal = tone(16000, 440, 0.1);
      const output = resample(signal, 16000, 16000);
      expect(output).toEqual(signal);
      expect(output).not.toBe(signal);
      output[0] = 42;
      expect(signal[0]).toBe(0);
    });

    it('is deterministic, including after its filter cache has been evicted', () => {
      const signal = tone(44100, 997, 0.2, 1);
      const first = resample(signal, 44100, 16000);
      for (const rate of [8000, 11025, 12000, 22050, 24000, 32000, 48000, 88200, 96000]) {
        resample(signal.subarray(0, 100), rate, 16000);
      }
      expect(resample(signal, 44100, 16000)).toEqual(first);
    });

    it.each([
      [0, 16000, 'fromRate', '0'],
      [44100.5, 16000, 'fromRate', '44100.5'],
      [48000, -16000, 'toRate', '-16000'],
      [48000, Number.NaN, 'toRate', 'NaN'],
    ])('rejects %s → %s Hz', (from, to, name, got) => {
      expect(() => resample(new Float32Array(10), from, to)).toThrow(
        new RangeError(`resample: expected ${name} to be a positive integer in Hz, got ${got}`),
      );
    });
  });
});

describe('useResampleKernels', () => {
  afterAll(() => useResampleKernels(null));

  it('hands registered kernels the cached plan, the signal and an output to fill', () => {
    const seen: { plan: ResamplePlan; signal: Float32Array; output: Float32Array }[] = [];
    useResampleKernels({
      resample(plan, signal, output) {
        seen.push({ plan, signal, output });
        output.fill(7);
        return true;
      },
      resamplePcm16: () => false,
    });
    const signal = tone(48000, 440, 0.1);
    const first = resample(signal, 48000, 16000);
    const second = resample(signal, 48000, 16000);
    expect(first).toEqual(new Float32Array(1600).fill(7));
    expect(seen.map((call) => call.output)).toEqual([first, second]);
    expect(seen[0].signal).toBe(signal);
    // The same plan object each time: kernels may keep their copy of its tables.
    expect(seen[1].plan).toBe(seen[0].plan);
    expect(seen[0].plan.halfBands).toHaveLength(1);
    expect(seen[0].plan.kernel).toMatchObject({ kind: 'symmetric', up: 2, down: 3 });
  });

  it('runs the TypeScript loops when the kernels decline a call', () => {
    const signal = tone(44100, 997, 0.2, 1);
    useResampleKernels(null);
    const reference = resample(signal, 44100, 16000);
    useResampleKernels({ resample: () => false, resamplePcm16: () => false });
    expect(resample(signal, 44100, 16000)).toEqual(reference);
  });
});

/** Interleaved 16-bit PCM of `channels` different tones. */
function pcm16(rate: number, frames: number, channels: number): Int16Array {
  return Int16Array.from({ length: frames * channels }, (_, i) => {
    const channel = i % channels;
    const t = Math.floor(i / channels) / rate;
    return Math.round(20000 * Math.sin(2 * Math.PI * (300 + 250 * channel) * t + channel));
  });
}

describe('resamplePcm16', () => {
  afterAll(() => useResampleKernels(null));

  it('is the downmix followed by resample, with the TypeScript loops', () => {
    useResampleKernels(null);
    for (const channels of [1, 2, 3]) {
      for (const [from, to] of [
        [48000, 16000],
        [44100, 16000],
        [16000, 16000],
      ]) {
        const interleaved = pcm16(from, 4801, channels);
        const mono = new Float32Array(4801);
        downmixPcm16(interleaved, channels, mono);
        expect(resamplePcm16(interleaved, channels, from, to), `${channels} ch ${from} Hz`).toEqual(
          resample(mono, from, to),
        );
      }
    }
  });

  it('hands registered kernels the samples undecoded, and decodes them itself when the kernels decline', () => {
    const interleaved = pcm16(48000, 4800, 2);
    const seen: { channels: number; samples: number; outputs: number }[] = [];
    useResampleKernels({
      resample: () => false,
      resamplePcm16(_plan, samples, channels, output) {
        seen.push({ channels, samples: samples.length, outputs: output.length });
        return false;
      },
    });
    const declined = resamplePcm16(interleaved, 2, 48000, 16000);
    useResampleKernels(null);
    expect(declined).toEqual(resamplePcm16(interleaved, 2, 48000, 16000));
    expect(seen).toEqual([{ channels: 2, samples: 9600, outputs: 1600 }]);
  });

  it('refuses samples that are not whole frames, and bad rates', () => {
    expect(() => resamplePcm16(new Int16Array(5), 2, 48000, 16000)).toThrow(
      'resamplePcm16: expected whole frames of 2 channels, got 5 samples',
    );
    expect(() => resamplePcm16(new Int16Array(4), 0, 48000, 16000)).toThrow(
      'resamplePcm16: expected whole frames of 0 channels, got 4 samples',
    );
    expect(() => resamplePcm16(new Int16Array(4), 1, 0, 16000)).toThrow(
      'resample: expected fromRate to be a positive integer in Hz, got 0',
    );
  });
});
