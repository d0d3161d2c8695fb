import type { AttentionExample } from '../../../../core/contracts/run-record.ts';
import { formatHz } from '../format.ts';
import { viridis } from './colour.ts';
import { linearScale, niceTicks } from './scale.ts';

export interface Tick {
  position: number;
  text: string;
}

export interface Panel {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Every spectrogram cell of one colour as one path (far smaller than a rect per cell). */
export interface ColourLayer {
  fill: string;
  d: string;
}

export interface AttentionPlotGeometry {
  width: number;
  height: number;
  /** Log-mel picture, time across, lowest band at the bottom. */
  spectrogram: Panel;
  /** Attention weight per step, on the same time axis, under the spectrogram. */
  attention: Panel;
  layers: ColourLayer[];
  /** Attention as a filled area and its outline. */
  area: string;
  line: string;
  /** The weight every step would get if attention were uniform over the steps that hold audio. */
  uniform: { y: number; weight: number };
  /** The step with the largest weight, marked across both panels. */
  peak: { x: number; seconds: number; weight: number };
  timeTicks: Tick[];
  frequencyTicks: Tick[];
  weightTicks: Tick[];
  legend: {
    x: number;
    y: number;
    width: number;
    height: number;
    stops: { offset: number; colour: string }[];
  };
  /** Loudest and quietest dB of the picture (legend top and bottom). */
  db: { min: number; max: number };
  /** Seconds the time axis spans: the frames the model saw. */
  domain: readonly [number, number];
}

const WIDTH = 560;
// The top margin holds the chart title.
const MARGIN = { left: 72, right: 64, top: 28, bottom: 40 };
const ROW = 6;
const GAP = 10;
const ATTENTION_HEIGHT = 64;
const LEVELS = 32;

const fixed = (value: number) => Number(value.toFixed(1));
const tickText = (value: number) => String(Number(value.toPrecision(6)));

/**
 * Layout of one attention example: the log-mel picture as a viridis heatmap and the attention weights as an
 * area under it, sharing a time axis in seconds from the start of the clip (the frames the model saw).
 */
export function attentionPlot(example: AttentionExample): AttentionPlotGeometry {
  const { logMel, attention } = example;
  const rows = logMel.db.length;
  const columns = logMel.db[0]?.length ?? 0;
  if (rows === 0 || columns === 0 || logMel.db.some((row) => row.length !== columns)) {
    throw new RangeError(`attentionPlot: expected a rectangular picture, got ${rows} rows of uneven length`);
  }
  if (logMel.bandHz.length !== rows) {
    throw new RangeError(`attentionPlot: expected ${rows} band frequencies, got ${logMel.bandHz.length}`);
  }
  const start = logMel.startSeconds - logMel.frameSeconds / 2;
  const domain = [start, start + columns * logMel.frameSeconds] as const;
  const spectrogram = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: WIDTH - MARGIN.right,
    bottom: MARGIN.top + rows * ROW,
  };
  const panel = {
    ...spectrogram,
    top: spectrogram.bottom + GAP,
    bottom: spectrogram.bottom + GAP + ATTENTION_HEIGHT,
  };
  const x = linearScale(domain, [spectrogram.left, spectrogram.right]);
  const cellWidth = (spectrogram.right - spectrogram.left) / columns;

  // Spectrogram: dB quantised to LEVELS viridis colours; runs of one colour within a row merge into one rectangle.
  const values = logMel.db.flat();
  const db = { min: Math.min(...values), max: Math.max(...values) };
  const level = (value: number) =>
    db.max === db.min ? 0 : Math.min(LEVELS - 1, Math.floor(((value - db.min) / (db.max - db.min)) * LEVELS));
  const paths: string[][] = Array.from({ length: LEVELS }, () => []);
  logMel.db.forEach((line, row) => {
    const y = spectrogram.bottom - (row + 1) * ROW;
    for (let column = 0; column < columns; ) {
      const shade = level(line[column]);
      let end = column + 1;
      while (end < columns && level(line[end]) === shade) end++;
      // Absolute edges, rounded the same way for neighbours, so runs tile without hairline gaps.
      const left = fixed(spectrogram.left + column * cellWidth);
      const right = fixed(spectrogram.left + end * cellWidth);
      paths[shade].push(`M${left} ${y}H${right}V${y + ROW}H${left}z`);
      column = end;
    }
  });
  const layers = paths.flatMap((d, shade) =>
    d.length === 0 ? [] : [{ fill: viridis((shade + 0.5) / LEVELS), d: d.join('') }],
  );

  // Attention: one point per step at its centre time.
  const { weights, startSeconds, stepSeconds } = attention;
  const uniformWeight = 1 / weights.length;
  const weightTickValues = niceTicks(0, Math.max(uniformWeight, ...weights), 2);
  const y = linearScale([0, weightTickValues.at(-1) as number], [panel.bottom, panel.top]);
  const points = weights.map((weight, i) => [fixed(x(startSeconds + i * stepSeconds)), fixed(y(weight))]);
  const line = points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px},${py}`).join('');
  const first = points[0][0];
  const last = (points.at(-1) as number[])[0];
  const area = `M${first},${panel.bottom}L${line.slice(1)}L${last},${panel.bottom}Z`;
  const peakIndex = weights.indexOf(Math.max(...weights));
  const peakSeconds = startSeconds + peakIndex * stepSeconds;

  // Frequency ticks: four rows spread over the picture, labelled with their centre frequency.
  const tickRows = [...new Set([0, Math.round((rows - 1) / 3), Math.round((2 * (rows - 1)) / 3), rows - 1])];
  return {
    width: WIDTH,
    height: panel.bottom + MARGIN.bottom,
    spectrogram,
    attention: panel,
    layers,
    area,
    line,
    uniform: { y: fixed(y(uniformWeight)), weight: uniformWeight },
    peak: { x: fixed(x(peakSeconds)), seconds: peakSeconds, weight: weights[peakIndex] },
    timeTicks: niceTicks(domain[0], domain[1], 6)
      .filter((value) => value >= domain[0] - 1e-9 && value <= domain[1] + 1e-9)
      .map((value) => ({ position: fixed(x(value)), text: tickText(value) })),
    frequencyTicks: tickRows.map((row) => ({
      position: spectrogram.bottom - (row + 0.5) * ROW,
      text: formatHz(logMel.bandHz[row]),
    })),
    weightTicks: weightTickValues.map((value) => ({ position: fixed(y(value)), text: tickText(value) })),
    legend: {
      x: spectrogram.right + 10,
      y: spectrogram.top,
      width: 10,
      height: spectrogram.bottom - spectrogram.top,
      stops: Array.from({ length: 11 }, (_, i) => ({ offset: i / 10, colour: viridis(1 - i / 10) })),
    },
    db,
    domain,
  };
}

/** The label the model gave the clip (its largest probability) and that probability. */
export function predictedLabel(labels: readonly string[], probabilities: readonly number[]) {
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { label: labels[best], probability: probabilities[best] };
}
