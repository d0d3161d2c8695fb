import { textColourOn, viridis } from './colour.ts';
import { textWidth } from './text-width.ts';

/** `counts` shows raw counts; `row-normalised` divides each row by its total (per-class recall on the diagonal). */
export type HeatmapMode = 'counts' | 'row-normalised';

export interface HeatmapCell {
  x: number;
  y: number;
  size: number;
  fill: string;
  text: string;
  textFill: string;
  /** Full sentence for the cell's tooltip and screen readers. */
  description: string;
}

export interface PositionedText {
  x: number;
  y: number;
  text: string;
}

export interface HeatmapLegend {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Gradient stops, top (maximum) to bottom (minimum). */
  stops: { offset: number; colour: string }[];
  ticks: PositionedText[];
}

export interface HeatmapGeometry {
  width: number;
  height: number;
  cells: HeatmapCell[];
  rowLabels: PositionedText[];
  columnLabels: PositionedText[];
  rowTitle: PositionedText;
  columnTitle: PositionedText;
  legend: HeatmapLegend;
}

const CELL = 46;
const FONT = 12;
const GAP = 8;
const LEGEND_WIDTH = 14;

const formatPercent = (value: number) => `${Math.round(value * 100)}`;

/**
 * Layout of a confusion matrix (rows: true labels, columns: predictions) as a viridis heatmap. Every cell
 * carries its value as text, so the chart reads without colour; empty rows show as 0.
 */
export function confusionHeatmap(
  labels: readonly string[],
  counts: readonly (readonly number[])[],
  mode: HeatmapMode,
): HeatmapGeometry {
  if (counts.length !== labels.length || counts.some((row) => row.length !== labels.length)) {
    throw new RangeError(`confusionHeatmap: expected a ${labels.length}×${labels.length} matrix`);
  }
  const rowTotals = counts.map((row) => row.reduce((sum, count) => sum + count, 0));
  const values = counts.map((row, r) =>
    row.map((count) => (mode === 'counts' ? count : rowTotals[r] === 0 ? 0 : count / rowTotals[r])),
  );
  const maximum = mode === 'counts' ? Math.max(1, ...values.flat()) : 1;

  const labelWidth = Math.max(...labels.map((label) => textWidth(label, FONT)));
  const left = FONT + GAP * 2 + labelWidth; // axis title, gap, row labels, gap
  const top = GAP;
  const grid = CELL * labels.length;
  // Column labels are rotated 45°, so they need about labelWidth·sin45° below the grid.
  const bottom = Math.ceil(labelWidth * Math.SQRT1_2) + FONT * 3 + GAP * 2;
  const legendX = left + grid + GAP * 2;

  const cells = values.flatMap((row, r) =>
    row.map((value, c): HeatmapCell => {
      const fill = viridis(value / maximum);
      const shown = mode === 'counts' ? String(value) : formatPercent(value);
      const share = rowTotals[r] === 0 ? 0 : counts[r][c] / rowTotals[r];
      return {
        x: left + c * CELL,
        y: top + r * CELL,
        size: CELL,
        fill,
        text: shown,
        textFill: textColourOn(fill),
        description: `true ${labels[r]}, predicted ${labels[c]}: ${counts[r][c]} of ${rowTotals[r]} (${formatPercent(share)} %)`,
      };
    }),
  );

  return {
    width:
      legendX + LEGEND_WIDTH + GAP + textWidth(mode === 'counts' ? String(maximum) : '100 %', FONT) + GAP,
    height: top + grid + bottom,
    cells,
    rowLabels: labels.map((text, r) => ({ x: left - GAP, y: top + r * CELL + CELL / 2, text })),
    columnLabels: labels.map((text, c) => ({ x: left + c * CELL + CELL / 2, y: top + grid + GAP, text })),
    rowTitle: { x: FONT, y: top + grid / 2, text: 'true label' },
    columnTitle: { x: left + grid / 2, y: top + grid + bottom - GAP, text: 'predicted label' },
    legend: {
      x: legendX,
      y: top,
      width: LEGEND_WIDTH,
      height: grid,
      stops: Array.from({ length: 11 }, (_, i) => ({ offset: i / 10, colour: viridis(1 - i / 10) })),
      ticks: [
        { x: legendX + LEGEND_WIDTH + 4, y: top + FONT, text: mode === 'counts' ? String(maximum) : '100 %' },
        { x: legendX + LEGEND_WIDTH + 4, y: top + grid, text: mode === 'counts' ? '0' : '0 %' },
      ],
    },
  };
}
