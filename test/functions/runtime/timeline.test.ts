import { describe, expect, it } from 'vitest';
import { cutWindows, meanProbabilities } from '../../../functions/runtime/timeline.ts';

describe('cutWindows', () => {
  it('cuts a clip into equal windows when the segment divides it', () => {
    expect(cutWindows(6, 2, 0.5)).toEqual([
      { startSeconds: 0, endSeconds: 2 },
      { startSeconds: 2, endSeconds: 4 },
      { startSeconds: 4, endSeconds: 6 },
    ]);
  });

  it('keeps a last window that is long enough on its own', () => {
    expect(cutWindows(5, 2, 0.5).at(-1)).toEqual({ startSeconds: 4, endSeconds: 5 });
  });

  it('joins a too-short last piece to the window before it', () => {
    expect(cutWindows(4.3, 2, 0.5)).toEqual([
      { startSeconds: 0, endSeconds: 2 },
      { startSeconds: 2, endSeconds: 4.3 },
    ]);
  });

  it('gives one window for a clip shorter than the segment', () => {
    expect(cutWindows(1.2, 3, 0.5)).toEqual([{ startSeconds: 0, endSeconds: 1.2 }]);
  });

  it('places window edges without accumulated drift', () => {
    const windows = cutWindows(0.9, 0.3, 0.1);
    expect(windows.map((window) => window.startSeconds)).toEqual([0, 0.3, 0.6]);
  });

  it('rejects a non-positive segment', () => {
    expect(() => cutWindows(3, 0, 0.5)).toThrow('expected a positive segment length, got 0');
  });
});

describe('meanProbabilities', () => {
  it('averages element-wise', () => {
    const mean = meanProbabilities([Float32Array.of(0.2, 0.8), Float32Array.of(0.6, 0.4)]);
    expect(Array.from(mean)).toEqual([expect.closeTo(0.4, 6), expect.closeTo(0.6, 6)]);
  });

  it('rejects an empty list', () => {
    expect(() => meanProbabilities([])).toThrow('expected at least one probability vector, got 0');
  });
});
