import { describe, expect, it } from 'vitest';
import { viridis } from '../../../../../site/src/lib/charts/colour.ts';
import { confusionHeatmap } from '../../../../../site/src/lib/charts/heatmap.ts';

const labels = ['angry', 'happy', 'sad'];
const counts = [
  [8, 2, 0],
  [1, 3, 0],
  [0, 0, 0],
];

describe('confusionHeatmap', () => {
  it('lays out one cell per (true, predicted) pair, rows as true labels', () => {
    const chart = confusionHeatmap(labels, counts, 'counts');
    expect(chart.cells).toHaveLength(9);
    const angryAsHappy = chart.cells[1];
    expect(angryAsHappy.text).toBe('2');
    expect(angryAsHappy.description).toBe('true angry, predicted happy: 2 of 10 (20 %)');
    expect(angryAsHappy.x).toBeGreaterThan(chart.cells[0].x);
    expect(chart.cells[3].y).toBeGreaterThan(chart.cells[0].y);
  });

  it('colours counts against the largest count', () => {
    const chart = confusionHeatmap(labels, counts, 'counts');
    expect(chart.cells[0].fill).toBe(viridis(1));
    expect(chart.cells[2].fill).toBe(viridis(0));
    expect(chart.legend.ticks.map((tick) => tick.text)).toEqual(['8', '0']);
  });

  it('row-normalises to percentages, leaving an empty row at 0', () => {
    const chart = confusionHeatmap(labels, counts, 'row-normalised');
    expect(chart.cells.slice(0, 3).map((cell) => cell.text)).toEqual(['80', '20', '0']);
    expect(chart.cells.slice(3, 6).map((cell) => cell.text)).toEqual(['25', '75', '0']);
    expect(chart.cells.slice(6).map((cell) => cell.text)).toEqual(['0', '0', '0']);
    expect(chart.cells[4].fill).toBe(viridis(0.75));
  });

  it('keeps labels and legend inside the drawing', () => {
    const chart = confusionHeatmap(labels, counts, 'counts');
    for (const text of [...chart.rowLabels, ...chart.columnLabels, chart.columnTitle]) {
      expect(text.x).toBeGreaterThan(0);
      expect(text.y).toBeLessThanOrEqual(chart.height);
    }
    expect(chart.legend.x + chart.legend.width).toBeLessThan(chart.width);
  });

  it('rejects a matrix that does not match the labels', () => {
    expect(() => confusionHeatmap(labels, [[1, 2]], 'counts')).toThrow(/3×3/);
  });
});
