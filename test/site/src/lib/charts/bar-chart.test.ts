import { describe, expect, it } from 'vitest';
import { barChart } from '../../../../../site/src/lib/charts/bar-chart.ts';
import { textWidth } from '../../../../../site/src/lib/charts/text-width.ts';

describe('barChart', () => {
  const items = [
    { label: 'anger', value: 127, valueText: '127', colour: '#0072b2' },
    { label: 'disgust', value: 46, valueText: '46', colour: '#0072b2' },
  ];

  it('scales bar lengths to the largest value and keeps every value label inside the width', () => {
    const chart = barChart(items, { width: 400 });
    const [anger, disgust] = chart.bars;
    expect(disgust.width / anger.width).toBeCloseTo(46 / 127);
    for (const bar of chart.bars) expect(bar.valueX + textWidth(bar.valueText, 12)).toBeLessThanOrEqual(400);
    expect(chart.height).toBe(2 * 22);
  });

  it('can share a fixed maximum so separate charts compare', () => {
    const shared = barChart(items, { maximum: 254 });
    const alone = barChart([...items, { label: 'x', value: 254, valueText: '127', colour: '#000' }]);
    expect(shared.bars[0].width).toBeCloseTo(alone.bars[2].width / 2);
  });

  it('draws zero-length bars when every value is zero', () => {
    const chart = barChart([{ label: 'x', value: 0, valueText: '0', colour: '#000' }]);
    expect(chart.bars[0].width).toBe(0);
  });
});
