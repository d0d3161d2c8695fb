import { describe, expect, it } from 'vitest';
import { createDct } from '../../../core/audio/mfcc.ts';

describe('createDct', () => {
  it('is orthonormal when it keeps every coefficient (D·Dᵀ = I)', () => {
    const n = 12;
    const { matrix } = createDct(n, n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += matrix[a * n + i] * matrix[b * n + i];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  it('maps a constant to its first coefficient only: c·√N', () => {
    const dct = createDct(40, 20);
    const out = new Float64Array(20);
    dct.apply(new Float64Array(40).fill(-3), out, 0);
    expect(out[0]).toBeCloseTo(-3 * Math.sqrt(40), 12);
    for (let k = 1; k < 20; k++) expect(out[k]).toBeCloseTo(0, 12);
  });

  it('matches scipy dct(type=2, norm="ortho") of a cosine on one basis vector', () => {
    // x[n] = cos(π·3·(2n+1) / 2N) is basis vector 3 scaled by √(N/2).
    const n = 16;
    const input = Float64Array.from({ length: n }, (_, i) => Math.cos((Math.PI * 3 * (2 * i + 1)) / (2 * n)));
    const out = new Float32Array(8 + 2);
    createDct(n, 8).apply(input, out, 2);
    const expected = [0, 0, 0, 0, 0, Math.sqrt(n / 2), 0, 0, 0, 0];
    expected.forEach((value, i) => {
      expect(out[i]).toBeCloseTo(value, 6);
    });
  });

  it('rejects more coefficients than inputs', () => {
    expect(() => createDct(13, 20)).toThrow('expected 1–13 coefficients, got 20');
    expect(() => createDct(0, 1)).toThrow('expected a positive integer input length, got 0');
  });
});
