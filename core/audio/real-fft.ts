import FFT from 'fft.js';

/** Discrete Fourier transform of a real sequence: the one-sided spectrum X[k] = Σ x[n]·e^(−2πikn/size). */
export interface RealFft {
  /** Transform length: a power of two ≥ 4. */
  readonly size: number;
  /** One-sided bins: size / 2 + 1 (0 to Nyquist). */
  readonly bins: number;
  /** Writes X[k], k = 0 … size / 2, of `input` (length `size`) into `re` and `im` (length `bins`). */
  transform(input: Float64Array, re: Float64Array, im: Float64Array): void;
  /** Writes |X[k]|², k = 0 … size / 2, into `out` (length `bins`), without storing X. */
  powerSpectrum(input: Float64Array, out: Float64Array): void;
}

/**
 * A real FFT of size N as a complex FFT of size N/2 over (even, odd) sample pairs, then split:
 * X[k] = E[k] + e^(−2πik/N)·O[k]. Half the size is about half the time of fft.js's realTransform.
 */
export function createRealFft(size: number): RealFft {
  if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
    throw new RangeError(`real FFT: expected a size that is a power of two ≥ 4, got ${size}`);
  }
  const half = size / 2;
  const bins = half + 1;
  const fft = new FFT(half);
  const spectrum = new Float64Array(size);
  const twiddleRe = new Float64Array(bins);
  const twiddleIm = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    twiddleRe[k] = Math.cos((2 * Math.PI * k) / size);
    twiddleIm[k] = -Math.sin((2 * Math.PI * k) / size);
  }

  return {
    size,
    bins,
    transform(input, re, im) {
      // The interleaved complex input of fft.js is exactly the sequence read as (even, odd) pairs.
      fft.transform(spectrum, input);
      // Bins 0 and N/2 pair Z[0] with itself: E = Re Z[0], O = Im Z[0], twiddle ±1.
      re[0] = spectrum[0] + spectrum[1];
      im[0] = 0;
      re[half] = spectrum[0] - spectrum[1];
      im[half] = 0;
      for (let k = 1; k < half; k++) {
        const zr = spectrum[2 * k];
        const zi = spectrum[2 * k + 1];
        const mr = spectrum[2 * (half - k)];
        const mi = spectrum[2 * (half - k) + 1];
        const evenRe = 0.5 * (zr + mr);
        const evenIm = 0.5 * (zi - mi);
        const oddRe = 0.5 * (zi + mi);
        const oddIm = -0.5 * (zr - mr);
        re[k] = evenRe + twiddleRe[k] * oddRe - twiddleIm[k] * oddIm;
        im[k] = evenIm + twiddleRe[k] * oddIm + twiddleIm[k] * oddRe;
      }
    },
    powerSpectrum(input, out) {
      // The same split, squared as it goes: the STFT's hot loop, spared writing and rereading X.
      fft.transform(spectrum, input);
      out[0] = (spectrum[0] + spectrum[1]) ** 2;
      out[half] = (spectrum[0] - spectrum[1]) ** 2;
      for (let k = 1; k < half; k++) {
        const zr = spectrum[2 * k];
        const zi = spectrum[2 * k + 1];
        const mr = spectrum[2 * (half - k)];
        const mi = spectrum[2 * (half - k) + 1];
        const evenRe = 0.5 * (zr + mr);
        const evenIm = 0.5 * (zi - mi);
        const oddRe = 0.5 * (zi + mi);
        const oddIm = -0.5 * (zr - mr);
        const re = evenRe + twiddleRe[k] * oddRe - twiddleIm[k] * oddIm;
        const im = evenIm + twiddleRe[k] * oddIm + twiddleIm[k] * oddRe;
        out[k] = re * re + im * im;
      }
    },
  };
}
