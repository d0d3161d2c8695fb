import FFT from 'fft.js';

/** Periodic Hann window, as scipy's `get_window('hann', n, fftbins=True)` that librosa uses. */
export function periodicHann(length: number): Float64Array {
  const window = new Float64Array(length);
  for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return window;
}

/** Centre frequency in Hz of each one-sided FFT bin (librosa `fft_frequencies`). */
export function fftFrequencies(sampleRate: number, nFft: number): Float64Array {
  const bins = nFft / 2 + 1;
  const freqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) freqs[k] = (k * sampleRate) / nFft;
  return freqs;
}

/** Frames a centred analysis gives for `samples` samples: frame t is centred on sample t·hop. */
export function centredFrameCount(samples: number, hop: number): number {
  return 1 + Math.floor(samples / hop);
}

/** Short-time Fourier transform with a periodic Hann window, centred frames and zero padding. */
export interface Stft {
  readonly nFft: number;
  readonly hop: number;
  /** One-sided bins per frame: nFft / 2 + 1. */
  readonly bins: number;
  readonly window: Float64Array;
  /** Σ w²: the expected power per bin of unit-variance white noise, for every bin. */
  readonly windowPower: number;
  frameCount(samples: number): number;
  /**
   * Writes |X_t[k]|² of frame `frame` (samples [frame·hop − nFft/2, frame·hop + nFft/2), zeros outside the
   * signal) into `out` (length `bins`).
   */
  powerSpectrum(signal: Float32Array, frame: number, out: Float64Array): void;
}

export function createStft(nFft: number, hop: number): Stft {
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) {
    throw new RangeError(`stft: expected nFft to be a power of two ≥ 4, got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1) {
    throw new RangeError(`stft: expected hop to be a positive integer, got ${hop}`);
  }
  const bins = nFft / 2 + 1;
  const half = nFft / 2;
  const window = periodicHann(nFft);
  let windowPower = 0;
  for (let i = 0; i < nFft; i++) windowPower += window[i] * window[i];
  // A real FFT of size N as a complex FFT of size N/2 over (even, odd) sample pairs, then split:
  // X[k] = E[k] + e^(−2πik/N)·O[k]. Half the size is about half the time of fft.js's realTransform.
  const fft = new FFT(half);
  const frameBuffer = new Float64Array(nFft);
  const spectrum = new Float64Array(nFft);
  const twiddleRe = new Float64Array(bins);
  const twiddleIm = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    twiddleRe[k] = Math.cos((2 * Math.PI * k) / nFft);
    twiddleIm[k] = -Math.sin((2 * Math.PI * k) / nFft);
  }

  return {
    nFft,
    hop,
    bins,
    window,
    windowPower,
    frameCount: (samples) => centredFrameCount(samples, hop),
    powerSpectrum(signal, frame, out) {
      const start = frame * hop - half;
      const from = Math.max(0, -start);
      const to = Math.min(nFft, signal.length - start);
      if (from > 0 || to < nFft) frameBuffer.fill(0);
      for (let i = from; i < to; i++) frameBuffer[i] = signal[start + i] * window[i];
      // The interleaved complex input of fft.js is exactly the frame read as (even, odd) pairs.
      fft.transform(spectrum, frameBuffer);
      // Bins 0 and N/2 pair Z[0] with itself: E = Re Z[0], O = Im Z[0], twiddle ±1.
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

/** Magnitude spectrum √power, elementwise into `out`. */
export function magnitudeSpectrum(power: Float64Array, out: Float64Array): void {
  for (let k = 0; k < power.length; k++) out[k] = Math.sqrt(power[k]);
}
