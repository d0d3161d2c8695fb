import { describe, expect, it } from 'vitest';
import { lineChart } from '../../../../../site/src/lib/charts/line-chart.ts';

const loss = [
  { x: 1, y: 2.1 },
  { x: 2, y: 1.4 },
  { x: 3, y: 1.1 },
];

describe('lineChart', () => {
  it('draws each series as a path inside the plot area', () => {
    const chart = lineChart([{ name: 'training loss', points: loss, colour: '#0072b2' }], {
      xLabel: 'epoch',
      yLabel: 'loss',
    });
    expect(chart.lines).toHaveLength(1);
    const coordinates = [...chart.lines[0].d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(coordinates).toHaveLength(3);
    for (const [x, y] of coordinates) {
      expect(x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(x).toBeLessThanOrEqual(chart.plot.right);
      expect(y).toBeGreaterThanOrEqual(chart.plot.top);
      expect(y).toBeLessThanOrEqual(chart.plot.bottom);
    }
    // Falling loss: later points sit lower on the page (larger y).
    expect(coordinates[2][1]).toBeGreaterThan(coordinates[0][1]);
  });

  it('honours a fixed y domain and labels its ticks', () => {
    const chart = lineChart([{ name: 'UA', points: [{ x: 1, y: 0.5 }], colour: '#000' }], {
      xLabel: 'epoch',
      yLabel: 'UA',
      yDomain: [0, 1],
    });
    expect(chart.yTicks.map((tick) => tick.text)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
  });

  it('breaks a line at non-finite values instead of drawing to infinity', () => {
    const chart = lineChart(
      [
        {
          name: 'loss',
          points: [...loss, { x: 4, y: Number.NaN }, { x: 5, y: 1 }],
          colour: '#000',
          dashed: true,
        },
      ],
      { xLabel: 'epoch', yLabel: 'loss' },
    );
    expect(chart.lines[0].d.match(/M/g)).toHaveLength(2);
    expect(chart.lines[0].dashed).toBe(true);
  });

  it('places the marker on the x scale', () => {
    const chart = lineChart([{ name: 'loss', points: loss, colour: '#000' }], {
      xLabel: 'epoch',
      yLabel: 'loss',
      marker: { x: 2, label: 'kept' },
    });
    const tickAt2 = chart.xTicks.find((tick) => tick.text === '2');
    expect(chart.marker?.x).toBeCloseTo(tickAt2?.position ?? Number.NaN);
  });
});
