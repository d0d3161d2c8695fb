import { describe, expect, it } from 'vitest';
import { highPass } from '../../../core/audio/high-pass.ts';
import { createRandom } from '../../../training/random.ts';
import { tone } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;
const rmsOf = (signal: Float32Array, from = RATE) => {
  let sum = 0;
  for (let i = from; i < signal.length; i++) sum += signal[i] * signal[i];
  return Math.sqrt(sum / (signal.length - from));
};
const gainDb = (hz: number, cutoff = 80) => {
  const input = tone(2, hz, -20);
  return 20 * Math.log10(rmsOf(highPass(input, RATE, cutoff)) / rmsOf(input));
};

/** The filter one sample at a time (direct form II transposed), as the definition to compare with. */
function oneByOne(samples: Float32Array, cutoff: number): Float64Array {
  const k = Math.tan((Math.PI * cutoff) / RATE);
  const norm = 1 / (1 + Math.SQRT2 * k + k * k);
  const [b0, b1, b2] = [norm, -2 * norm, norm];
  const a1 = 2 * (k * k - 1) * norm;
  const a2 = (1 - Math.SQRT2 * k + k * k) * norm;
  const out = new Float64Array(samples.length);
  const first = samples[0] ?? 0;
  let s1 = -b0 * first;
  let s2 = b2 * first;
  samples.forEach((x, i) => {
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b2 * x - a2 * y;
    out[i] = y;
  });
  return out;
}

describe('highPass', () => {
  it('gives the one-sample-at-a-time filter, for every length around its blocks of four', () => {
    const random = createRandom(5);
    for (let length = 0; length <= 11; length++) {
      const input = Float32Array.from({ length }, () => 0.3 + random.next() - 0.5);
      expect(Array.from(highPass(input, RATE, 80))).toEqual(
        Array.from(Float32Array.from(oneByOne(input, 80))),
      );
    }
    const long = Float32Array.from(
      { length: 3 * RATE },
      (_, i) => Math.sin(i / 7) * 0.5 + random.next() * 1e-3,
    );
    const expected = oneByOne(long, 80);
    const actual = highPass(long, RATE, 80);
    let worst = 0;
    actual.forEach((value, i) => {
      worst = Math.max(worst, Math.abs(value - expected[i]));
    });
    expect(worst).toBeLessThan(1e-7);
  });

  it('removes a DC offset', () => {
    const out = highPass(new Float32Array(2 * RATE).fill(0.3), RATE, 80);
    expect(Math.max(...out.subarray(RATE).map(Math.abs))).toBeLessThan(1e-6);
  });

  it('is −3 dB at the cut-off, flat in the voice band and steep below it (12 dB per octave)', () => {
    expect(gainDb(80)).toBeCloseTo(-3.01, 1);
    for (const hz of [300, 1000, 4000]) expect(Math.abs(gainDb(hz))).toBeLessThan(0.05);
    expect(gainDb(20)).toBeLessThan(-23);
  });

  it('rejects cut-offs outside (0, Nyquist)', () => {
    expect(() => highPass(new Float32Array(10), RATE, 0)).toThrow(
      'expected a cut-off in (0, 8000) Hz, got 0',
    );
    expect(() => highPass(new Float32Array(10), RATE, 9000)).toThrow('got 9000');
  });
});
