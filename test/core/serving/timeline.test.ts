import { describe, expect, it } from 'vitest';
import { aggregateWindows, cutWindows, planWindows } from '../../../core/serving/timeline.ts';

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

const spans = (windows: { startSeconds: number; endSeconds: number }[]) =>
  windows.map((window) => [Number(window.startSeconds.toFixed(6)), Number(window.endSeconds.toFixed(6))]);

describe('planWindows', () => {
  it('keeps a span no longer than the window as one window, whatever its speech', () => {
    expect(planWindows({ startSeconds: 0, endSeconds: 2.5 }, { startSeconds: 1, endSeconds: 2 }, 3)).toEqual([
      { startSeconds: 0, endSeconds: 2.5 },
    ]);
    expect(planWindows({ startSeconds: 4, endSeconds: 7 }, null, 3)).toEqual([
      { startSeconds: 4, endSeconds: 7 },
    ]);
  });

  it('centres one window on speech that fits in it, inside the clip', () => {
    expect(
      spans(planWindows({ startSeconds: 0, endSeconds: 10 }, { startSeconds: 4, endSeconds: 6 }, 3)),
    ).toEqual([[3.5, 6.5]]);
    expect(
      spans(planWindows({ startSeconds: 0, endSeconds: 10 }, { startSeconds: 0, endSeconds: 1 }, 3)),
    ).toEqual([[0, 3]]);
    expect(
      spans(planWindows({ startSeconds: 0, endSeconds: 10 }, { startSeconds: 9, endSeconds: 10 }, 3)),
    ).toEqual([[7, 10]]);
  });

  it('spreads full windows evenly over longer speech, overlapping by at least a quarter, ends on its edges', () => {
    const windows = planWindows(
      { startSeconds: 0, endSeconds: 30 },
      { startSeconds: 2.25, endSeconds: 12.75 },
      3,
    );
    // Speech with margins: 2 … 13 s (11 s) → ⌈8 / 2.25⌉ + 1 = 5 windows, 8/4 s apart.
    expect(windows).toHaveLength(5);
    expect(windows[0].startSeconds).toBeCloseTo(2, 9);
    expect(windows[4].endSeconds).toBeCloseTo(13, 9);
    for (const window of windows) expect(window.endSeconds - window.startSeconds).toBeCloseTo(3, 9);
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i].startSeconds - windows[i - 1].startSeconds).toBeCloseTo(8 / 4, 9);
    }
  });

  it('tiles the whole span when no speech was found', () => {
    expect(spans(planWindows({ startSeconds: 10, endSeconds: 16 }, null, 3))).toEqual([
      [10, 13],
      [11.5, 14.5],
      [13, 16],
    ]);
    expect(spans(planWindows({ startSeconds: 10, endSeconds: 19 }, null, 3))).toEqual([
      [10, 13],
      [12, 15],
      [14, 17],
      [16, 19],
    ]);
  });

  it('refuses a window that is not positive', () => {
    expect(() => planWindows({ startSeconds: 0, endSeconds: 1 }, null, 0)).toThrow(
      'expected a positive window length, got 0',
    );
  });
});

describe('aggregateWindows', () => {
  it('is the renormalised speech-weighted geometric mean', () => {
    const rows = [Float32Array.of(0.2, 0.8), Float32Array.of(0.6, 0.4)];
    const out = aggregateWindows(rows, [3, 1]);
    const a = 0.2 ** 0.75 * 0.6 ** 0.25;
    const b = 0.8 ** 0.75 * 0.4 ** 0.25;
    expect(Array.from(out)).toEqual([expect.closeTo(a / (a + b), 6), expect.closeTo(b / (a + b), 6)]);
  });

  it('gives one window its own probabilities and ignores windows of weight 0', () => {
    const only = Float32Array.of(0.1, 0.3, 0.6);
    expect(Array.from(aggregateWindows([only, Float32Array.of(1, 0, 0)], [2, 0]))).toEqual(
      Array.from(only).map((value) => expect.closeTo(value, 6)),
    );
  });

  it('stays finite when a window gives a label probability 0', () => {
    const out = aggregateWindows([Float32Array.of(0, 1), Float32Array.of(0.5, 0.5)], [1, 1]);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(out[1]).toBeGreaterThan(0.99);
  });

  it('refuses mismatched weights and an empty or weightless list', () => {
    expect(() => aggregateWindows([Float32Array.of(1)], [])).toThrow(
      'expected one weight per window (1), got 0',
    );
    expect(() => aggregateWindows([], [])).toThrow(
      'expected at least one window with a positive weight, got none',
    );
    expect(() => aggregateWindows([Float32Array.of(1)], [0])).toThrow(/positive weight/);
  });
});
