import { textWidth } from './text-width.ts';

export interface Bar {
  label: string;
  value: number;
  /** Text printed after the bar, e.g. `160 (13 %)`. */
  valueText: string;
  colour: string;
}

export interface BarGeometry {
  label: string;
  valueText: string;
  colour: string;
  /** Bar rectangle and the baselines of its label (left of the bar) and value (right of it). */
  x: number;
  y: number;
  width: number;
  height: number;
  labelX: number;
  valueX: number;
  textY: number;
}

export interface BarChartGeometry {
  width: number;
  height: number;
  bars: BarGeometry[];
}

const ROW = 22;
const BAR = 16;
const FONT = 12;
const GAP = 6;

/** Horizontal bars, one row per item, scaled to the largest value (or to `maximum` when given). */
export function barChart(
  items: readonly Bar[],
  options: { width?: number; maximum?: number } = {},
): BarChartGeometry {
  const width = options.width ?? 420;
  const labelWidth = Math.max(0, ...items.map((item) => textWidth(item.label, FONT)));
  const valueWidth = Math.max(0, ...items.map((item) => textWidth(item.valueText, FONT)));
  const left = labelWidth + GAP;
  const span = Math.max(1, width - left - GAP - valueWidth);
  const maximum = options.maximum ?? Math.max(0, ...items.map((item) => item.value));
  const bars = items.map((item, i): BarGeometry => {
    const length = maximum > 0 ? (Math.max(0, item.value) / maximum) * span : 0;
    const y = i * ROW + (ROW - BAR) / 2;
    return {
      label: item.label,
      valueText: item.valueText,
      colour: item.colour,
      x: left,
      y,
      width: length,
      height: BAR,
      labelX: left - GAP,
      valueX: left + length + GAP,
      textY: y + BAR / 2,
    };
  });
  return { width, height: items.length * ROW, bars };
}
