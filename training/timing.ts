/** Wall-time measurement for the benches and the inference-cost record: the same warm-up and order statistics. */

/** Milliseconds of each of `runs` calls of `run`, after `warmup` untimed ones, sorted ascending. */
export function timeRuns(run: () => unknown, runs: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** The median of ascending `sorted` values (the mean of the middle two for an even count). */
export function sortedMedian(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of ascending `sorted` values. */
export function sortedPercentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
