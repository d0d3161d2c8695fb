import { describe, expect, it } from 'vitest';
import { createRealFft } from '../../../core/audio/real-fft.ts';
import { createRandom } from '../../../training/random.ts';

/** X[k] = Σ x[n]·e^(−2πikn/N), k = 0 … N/2, straight from the definition. */
function naiveDft(input: Float64Array): { re: number[]; im: number[] } {
  const size = input.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= size / 2; k++) {
    let sumRe = 0;
    let sumIm = 0;
    for (let n = 0; n < size; n++) {
      sumRe += input[n] * Math.cos((2 * Math.PI * k * n) / size);
      sumIm -= input[n] * Math.sin((2 * Math.PI * k * n) / size);
    }
    re.push(sumRe);
    im.push(sumIm);
  }
  return { re, im };
}

describe('createRealFft', () => {
  for (const size of [4, 8, 64, 512]) {
    it(`gives the one-sided DFT of a real sequence of ${size}, and its power`, () => {
      const random = createRandom(size);
      const input = Float64Array.from({ length: size }, () => 2 * random.next() - 1);
      const fft = createRealFft(size);
      expect(fft.bins).toBe(size / 2 + 1);
      const re = new Float64Array(fft.bins);
      const im = new Float64Array(fft.bins);
      fft.transform(input, re, im);
      const expected = naiveDft(input);
      const power = new Float64Array(fft.bins);
      fft.powerSpectrum(input, power);
      for (let k = 0; k < fft.bins; k++) {
        expect(re[k]).toBeCloseTo(expected.re[k], 9);
        expect(im[k]).toBeCloseTo(expected.im[k], 9);
        expect(power[k]).toBeCloseTo(expected.re[k] ** 2 + expected.im[k] ** 2, 8);
      }
    });
  }

  it('rejects a size that is not a power of two ≥ 4', () => {
    for (const size of [0, 2, 6, 100, 2.5]) {
      expect(() => createRealFft(size)).toThrow(
        `real FFT: expected a size that is a power of two ≥ 4, got ${size}`,
      );
    }
  });
});
