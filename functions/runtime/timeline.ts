import type { Span } from './inference.ts';

/**
 * Cuts a clip into consecutive windows of `segmentSeconds`. A last piece shorter than `minSeconds` is too
 * short to classify on its own, so it joins the window before it.
 */
export function cutWindows(durationSeconds: number, segmentSeconds: number, minSeconds: number): Span[] {
  if (!(segmentSeconds > 0))
    throw new RangeError(`expected a positive segment length, got ${segmentSeconds}`);
  const windows: Span[] = [];
  // Multiplying, not accumulating, keeps window edges free of drift (0.1 + 0.1 + 0.1 ≠ 0.3).
  for (let index = 0; index * segmentSeconds < durationSeconds; index++) {
    const start = index * segmentSeconds;
    windows.push({ startSeconds: start, endSeconds: Math.min(start + segmentSeconds, durationSeconds) });
  }
  const last = windows.at(-1);
  if (windows.length > 1 && last !== undefined && last.endSeconds - last.startSeconds < minSeconds) {
    windows.pop();
    windows[windows.length - 1].endSeconds = durationSeconds;
  }
  return windows;
}

/** Element-wise mean of equally long probability vectors (the clip-level result of a timeline). */
export function meanProbabilities(rows: readonly Float32Array[]): Float32Array {
  if (rows.length === 0) throw new RangeError('expected at least one probability vector, got 0');
  const mean = new Float32Array(rows[0].length);
  for (const row of rows) for (let i = 0; i < row.length; i++) mean[i] += row[i] / rows.length;
  return mean;
}
