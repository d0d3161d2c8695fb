import type { FeatureMatrix } from './feature-set.ts';

/** Per-feature (per-column) mean and standard deviation. */
export interface NormalisationStats {
  mean: Float32Array;
  std: Float32Array;
}

/** Floor on a feature's standard deviation, so a constant feature normalises to 0 instead of ±Infinity. */
export const MIN_FEATURE_STD = 1e-6;

/**
 * Mean and population standard deviation of every column over all frames of all matrices, std floored at
 * MIN_FEATURE_STD. Accumulates in float64 and merges matrices with Chan et al.'s pairwise update, so a
 * column with a large mean and small spread (spectral centroid) keeps its precision.
 */
export function computeNormalisationStats(matrices: Iterable<FeatureMatrix>): NormalisationStats {
  let dims = -1;
  let count = 0;
  let mean = new Float64Array(0);
  let m2 = new Float64Array(0);
  for (const matrix of matrices) {
    if (dims < 0) {
      dims = matrix.dims;
      mean = new Float64Array(dims);
      m2 = new Float64Array(dims);
    } else if (matrix.dims !== dims) {
      throw new RangeError(
        `normalisation: expected every matrix to have ${dims} columns, got ${matrix.dims}`,
      );
    }
    const { data, frames } = matrix;
    if (frames === 0) continue;
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let t = 0; t < frames; t++) sum += data[t * dims + d];
      const batchMean = sum / frames;
      let batchM2 = 0;
      for (let t = 0; t < frames; t++) {
        const deviation = data[t * dims + d] - batchMean;
        batchM2 += deviation * deviation;
      }
      const total = count + frames;
      const shift = batchMean - mean[d];
      mean[d] += (shift * frames) / total;
      m2[d] += batchM2 + (shift * shift * count * frames) / total;
    }
    count += frames;
  }
  if (count === 0) throw new RangeError('normalisation: expected at least one frame, got 0');
  const std = new Float32Array(dims);
  for (let d = 0; d < dims; d++) std[d] = Math.max(Math.sqrt(m2[d] / count), MIN_FEATURE_STD);
  return { mean: Float32Array.from(mean), std };
}

/** A new matrix with every column standardised: (x − mean) / std. */
export function applyNormalisation(matrix: FeatureMatrix, stats: NormalisationStats): FeatureMatrix {
  const { data, frames, dims } = matrix;
  if (stats.mean.length !== dims || stats.std.length !== dims) {
    throw new RangeError(
      `normalisation: expected stats for ${dims} columns, got mean ${stats.mean.length}, std ${stats.std.length}`,
    );
  }
  const out = new Float32Array(data.length);
  for (let t = 0; t < frames; t++) {
    const row = t * dims;
    for (let d = 0; d < dims; d++) out[row + d] = (data[row + d] - stats.mean[d]) / stats.std[d];
  }
  return { data: out, frames, dims };
}
