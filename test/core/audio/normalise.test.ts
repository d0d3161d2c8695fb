import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../../core/audio/feature-set.ts';
import {
  applyNormalisation,
  computeNormalisationStats,
  MIN_FEATURE_STD,
} from '../../../core/audio/normalise.ts';
import { createRandom } from '../../../training/random.ts';

/** A [frames × dims] matrix whose column d is offset[d] + scale[d]·N(0, 1). */
function randomMatrix(frames: number, offsets: number[], scales: number[], seed: number): FeatureMatrix {
  const random = createRandom(seed);
  const dims = offsets.length;
  const data = new Float32Array(frames * dims);
  for (let t = 0; t < frames; t++) {
    for (let d = 0; d < dims; d++) data[t * dims + d] = offsets[d] + scales[d] * random.normal();
  }
  return { data, frames, dims };
}

/** Mean and population std of column d over all frames of all matrices, in the plainest way. */
function direct(matrices: FeatureMatrix[], d: number): { mean: number; std: number } {
  const values = matrices.flatMap((m) => Array.from({ length: m.frames }, (_, t) => m.data[t * m.dims + d]));
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

describe('computeNormalisationStats', () => {
  it('gives each column’s mean and population std over all frames of all matrices', () => {
    const matrices = [
      randomMatrix(50, [0, -60, 2000], [1, 10, 300], 1),
      randomMatrix(7, [3, -40, 2500], [2, 5, 100], 2),
      randomMatrix(120, [-1, -70, 1800], [0.5, 8, 200], 3),
    ];
    const stats = computeNormalisationStats(matrices);
    for (let d = 0; d < 3; d++) {
      const expected = direct(matrices, d);
      expect(stats.mean[d]).toBeCloseTo(expected.mean, 3);
      expect(stats.std[d] / expected.std).toBeCloseTo(1, 6);
    }
  });

  it('keeps a small spread on a large offset precise (spectral centroid ~ 4 kHz ± 0.01 Hz)', () => {
    const matrices = [randomMatrix(500, [4000], [0.01], 4), randomMatrix(500, [4000.02], [0.01], 5)];
    const stats = computeNormalisationStats(matrices);
    const expected = direct(matrices, 0);
    expect(stats.std[0] / expected.std).toBeCloseTo(1, 3);
  });

  it(`floors the std of a constant column at ${MIN_FEATURE_STD}`, () => {
    const stats = computeNormalisationStats([{ data: new Float32Array(10).fill(0.25), frames: 5, dims: 2 }]);
    expect(Array.from(stats.mean)).toEqual([0.25, 0.25]);
    expect(Array.from(stats.std)).toEqual([MIN_FEATURE_STD, MIN_FEATURE_STD].map(Math.fround));
  });

  it('accepts any iterable and skips empty matrices', () => {
    function* matrices() {
      yield { data: new Float32Array(0), frames: 0, dims: 2 };
      yield { data: Float32Array.of(1, 10, 3, 30), frames: 2, dims: 2 };
    }
    const stats = computeNormalisationStats(matrices());
    expect(Array.from(stats.mean)).toEqual([2, 20]);
    expect(Array.from(stats.std)).toEqual([1, 10]);
  });

  it('rejects matrices of different widths and input without frames', () => {
    expect(() =>
      computeNormalisationStats([
        randomMatrix(3, [0, 0], [1, 1], 1),
        randomMatrix(3, [0, 0, 0], [1, 1, 1], 1),
      ]),
    ).toThrow('expected every matrix to have 2 columns, got 3');
    expect(() => computeNormalisationStats([])).toThrow('expected at least one frame, got 0');
  });
});

describe('applyNormalisation', () => {
  it('standardises every column to mean 0 and std 1, leaving the input untouched', () => {
    const matrix = randomMatrix(200, [-50, 3000], [12, 250], 6);
    const before = matrix.data.slice();
    const normalised = applyNormalisation(matrix, computeNormalisationStats([matrix]));
    expect(matrix.data).toEqual(before);
    expect(normalised.data).not.toBe(matrix.data);
    expect([normalised.frames, normalised.dims]).toEqual([200, 2]);
    for (let d = 0; d < 2; d++) {
      const { mean, std } = direct([normalised], d);
      expect(mean).toBeCloseTo(0, 5);
      expect(std).toBeCloseTo(1, 5);
    }
  });

  it('rejects stats for a different width', () => {
    const stats = { mean: new Float32Array(3), std: new Float32Array(3).fill(1) };
    expect(() => applyNormalisation(randomMatrix(2, [0, 0], [1, 1], 1), stats)).toThrow(
      'expected stats for 2 columns, got mean 3, std 3',
    );
  });
});
