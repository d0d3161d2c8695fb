import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatHz,
  formatMacs,
  formatMeanSd,
  formatMs,
  formatParameters,
  formatPercent,
} from '../../../../site/src/lib/format.ts';

describe('format', () => {
  it('writes proportions as percentages with one decimal', () => {
    expect(formatPercent(0.6234)).toBe('62.3 %');
    expect(formatMeanSd(0.6234, 0.0412)).toBe('62.3 ± 4.1 %');
  });

  it('groups thousands and abbreviates parameter counts', () => {
    expect(formatCount(1234567)).toBe('1\u202f234\u202f567');
    expect(formatParameters(412_345)).toBe('412 k');
    expect(formatParameters(1_312_000)).toBe('1.3 M');
    expect(formatParameters(950)).toBe('950');
  });

  it('writes inference costs and band frequencies in their units', () => {
    expect(formatMacs(7_690_512)).toBe('7.69 M');
    expect(formatMacs(26_135)).toBe('26 k');
    expect(formatMs(4.43)).toBe('4.4 ms');
    expect(formatMs(123.4)).toBe('123 ms');
    expect(formatHz(993)).toBe('993 Hz');
    expect(formatHz(7134)).toBe('7.1 kHz');
  });

  it('writes durations at a readable precision without "60 s" carries', () => {
    expect(formatDuration(3.24)).toBe('3.2 s');
    expect(formatDuration(119.7)).toBe('2 min 0 s');
    expect(formatDuration(250)).toBe('4 min 10 s');
    expect(formatDuration(7500)).toBe('2 h 05 min');
  });
});
