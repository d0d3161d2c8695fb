import { describe, expect, it } from 'vitest';
import { centredFrameCount, createStft, fftFrequencies, periodicHann } from '../../../core/audio/stft.ts';
import { createRandom } from '../../../training/random.ts';

function randomSignal(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.next() * 2 - 1);
}

/** |DFT|² of the centred, zero-padded, Hann-windowed frame, straight from the definition. */
function naivePower(signal: Float32Array, frame: number, nFft: number, hop: number): number[] {
  const window = periodicHann(nFft);
  const start = frame * hop - nFft / 2;
  const power: number[] = [];
  for (let k = 0; k <= nFft / 2; k++) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < nFft; n++) {
      const i = start + n;
      const x = i >= 0 && i < signal.length ? signal[i] * window[n] : 0;
      re += x * Math.cos((2 * Math.PI * k * n) / nFft);
      im -= x * Math.sin((2 * Math.PI * k * n) / nFft);
    }
    power.push(re * re + im * im);
  }
  return power;
}

describe('periodicHann', () => {
  it('is scipy’s periodic Hann: zero at 0, one at n/2, symmetric about n/2', () => {
    const w = periodicHann(8);
    expect(Array.from(w)).toEqual(
      [
        0,
        0.5 - 0.5 * Math.SQRT1_2,
        0.5,
        0.5 + 0.5 * Math.SQRT1_2,
        1,
        0.5 + 0.5 * Math.SQRT1_2,
        0.5,
        0.5 - 0.5 * Math.SQRT1_2,
      ].map((x) => expect.closeTo(x, 15)),
    );
  });
});

describe('fftFrequencies and centredFrameCount', () => {
  it('spaces bins by sampleRate / nFft up to Nyquist', () => {
    const freqs = fftFrequencies(16000, 512);
    expect(freqs.length).toBe(257);
    expect(freqs[1]).toBe(31.25);
    expect(freqs[256]).toBe(8000);
  });

  it('gives 1 + floor(samples / hop) centred frames', () => {
    expect(centredFrameCount(0, 256)).toBe(1);
    expect(centredFrameCount(255, 256)).toBe(1);
    expect(centredFrameCount(256, 256)).toBe(2);
    expect(centredFrameCount(16000, 256)).toBe(63);
  });
});

describe('createStft', () => {
  it('matches a direct DFT on interior frames and on zero-padded edge frames', () => {
    const nFft = 64;
    const hop = 16;
    const signal = randomSignal(200, 7);
    const stft = createStft(nFft, hop);
    const out = new Float64Array(stft.bins);
    const frames = stft.frameCount(signal.length);
    expect(frames).toBe(13);
    for (const frame of [0, 1, 6, frames - 1]) {
      stft.powerSpectrum(signal, frame, out);
      const expected = naivePower(signal, frame, nFft, hop);
      for (let k = 0; k < stft.bins; k++) expect(out[k]).toBeCloseTo(expected[k], 9);
    }
  });

  it('handles a signal shorter than one frame', () => {
    const stft = createStft(64, 16);
    const signal = randomSignal(5, 3);
    const out = new Float64Array(stft.bins);
    stft.powerSpectrum(signal, 0, out);
    const expected = naivePower(signal, 0, 64, 16);
    for (let k = 0; k < stft.bins; k++) expect(out[k]).toBeCloseTo(expected[k], 12);
  });

  it('puts a bin-centred sine in its bin with power (A·Σw/2)²', () => {
    const stft = createStft(512, 256);
    const bin = 20;
    const signal = Float32Array.from(
      { length: 4096 },
      (_, i) => 0.5 * Math.cos((2 * Math.PI * bin * i) / 512),
    );
    const out = new Float64Array(stft.bins);
    stft.powerSpectrum(signal, 8, out);
    const peak = out.indexOf(Math.max(...out));
    expect(peak).toBe(bin);
    // Σw = nFft / 2 for the periodic Hann window.
    expect(out[bin]).toBeCloseTo((0.5 * 256 * 0.5) ** 2, 2);
  });

  it('reports Σw² (3/8 · nFft for Hann) as the white-noise power per bin', () => {
    expect(createStft(512, 256).windowPower).toBeCloseTo(192, 10);
  });

  it('rejects an nFft fft.js cannot transform and a non-positive hop', () => {
    expect(() => createStft(500, 256)).toThrow('expected nFft to be a power of two ≥ 4, got 500');
    expect(() => createStft(512, 0)).toThrow('expected hop to be a positive integer, got 0');
  });
});
