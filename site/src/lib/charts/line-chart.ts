import { linearScale, niceTicks } from './scale.ts';

export interface Series {
  name: string;
  points: readonly { x: number; y: number }[];
  colour: string;
  /** Dashed lines tell series apart without relying on colour. */
  dashed?: boolean;
}

export interface LineChartOptions {
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range (e.g. [0, 1] for accuracies); otherwise rounded out from the data. */
  yDomain?: readonly [number, number];
  /** An x position to mark with a vertical rule, e.g. the epoch whose weights were kept. */
  marker?: { x: number; label: string };
}

export interface Tick {
  position: number;
  text: string;
}

export interface LineChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: Tick[];
  yTicks: Tick[];
  lines: { name: string; d: string; colour: string; dashed: boolean }[];
  /** Label anchored away from the nearer edge so it stays inside the plot. */
  marker?: { x: number; label: string; anchor: 'start' | 'end' };
  xLabel: string;
  yLabel: string;
}

const MARGIN = { left: 52, right: 12, top: 12, bottom: 40 };

const tickText = (value: number) => String(Number(value.toPrecision(6)));

/** Layout of a line chart with numeric axes; series with no points are dropped. */
export function lineChart(series: readonly Series[], options: LineChartOptions): LineChartGeometry {
  const width = options.width ?? 360;
  const height = options.height ?? 220;
  const drawn = series.filter((s) => s.points.length > 0);
  const xs = drawn.flatMap((s) => s.points.map((p) => p.x));
  const ys = drawn.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const xTickValues = niceTicks(Math.min(...xs, 0), Math.max(...xs, 1), 5);
  const yTickValues = options.yDomain
    ? niceTicks(options.yDomain[0], options.yDomain[1], 4)
    : niceTicks(Math.min(...ys, 0), Math.max(...ys, 1), 4);
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: width - MARGIN.right,
    bottom: height - MARGIN.bottom,
  };
  const x = linearScale([xTickValues[0], xTickValues.at(-1) as number], [plot.left, plot.right]);
  const y = linearScale([yTickValues[0], yTickValues.at(-1) as number], [plot.bottom, plot.top]);

  const lines = drawn.map((s) => ({
    name: s.name,
    colour: s.colour,
    dashed: s.dashed ?? false,
    // Non-finite values (a diverged loss) break the line rather than drawing to infinity.
    d: s.points
      .map((p, i) => {
        if (!Number.isFinite(p.y)) return '';
        const move = i === 0 || !Number.isFinite(s.points[i - 1].y) ? 'M' : 'L';
        return `${move}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`;
      })
      .join(''),
  }));

  return {
    width,
    height,
    plot,
    xTicks: xTickValues.map((value) => ({ position: x(value), text: tickText(value) })),
    yTicks: yTickValues.map((value) => ({ position: y(value), text: tickText(value) })),
    lines,
    marker: options.marker && {
      x: x(options.marker.x),
      label: options.marker.label,
      anchor: x(options.marker.x) > (plot.left + plot.right) / 2 ? 'end' : 'start',
    },
    xLabel: options.xLabel,
    yLabel: options.yLabel,
  };
}
