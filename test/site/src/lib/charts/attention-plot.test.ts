import { describe, expect, it } from 'vitest';
import type { AttentionExample } from '../../../../../core/contracts/run-record.ts';
import { attentionPlot, predictedLabel } from '../../../../../site/src/lib/charts/attention-plot.ts';

/** 4 bands × 6 columns of 32 ms from 0.016 s (domain 0–0.192 s); 3 attention steps of 64 ms. */
const example: AttentionExample = {
  corpus: 'emodb',
  clip: 'wav/03a01Wa.wav',
  speaker: 'emodb:03',
  label: 'angry',
  seconds: 0.2,
  probabilities: [0.6, 0.3, 0.1],
  attention: { startSeconds: 0.024, stepSeconds: 0.064, weights: [0.2, 0.7, 0.1] },
  logMel: {
    startSeconds: 0.016,
    frameSeconds: 0.032,
    bandHz: [100, 400, 1200, 4000],
    db: [
      [-70, -70, -20, -20, -70, -70],
      [-70, -60, -30, -30, -70, -70],
      [-70, -70, -40, -35, -70, -70],
      [-70, -70, -70, -70, -70, -10],
    ],
  },
};

/** Each run as [match, left, top, right, bottom]. */
const pathCells = (d: string) => [...d.matchAll(/M([\d.]+) ([\d.]+)H([\d.]+)V([\d.]+)H[\d.]+z/g)];

describe('attentionPlot', () => {
  const chart = attentionPlot(example);

  it('maps the picture onto the time axis the model saw, lowest band at the bottom', () => {
    expect(chart.domain[0]).toBeCloseTo(0, 9);
    expect(chart.domain[1]).toBeCloseTo(0.192, 9);
    const { spectrogram } = chart;
    const cells = chart.layers.flatMap((layer) => pathCells(layer.d).map((m) => ({ fill: layer.fill, m })));
    // Runs of one colour merge: rows 0 and 3 are 3 runs each, rows 1 and 2 are 4 and 4.
    expect(cells).toHaveLength(3 + 4 + 4 + 2);
    const covered = cells.reduce(
      (sum, { m }) => sum + (Number(m[3]) - Number(m[1])) * (Number(m[4]) - Number(m[2])),
      0,
    );
    expect(covered).toBeCloseTo(
      (spectrogram.right - spectrogram.left) * (spectrogram.bottom - spectrogram.top),
      0,
    );
    // The loudest cell (−10 dB, top band, last column) is yellow at the top right.
    const loudest = cells.find(({ fill }) => fill === chart.layers.at(-1)?.fill);
    expect(Number(loudest?.m[2])).toBe(spectrogram.top);
    expect(Number(loudest?.m[3])).toBeCloseTo(spectrogram.right, 0);
    // Neighbouring runs share their edge exactly (no hairline gaps).
    const bottomRow = cells
      .filter(({ m }) => Number(m[2]) === spectrogram.bottom - 6)
      .map(({ m }) => [m[1], m[3]])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(bottomRow).toHaveLength(3);
    for (let i = 1; i < bottomRow.length; i++) expect(bottomRow[i][0]).toBe(bottomRow[i - 1][1]);
    expect(chart.db).toEqual({ min: -70, max: -10 });
    expect(chart.frequencyTicks.map((tick) => tick.text)).toEqual(['100 Hz', '400 Hz', '1.2 kHz', '4.0 kHz']);
    expect(chart.frequencyTicks[0].position).toBeGreaterThan(chart.frequencyTicks[3].position);
  });

  it('draws the attention on the same time axis, with its peak and the uniform level', () => {
    const { attention, spectrogram } = chart;
    const points = [...chart.line.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(points).toHaveLength(3);
    const x = (seconds: number) =>
      spectrogram.left + (seconds / 0.192) * (spectrogram.right - spectrogram.left);
    expect(points.map(([px]) => px)).toEqual([0.024, 0.088, 0.152].map((s) => Number(x(s).toFixed(1))));
    // The largest weight is highest on the page; all points lie inside the attention panel.
    expect(Math.min(...points.map(([, py]) => py))).toBe(points[1][1]);
    for (const [, py] of points) expect(py).toBeGreaterThanOrEqual(attention.top);
    expect(chart.peak).toEqual({ x: points[1][0], seconds: 0.088, weight: 0.7 });
    expect(chart.uniform.weight).toBeCloseTo(1 / 3, 9);
    expect(chart.area.startsWith(`M${points[0][0]},${attention.bottom}`)).toBe(true);
    expect(chart.timeTicks.map((tick) => tick.text)).toEqual(['0', '0.05', '0.1', '0.15']);
    expect(chart.weightTicks.at(-1)?.text).toBe('1');
  });

  it('refuses a picture whose rows and band list disagree', () => {
    const broken = { ...example, logMel: { ...example.logMel, bandHz: [100] } };
    expect(() => attentionPlot(broken)).toThrow(/expected 4 band frequencies, got 1/);
  });
});

describe('predictedLabel', () => {
  it('is the label with the largest probability', () => {
    expect(predictedLabel(['angry', 'happy', 'sad'], [0.2, 0.5, 0.3])).toEqual({
      label: 'happy',
      probability: 0.5,
    });
  });
});
