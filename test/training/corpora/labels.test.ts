import { describe, expect, it } from 'vitest';
import {
  CANONICAL_LABELS,
  CORPUS_IDS,
  findLabel,
  LABEL_MAPPING,
  toCanonical,
} from '../../../training/corpora/labels.ts';

describe('LABEL_MAPPING', () => {
  it('maps every row onto a canonical label and lists each corpus label once', () => {
    const seen = new Set<string>();
    for (const mapping of LABEL_MAPPING) {
      expect(CANONICAL_LABELS).toContain(mapping.canonical);
      expect(CORPUS_IDS).toContain(mapping.corpus);
      for (const spelling of [mapping.label, ...mapping.aliases]) {
        const key = `${mapping.corpus}:${spelling.toLowerCase()}`;
        expect(seen.has(key), `${key} listed twice`).toBe(false);
        seen.add(key);
      }
    }
  });

  it('gives each corpus its documented number of classes', () => {
    const classes = (corpus: string) => LABEL_MAPPING.filter((m) => m.corpus === corpus).length;
    expect(CORPUS_IDS.map((corpus) => [corpus, classes(corpus)])).toEqual([
      ['ravdess', 8],
      ['emodb', 7],
      ['urdu', 4],
      ['savee', 7],
      ['tess', 7],
      ['crema-d', 6],
      ['ased', 5],
      ['turev', 4],
    ]);
  });
});

describe('toCanonical', () => {
  it('maps the labels that differ between corpora', () => {
    expect(toCanonical('tess', 'ps')).toBe('surprised');
    expect(toCanonical('tess', 'pleasant_surprised')).toBe('surprised');
    expect(toCanonical('tess', 'Pleasant_surprise')).toBe('surprised');
    expect(toCanonical('emodb', 'L')).toBe('boredom');
    expect(toCanonical('emodb', 'W')).toBe('angry');
    expect(toCanonical('savee', 'sa')).toBe('sad');
    expect(toCanonical('savee', 'su')).toBe('surprised');
    expect(toCanonical('crema-d', 'FEA')).toBe('fearful');
    expect(toCanonical('urdu', 'H')).toBe('happy');
    expect(toCanonical('ased', 'f2')).toBe('fearful');
    expect(toCanonical('ased', 'S4')).toBe('sad');
    expect(toCanonical('turev', 'kz')).toBe('angry');
    expect(toCanonical('turev', 'mt')).toBe('happy');
  });

  it('keeps RAVDESS and TurEV-DB calm unless asked to merge it into neutral', () => {
    expect(toCanonical('ravdess', '02')).toBe('calm');
    expect(toCanonical('ravdess', '02', { mergeCalmIntoNeutral: true })).toBe('neutral');
    expect(toCanonical('ravdess', '03', { mergeCalmIntoNeutral: true })).toBe('happy');
    expect(toCanonical('turev', 'sk')).toBe('calm');
    expect(toCanonical('turev', 'sk', { mergeCalmIntoNeutral: true })).toBe('neutral');
    expect(LABEL_MAPPING.filter((m) => m.canonical === 'calm').map((m) => m.corpus)).toEqual([
      'ravdess',
      'turev',
    ]);
  });

  it('treats EMO-DB codes as case-sensitive and names the known labels for an unknown one', () => {
    expect(findLabel('emodb', 'l')).toBeUndefined();
    expect(() => toCanonical('emodb', 'X')).toThrow(
      'expected one of the emodb labels (W, L, E, A, F, T, N), got "X"',
    );
  });
});
