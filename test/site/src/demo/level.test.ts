import { describe, expect, it } from 'vitest';
import { blockLevel, FLOOR_DB, nextShownLevel } from '../../../../site/src/demo/level.ts';

describe('input level', () => {
  it('gives a block its RMS in dBFS, floored, and says when it clips', () => {
    const sine = Float32Array.from({ length: 1600 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * i) / 32));
    expect(blockLevel(sine).rmsDb).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
    expect(blockLevel(sine).clipped).toBe(false);
    expect(blockLevel(new Float32Array(128)).rmsDb).toBe(FLOOR_DB);
    expect(blockLevel(Float32Array.of(0.2, -1, 0.3)).clipped).toBe(true);
  });

  it('jumps up at once and falls back slowly', () => {
    const loud = { rmsDb: -12, clipped: false };
    const quiet = { rmsDb: -55, clipped: false };
    expect(nextShownLevel(FLOOR_DB, loud)).toBe(-12);
    expect(nextShownLevel(-12, quiet)).toBe(-13.5);
    expect(nextShownLevel(-59, { rmsDb: FLOOR_DB, clipped: false })).toBe(FLOOR_DB);
  });
});
