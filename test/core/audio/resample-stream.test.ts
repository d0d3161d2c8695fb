import { afterAll, describe, expect, it } from 'vitest';
import { joinSamples } from '../../../core/audio/join-samples.ts';
import { resample, useResampleKernels } from '../../../core/audio/resample.ts';
import { createResampleStream } from '../../../core/audio/resample-stream.ts';
import { loadResampleKernels } from '../../../core/kernels/load-node.ts';
import { createRandom } from '../../../training/random.ts';

/** A signal with content across the band, so that every tap matters. */
function testSignal(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = 0.3 * Math.sin(i * 0.0123) + 0.2 * (random.next() - 0.5);
  return out;
}

/** The signal pushed in pieces of random sizes (some empty, some one sample), then ended. */
function streamed(signal: Float32Array, fromRate: number, toRate: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const stream = createResampleStream(fromRate, toRate);
  const parts: Float32Array[] = [];
  for (let at = 0; at < signal.length; ) {
    const size = Math.min(signal.length - at, Math.floor(random.next() ** 3 * 20_000));
    parts.push(stream.push(signal.subarray(at, at + size)));
    at += size;
  }
  parts.push(stream.end());
  return joinSamples(parts);
}

const RATES = [48_000, 44_100, 22_050, 32_000, 8_000, 11_025, 8_001, 16_000];

describe('createResampleStream', () => {
  afterAll(() => useResampleKernels(null));

  for (const [name, kernels] of [
    ['TypeScript loops', null],
    ['wasm kernels', loadResampleKernels()],
  ] as const) {
    it(`gives exactly one resample call's outputs, in any pieces (${name})`, () => {
      useResampleKernels(kernels);
      for (const [index, rate] of RATES.entries()) {
        for (const seconds of [0, 0.0001, 0.3, 2.7]) {
          const signal = testSignal(Math.round(seconds * rate), index);
          const whole = resample(signal, rate, 16_000);
          const pieces = streamed(signal, rate, 16_000, index + 10);
          expect(pieces.length, `${rate} Hz, ${seconds} s`).toBe(whole.length);
          expect(pieces, `${rate} Hz, ${seconds} s`).toEqual(whole);
        }
      }
    });
  }

  it('holds outputs back only by the filters and one step', () => {
    const stream = createResampleStream(48_000, 16_000);
    const out = stream.push(testSignal(48_000, 1));
    // One second in: all but about 0.1 s of its outputs are final.
    expect(out.length).toBeGreaterThan(14_000);
    expect(stream.received).toBe(48_000);
  });

  it('refuses bad rates and input after the end', () => {
    expect(() => createResampleStream(44_100.5, 16_000)).toThrow(/positive integer/);
    expect(() => createResampleStream(0, 16_000)).toThrow(/fromRate/);
    const stream = createResampleStream(16_000, 16_000);
    stream.end();
    expect(() => stream.push(new Float32Array(1))).toThrow(/after end/);
  });
});
