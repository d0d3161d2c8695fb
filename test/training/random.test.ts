import { describe, expect, it } from 'vitest';
import { createRandom } from '../../training/random.ts';

describe('Random.beta', () => {
  it('has the mean and variance of Beta(a, b)', () => {
    const random = createRandom(7);
    for (const [a, b] of [
      [0.4, 0.4],
      [2, 5],
    ]) {
      const draws = Array.from({ length: 20000 }, () => random.beta(a, b));
      const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
      const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
      expect(draws.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(mean).toBeCloseTo(a / (a + b), 2);
      expect(variance).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 2);
    }
    expect(() => random.beta(0, 1)).toThrow('expected positive shapes, got 0 and 1');
  });
});
