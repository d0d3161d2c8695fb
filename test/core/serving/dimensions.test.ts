import { describe, expect, it } from 'vitest';
import { expectedDimensions, LEXICON_ENTRIES, labelDimensions } from '../../../core/serving/dimensions.ts';
import { CANONICAL_LABELS } from '../../../training/corpora/labels.ts';

describe('arousal and valence from the labels', () => {
  it("places each label at its lexicon word's scores, rescaled to −1…1", () => {
    const [angry, calm] = labelDimensions(['angry', 'calm']) ?? [];
    expect(angry.arousal).toBeCloseTo(2 * 0.865 - 1, 6);
    expect(angry.valence).toBeCloseTo(2 * 0.167 - 1, 6);
    expect(calm.arousal).toBeLessThan(-0.5);
    expect(calm.valence).toBeGreaterThan(0.5);
    // Every label of the corpora we train on is in the table.
    for (const label of CANONICAL_LABELS) {
      expect(LEXICON_ENTRIES[label], label).toBeDefined();
    }
  });

  it('is the expectation under the probabilities, and null for a label the table lacks', () => {
    const labels = ['angry', 'sad'];
    const half = expectedDimensions(labels, [0.5, 0.5]);
    const points = labelDimensions(labels) ?? [];
    expect(half?.arousal).toBeCloseTo((points[0].arousal + points[1].arousal) / 2, 6);
    expect(expectedDimensions(labels, [1, 0])?.valence).toBeCloseTo(points[0].valence, 6);
    expect(expectedDimensions(['angry', 'pensive'], [0.5, 0.5])).toBeNull();
    expect(() => expectedDimensions(labels, [1])).toThrow(/expected 2 probabilities, got 1/);
  });
});
