/** Orthonormal DCT-II truncated to its first coefficients: the log-mel → MFCC step. */
export interface Dct {
  readonly inputs: number;
  readonly outputs: number;
  /** [outputs × inputs] row-major. */
  readonly matrix: Float64Array;
  /** Writes the first `outputs` coefficients of `input` (length `inputs`) into `out` from `outOffset`. */
  apply(input: Float64Array, out: Float32Array | Float64Array, outOffset: number): void;
}

/**
 * scipy `dct(type=2, norm='ortho')` as librosa's `mfcc` uses it:
 * X[k] = s_k Σ_n x[n]·cos(πk(2n+1) / 2N), s_0 = √(1/N), s_k = √(2/N).
 */
export function createDct(inputs: number, outputs: number): Dct {
  if (!Number.isInteger(inputs) || inputs < 1) {
    throw new RangeError(`dct: expected a positive integer input length, got ${inputs}`);
  }
  if (!Number.isInteger(outputs) || outputs < 1 || outputs > inputs) {
    throw new RangeError(`dct: expected 1–${inputs} coefficients, got ${outputs}`);
  }
  const matrix = new Float64Array(outputs * inputs);
  for (let k = 0; k < outputs; k++) {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / inputs);
    for (let n = 0; n < inputs; n++) {
      matrix[k * inputs + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * inputs));
    }
  }
  return {
    inputs,
    outputs,
    matrix,
    apply(input, out, outOffset) {
      for (let k = 0; k < outputs; k++) {
        const row = k * inputs;
        let sum = 0;
        for (let n = 0; n < inputs; n++) sum += matrix[row + n] * input[n];
        out[outOffset + k] = sum;
      }
    },
  };
}
