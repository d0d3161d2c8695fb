import { describe, expect, it } from 'vitest';
import { SmoteSchema } from '../../core/contracts/training-config.ts';
import { createRandom } from '../../training/random.ts';
import { smote } from '../../training/smote.ts';
import type { FeatureSet } from '../../training/training-types.ts';

const FRAMES = 3;
const DIMS = 2;
const SIZE = FRAMES * DIMS;

/** `counts[c]` examples of class c; example i's values are all around 10·class + i (distinct, traceable). */
function imbalanced(counts: number[]): FeatureSet {
  const labels = counts.flatMap((count, label) => Array(count).fill(label) as number[]);
  const features = new Float32Array(labels.length * SIZE);
  labels.forEach((label, i) => {
    for (let j = 0; j < SIZE; j++) features[i * SIZE + j] = 10 * label + i + 0.01 * j;
  });
  return {
    features,
    labels,
    frames: FRAMES,
    dims: DIMS,
    bands: DIMS,
    variants: [features.map((value) => -value)],
    groups: labels.map((_, i) => i % 2),
  };
}

const config = SmoteSchema.parse({ neighbours: 2 });

describe('smote', () => {
  it('balances every class to the largest, keeping the originals first and unchanged', () => {
    const set = imbalanced([6, 2, 4]);
    const out = smote(set, config, createRandom(1));
    expect(out.labels.slice(0, 12)).toEqual(set.labels);
    expect(Array.from(out.features.subarray(0, set.features.length))).toEqual(Array.from(set.features));
    const counts = [0, 1, 2].map((label) => out.labels.filter((l) => l === label).length);
    expect(counts).toEqual([6, 6, 6]);
    expect(out.groups).toHaveLength(out.labels.length);
    expect(out.variants?.[0]).toHaveLength(out.features.length);
  });

  it('synthesises each example between two of its class, and its augmented copy the same way', () => {
    const set = imbalanced([6, 3]);
    const out = smote(set, config, createRandom(2));
    const members = set.labels.flatMap((label, i) => (label === 1 ? [i] : []));
    for (let row = set.labels.length; row < out.labels.length; row++) {
      expect(out.labels[row]).toBe(1);
      const x = Array.from(out.features.subarray(row * SIZE, (row + 1) * SIZE));
      // On the segment between two members a, b: x = λa + (1 − λ)b for one λ in [0, 1] at every value.
      const fits = members.some((a) =>
        members.some((b) => {
          if (a === b) return false;
          const lambda = (x[0] - set.features[b * SIZE]) / (set.features[a * SIZE] - set.features[b * SIZE]);
          return (
            lambda >= -1e-6 &&
            lambda <= 1 + 1e-6 &&
            x.every(
              (value, j) =>
                Math.abs(
                  value - (lambda * set.features[a * SIZE + j] + (1 - lambda) * set.features[b * SIZE + j]),
                ) < 1e-4,
            )
          );
        }),
      );
      expect(fits).toBe(true);
      const copy = Array.from((out.variants as Float32Array[])[0].subarray(row * SIZE, (row + 1) * SIZE));
      copy.forEach((value, j) => {
        expect(value).toBeCloseTo(-x[j], 4);
      });
    }
  });

  it('is seeded: the same seed gives the same examples, another seed others', () => {
    const set = imbalanced([8, 3]);
    const a = smote(set, config, createRandom(5));
    expect(Array.from(smote(set, config, createRandom(5)).features)).toEqual(Array.from(a.features));
    expect(Array.from(smote(set, config, createRandom(6)).features)).not.toEqual(Array.from(a.features));
  });

  it('leaves a balanced set alone, and refuses a class of one example', () => {
    const balanced = imbalanced([3, 3]);
    expect(smote(balanced, config, createRandom(1))).toBe(balanced);
    expect(() => smote(imbalanced([4, 1]), config, createRandom(1))).toThrow(
      'smote: expected at least 2 training examples of class 1 to interpolate, got 1',
    );
  });
});
