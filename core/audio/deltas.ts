/** 1 = delta (slope), 2 = delta-delta (curvature). */
export type DeltaOrder = 1 | 2;

/**
 * Savitzky–Golay weights giving the `order`-th derivative of the degree-`order` least-squares polynomial
 * through `length` consecutive points (scipy `savgol_coeffs(length, order, deriv=order, use='dot')`).
 * With polynomial degree = derivative order the derivative is constant over the window, so the same
 * weights hold wherever in the window it is evaluated. Zeros when the points cannot determine it.
 */
export function savgolDerivativeWeights(length: number, order: DeltaOrder): Float64Array {
  const weights = new Float64Array(length);
  const centre = (length - 1) / 2;
  if (order === 1) {
    let denom = 0;
    for (let j = 0; j < length; j++) denom += (j - centre) ** 2;
    if (denom > 0) for (let j = 0; j < length; j++) weights[j] = (j - centre) / denom;
    return weights;
  }
  // Symmetric positions make the quadratic term independent of the linear one: c = Σ v·x / Σ v², v = u² − mean(u²).
  let meanSquare = 0;
  for (let j = 0; j < length; j++) meanSquare += (j - centre) ** 2 / length;
  let denom = 0;
  for (let j = 0; j < length; j++) denom += ((j - centre) ** 2 - meanSquare) ** 2;
  if (denom > 0) for (let j = 0; j < length; j++) weights[j] = (2 * ((j - centre) ** 2 - meanSquare)) / denom;
  return weights;
}

/** Time derivatives of feature columns, as librosa `feature.delta(width, order, mode='interp')`. */
export interface DeltaFilter {
  readonly width: number;
  readonly order: DeltaOrder;
  /**
   * For a frame-major matrix with `dims` columns, writes the derivative along frames of columns
   * [source, source + count) into columns [target, target + count).
   * Edges follow scipy's 'interp' mode: the first and last width/2 frames take the derivative of the fit
   * to the first and last `width` frames. Clips shorter than `width` frames (where librosa raises) use one
   * fit over all their frames; a single frame has derivative 0.
   */
  apply(matrix: Float32Array, dims: number, source: number, target: number, count: number): void;
}

export function createDeltaFilter(width: number, order: DeltaOrder): DeltaFilter {
  if (!Number.isInteger(width) || width < 3 || width % 2 === 0) {
    throw new RangeError(`delta: expected an odd width ≥ 3, got ${width}`);
  }
  if (order !== 1 && order !== 2) throw new RangeError(`delta: expected order 1 or 2, got ${order}`);
  const fullWeights = savgolDerivativeWeights(width, order);
  const halfWidth = (width - 1) / 2;

  return {
    width,
    order,
    apply(matrix, dims, source, target, count) {
      const frames = matrix.length / dims;
      if (!Number.isInteger(frames)) {
        throw new RangeError(
          `delta: expected a matrix length divisible by ${dims} columns, got ${matrix.length}`,
        );
      }
      const length = Math.min(width, frames);
      const weights = length === width ? fullWeights : savgolDerivativeWeights(length, order);
      const lastStart = frames - length;
      for (let c = 0; c < count; c++) {
        const from = source + c;
        const to = target + c;
        for (let t = 0; t < frames; t++) {
          const start = Math.min(Math.max(t - halfWidth, 0), lastStart);
          let sum = 0;
          for (let j = 0; j < length; j++) sum += weights[j] * matrix[(start + j) * dims + from];
          matrix[t * dims + to] = sum;
        }
      }
    },
  };
}
