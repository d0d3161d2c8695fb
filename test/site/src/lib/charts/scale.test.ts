import { describe, expect, it } from 'vitest';
import { linearScale, niceTicks } from '../../../../../site/src/lib/charts/scale.ts';

describe('linearScale', () => {
  it('maps the domain ends onto the range ends, including reversed ranges', () => {
    const y = linearScale([0, 1], [200, 10]);
    expect(y(0)).toBe(200);
    expect(y(1)).toBe(10);
    expect(y(0.5)).toBe(105);
  });

  it('maps a one-value domain to the middle of the range', () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe('niceTicks', () => {
  it('uses round steps that enclose the data', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 2.71, 4)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(1, 37, 5)).toEqual([0, 10, 20, 30, 40]);
  });

  it('widens a single value into a range around it', () => {
    const ticks = niceTicks(2, 2);
    expect(ticks[0]).toBeLessThan(2);
    expect(ticks.at(-1)).toBeGreaterThan(2);
  });

  it('rejects non-finite bounds', () => {
    expect(() => niceTicks(0, Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});
