import { describe, expect, it } from 'vitest';
import { dimensionAgreement } from '../../../core/results/dimension-agreement.ts';

describe('agreement of arousal and valence with held-out labels', () => {
  it('measures agreement from a confusion matrix: perfect on the diagonal, worse off it', () => {
    const labels = ['angry', 'calm', 'sad'];
    const perfect = dimensionAgreement(labels, [
      [5, 0, 0],
      [0, 5, 0],
      [0, 0, 5],
    ]);
    expect(perfect).toMatchObject({ arousal: 1, clips: 15, arousalError: 0 });
    expect(perfect?.valence).toBeCloseTo(1, 9);
    const confused = dimensionAgreement(labels, [
      [3, 2, 0],
      [1, 2, 2],
      [0, 2, 3],
    ]);
    expect(confused?.arousal).toBeLessThan(1);
    expect(confused?.arousalError).toBeGreaterThan(0);
    expect(
      dimensionAgreement(labels, [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toBeNull();
  });
});
