import { describe, expect, it } from 'vitest';
import { createDeltaFilter, savgolDerivativeWeights } from '../../../core/audio/deltas.ts';

// Golden values from scipy 1.17 `savgol_filter(x, window, order, deriv=order, mode='interp')` — what
// librosa.feature.delta(x, width=window, order=order) calls.
const SERIES = [
  0.1257302165, -0.1321048588, 0.6404226422, 0.1049001142, -0.5356693864, 0.3615950644, 1.30400002,
  0.9470809698, -0.7037352324, -1.26542151, -0.6232744455, 0.04132597893,
];
const SCIPY_DELTA = [
  0.02505908993, 0.02505908993, 0.02505908993, 0.02505908993, 0.02505908993, -0.08402848517, -0.1486066502,
  -0.09631466866, -0.09631466866, -0.09631466866, -0.09631466866, -0.09631466866,
];
const SCIPY_DELTA2 = [
  -0.0503283967, -0.0503283967, -0.0503283967, -0.0503283967, -0.0503283967, -0.1477993445, -0.09968778418,
  -0.05613373472, -0.05613373472, -0.05613373472, -0.05613373472, -0.05613373472,
];
// The first 7 values with window 7: the fit over the whole (short) series.
const SCIPY_SHORT_DELTA = 0.1195041867;
const SCIPY_SHORT_DELTA2 = 0.1527331181;

/** A frame-major matrix with `dims` columns whose column `column` holds `values`; the rest are NaN. */
function matrixWithColumn(values: number[], dims: number, column: number): Float32Array {
  const matrix = new Float32Array(values.length * dims).fill(Number.NaN);
  values.forEach((value, t) => {
    matrix[t * dims + column] = value;
  });
  return matrix;
}

function column(matrix: Float32Array, dims: number, index: number): number[] {
  return Array.from({ length: matrix.length / dims }, (_, t) => matrix[t * dims + index]);
}

describe('savgolDerivativeWeights', () => {
  it('gives scipy savgol_coeffs for width 9: k/60 for the slope, curvature weights for order 2', () => {
    expect(Array.from(savgolDerivativeWeights(9, 1))).toEqual(
      [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((k) => expect.closeTo(k / 60, 15)),
    );
    const scipyOrder2 = [
      0.06060606, 0.01515152, -0.01731602, -0.03679654, -0.04329004, -0.03679654, -0.01731602, 0.01515152,
      0.06060606,
    ];
    expect(Array.from(savgolDerivativeWeights(9, 2))).toEqual(scipyOrder2.map((w) => expect.closeTo(w, 8)));
  });

  it('is all zeros when the points cannot determine the derivative', () => {
    expect(Array.from(savgolDerivativeWeights(1, 1))).toEqual([0]);
    expect(Array.from(savgolDerivativeWeights(2, 2))).toEqual([0, 0]);
  });
});

describe('createDeltaFilter', () => {
  it('matches scipy savgol_filter(mode="interp") for deltas and delta-deltas, edges included', () => {
    const dims = 3;
    const matrix = matrixWithColumn(SERIES, dims, 0);
    createDeltaFilter(9, 1).apply(matrix, dims, 0, 1, 1);
    createDeltaFilter(9, 2).apply(matrix, dims, 0, 2, 1);
    expect(column(matrix, dims, 1)).toEqual(SCIPY_DELTA.map((v) => expect.closeTo(v, 6)));
    expect(column(matrix, dims, 2)).toEqual(SCIPY_DELTA2.map((v) => expect.closeTo(v, 6)));
  });

  it('fits one polynomial over the whole clip when it is shorter than the width (librosa would raise)', () => {
    const dims = 2;
    const series = SERIES.slice(0, 7);
    const delta = matrixWithColumn(series, dims, 0);
    createDeltaFilter(9, 1).apply(delta, dims, 0, 1, 1);
    expect(column(delta, dims, 1)).toEqual(series.map(() => expect.closeTo(SCIPY_SHORT_DELTA, 6)));
    const delta2 = matrixWithColumn(series, dims, 0);
    createDeltaFilter(9, 2).apply(delta2, dims, 0, 1, 1);
    expect(column(delta2, dims, 1)).toEqual(series.map(() => expect.closeTo(SCIPY_SHORT_DELTA2, 6)));
  });

  it('is exact on polynomials: slope of a ramp, curvature 2 of t², zero for a single frame', () => {
    const dims = 2;
    const ramp = matrixWithColumn(
      [...Array(20).keys()].map((t) => 3 * t - 5),
      dims,
      0,
    );
    createDeltaFilter(9, 1).apply(ramp, dims, 0, 1, 1);
    expect(column(ramp, dims, 1)).toEqual(Array(20).fill(expect.closeTo(3, 5)));

    const parabola = matrixWithColumn(
      [...Array(20).keys()].map((t) => t * t),
      dims,
      0,
    );
    createDeltaFilter(9, 2).apply(parabola, dims, 0, 1, 1);
    expect(column(parabola, dims, 1)).toEqual(Array(20).fill(expect.closeTo(2, 4)));

    const single = matrixWithColumn([4], dims, 0);
    createDeltaFilter(9, 1).apply(single, dims, 0, 1, 1);
    expect(single[1]).toBe(0);
  });

  it('writes only the target columns of a strided matrix', () => {
    const dims = 5;
    const frames = 12;
    const matrix = Float32Array.from({ length: frames * dims }, (_, i) => i);
    const before = matrix.slice();
    createDeltaFilter(9, 1).apply(matrix, dims, 0, 3, 2);
    for (let t = 0; t < frames; t++) {
      for (const d of [0, 1, 2]) expect(matrix[t * dims + d]).toBe(before[t * dims + d]);
      // Each column rises by `dims` per frame.
      expect(matrix[t * dims + 3]).toBeCloseTo(dims, 4);
      expect(matrix[t * dims + 4]).toBeCloseTo(dims, 4);
    }
  });

  it('rejects an even or too small width and a ragged matrix', () => {
    expect(() => createDeltaFilter(8, 1)).toThrow('expected an odd width ≥ 3, got 8');
    expect(() => createDeltaFilter(1, 1)).toThrow('expected an odd width ≥ 3, got 1');
    expect(() => createDeltaFilter(9, 1).apply(new Float32Array(7), 2, 0, 1, 1)).toThrow(
      'expected a matrix length divisible by 2 columns, got 7',
    );
  });
});
