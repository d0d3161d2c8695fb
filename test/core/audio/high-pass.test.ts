import { describe, expect, it } from 'vitest';
import { highPass } from '../../../core/audio/high-pass.ts';
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

describe('highPass', () => {
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
