import { createRealFft } from './real-fft.ts';

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

/**
 * Short-time Fourier transform with a periodic Hann window, centred frames and zero padding, one frame at a
 * time. spectrogram.ts runs it over whole clips, or hands them to the wasm kernels, which take this window and
 * FFT size and compute the same power spectra in f64 (core/kernels/assembly/spectrum.ts).
 */
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
  const half = nFft / 2;
  const window = periodicHann(nFft);
  let windowPower = 0;
  for (let i = 0; i < nFft; i++) windowPower += window[i] * window[i];
  const fft = createRealFft(nFft);
  const { bins } = fft;
  const frameBuffer = new Float64Array(nFft);

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
      fft.powerSpectrum(frameBuffer, out);
    },
  };
}
