/** A linear map from a data domain onto a pixel range (either may be reversed, as y axes are). */
export interface LinearScale {
  (value: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A degenerate domain (one value) maps everything to the middle of the range instead of dividing by zero.
  const span = d1 - d0;
  const scale = ((value: number) =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0)) as LinearScale;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

/**
 * Round tick values covering [min, max] with steps of 1, 2 or 5 × 10^k, about `count` of them.
 * The first and last ticks enclose the data, so they can serve as the axis domain.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new RangeError(`niceTicks: expected finite bounds, got ${min} and ${max}`);
  }
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    [min, max] = [min - pad, max + pad];
  }
  const rough = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  // d3's thresholds: pick the 1/2/5/10 multiple nearest to the rough step on a log scale.
  const error = rough / magnitude;
  const step =
    magnitude * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.SQRT2 ? 2 : 1);
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step / 2; i++) {
    // Rounding to the step's decimals removes float noise such as 0.30000000000000004.
    ticks.push(Number((first + i * step).toFixed(Math.max(0, -Math.floor(Math.log10(step))))));
  }
  return ticks;
}
