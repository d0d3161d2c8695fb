import { describe, expect, it } from 'vitest';
import {
  closingWindow,
  completeWindows,
  slidingWindows,
  type WindowGrid,
} from '../../../core/serving/sliding-windows.ts';

const grid: WindowGrid = { windowSamples: 300, hopSamples: 100 };

describe('the sliding window grid', () => {
  it('lays full windows every hop from the start, as the samples complete them', () => {
    expect(completeWindows(grid, 299, 0)).toEqual([]);
    expect(completeWindows(grid, 300, 0)).toEqual([{ start: 0, end: 300 }]);
    expect(completeWindows(grid, 520, 0)).toEqual([
      { start: 0, end: 300 },
      { start: 100, end: 400 },
      { start: 200, end: 500 },
    ]);
    // A stream asks only for the windows it has not sent yet.
    expect(completeWindows(grid, 520, 2)).toEqual([{ start: 200, end: 500 }]);
  });

  it('closes with the last window length of audio when the full windows leave the end uncovered', () => {
    expect(closingWindow(grid, 520, 3)).toEqual({ start: 220, end: 520 });
    expect(closingWindow(grid, 500, 3)).toBeNull();
    // Shorter than one window: the whole of it, once.
    expect(closingWindow(grid, 120, 0)).toEqual({ start: 0, end: 120 });
    expect(closingWindow(grid, 0, 0)).toBeNull();
  });

  it('gives a whole clip the windows a stream of it gets', () => {
    for (const total of [0, 1, 299, 300, 301, 399, 400, 1234]) {
      const full = completeWindows(grid, total, 0);
      const closing = closingWindow(grid, total, full.length);
      expect(slidingWindows(grid, total)).toEqual(closing ? [...full, closing] : full);
      // Every sample is in some window.
      const covered = new Uint8Array(total);
      for (const { start, end } of slidingWindows(grid, total)) covered.fill(1, start, end);
      expect(covered.every((flag) => flag === 1)).toBe(true);
    }
  });
});
