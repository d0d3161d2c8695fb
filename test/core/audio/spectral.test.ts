import { describe, expect, it } from 'vitest';
import {
  CONTRAST_TOP_DB,
  countZeroCrossings,
  createSpectralContrast,
  measureSpectralShape,
  rootMeanSquare,
  type SpectralShape,
  writeContrast,
  zeroCrossingRate,
} from '../../../core/audio/spectral.ts';
import { fftFrequencies } from '../../../core/audio/stft.ts';
import { createRandom } from '../../../training/random.ts';

/** librosa zero_crossing_rate(center=True) spelled out: edge-pad, frame, zero small values, count signbit flips. */
function librosaZcr(
  signal: Float32Array,
  frame: number,
  frameLength: number,
  hop: number,
  threshold: number,
) {
  const half = frameLength / 2;
  const padded = (i: number) => signal[Math.min(Math.max(i, 0), signal.length - 1)];
  let crossings = 0;
  for (let i = 1; i < frameLength; i++) {
    const [a, b] = [padded(frame * hop - half + i - 1), padded(frame * hop - half + i)];
    const signA = Math.abs(a) <= threshold ? false : a < 0;
    const signB = Math.abs(b) <= threshold ? false : b < 0;
    if (signA !== signB) crossings++;
  }
  return crossings / frameLength;
}

/** Rate of one frame through the running counts, as the extractor uses them. */
function zcr(
  signal: Float32Array,
  frame: number,
  frameLength: number,
  hop: number,
  threshold: number,
): number {
  const counts = new Int32Array(signal.length);
  countZeroCrossings(signal, threshold, counts);
  return zeroCrossingRate(counts, signal.length, frame, frameLength, hop);
}

describe('zeroCrossingRate', () => {
  it('counts sign changes over the edge-padded frame, divided by the frame length', () => {
    const signal = Float32Array.of(1, -1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1);
    // Frame 0 covers padded samples −4..3: [1, 1, 1, 1, 1, −1, 1, −1] → 3 crossings.
    expect(zcr(signal, 0, 8, 4, 1e-10)).toBe(3 / 8);
    expect(zcr(signal, 2, 8, 4, 1e-10)).toBe(0);
  });

  it('treats samples within the threshold as zero (non-negative)', () => {
    const faint = Float32Array.from({ length: 1024 }, (_, i) => (i % 2 ? 1e-5 : -1e-5));
    expect(zcr(faint, 2, 512, 256, 1e-10)).toBeCloseTo(511 / 512, 12);
    expect(zcr(faint, 2, 512, 256, 1e-4)).toBe(0);
  });

  it('agrees with librosa’s algorithm on every frame of a noisy signal', () => {
    const random = createRandom(11);
    const signal = Float32Array.from(
      { length: 3000 },
      () => (random.next() - 0.5) * (random.next() < 0.3 ? 1e-4 : 1),
    );
    for (const threshold of [1e-10, 1e-4]) {
      const counts = new Int32Array(signal.length);
      countZeroCrossings(signal, threshold, counts);
      for (let frame = 0; frame <= 3000 / 256; frame++) {
        expect(zeroCrossingRate(counts, signal.length, frame, 512, 256)).toBe(
          librosaZcr(signal, frame, 512, 256, threshold),
        );
      }
    }
  });

  it('reads only the first `samples` counts, so a longer reused buffer works', () => {
    const signal = Float32Array.of(1, -1, 1, -1);
    const counts = new Int32Array(10).fill(99);
    countZeroCrossings(signal, 1e-10, counts);
    expect(zeroCrossingRate(counts, signal.length, 1, 8, 4)).toBe(3 / 8);
  });

  it('is 0 for an empty or one-sample signal', () => {
    expect(zcr(new Float32Array(0), 0, 512, 256, 1e-10)).toBe(0);
    expect(zcr(Float32Array.of(-1), 0, 512, 256, 1e-10)).toBe(0);
  });
});

describe('rootMeanSquare', () => {
  const constant = new Float32Array(2048).fill(0.5);

  it('is the RMS of the zero-padded centred frame', () => {
    expect(rootMeanSquare(constant, 4, 512, 256, 0)).toBeCloseTo(0.5, 12);
    // Frame 0 is half padding.
    expect(rootMeanSquare(constant, 0, 512, 256, 0)).toBeCloseTo(Math.sqrt(0.125), 12);
  });

  it('adds the noise floor’s mean square before the root', () => {
    expect(rootMeanSquare(constant, 4, 512, 256, 0.01)).toBeCloseTo(Math.sqrt(0.26), 12);
    expect(rootMeanSquare(new Float32Array(2048), 4, 512, 256, 1e-8)).toBeCloseTo(1e-4, 15);
  });
});

describe('measureSpectralShape', () => {
  const freqs = fftFrequencies(16000, 512);
  const measure = (magnitude: Float64Array, bins = freqs, rollPercent = 0.85): SpectralShape => {
    const out = { centroid: Number.NaN, bandwidth: Number.NaN, rolloff: Number.NaN };
    measureSpectralShape(magnitude, bins, rollPercent, out);
    return out;
  };
  const spectrum = (entries: [bin: number, value: number][]) => {
    const magnitude = new Float64Array(257);
    for (const [bin, value] of entries) magnitude[bin] = value;
    return magnitude;
  };

  it('centroid: the magnitude-weighted mean frequency', () => {
    expect(measure(spectrum([[32, 2]])).centroid).toBe(1000);
    expect(
      measure(
        spectrum([
          [32, 1],
          [64, 3],
        ]),
      ).centroid,
    ).toBe(1750);
  });

  it('bandwidth: the magnitude-weighted standard deviation about the centroid', () => {
    expect(
      measure(
        spectrum([
          [32, 1],
          [64, 1],
        ]),
      ).bandwidth,
    ).toBe(500);
    expect(measure(spectrum([[32, 5]])).bandwidth).toBe(0);
    // A narrow band far from 0 Hz: the one-pass variance must not lose it to cancellation.
    expect(
      measure(
        spectrum([
          [200, 1],
          [201, 1],
        ]),
      ).bandwidth,
    ).toBeCloseTo(15.625, 9);
  });

  it('rolloff: the first bin whose cumulative magnitude reaches the fraction', () => {
    const flat = Float64Array.of(1, 1, 1, 1);
    const bins = Float64Array.of(0, 100, 200, 300);
    expect(measure(flat, bins, 0.85).rolloff).toBe(300);
    expect(measure(flat, bins, 0.5).rolloff).toBe(100);
  });

  it('a silent frame has centroid 0, bandwidth 0 and roll-off at bin 0, as in librosa', () => {
    expect(measure(new Float64Array(257))).toEqual({ centroid: 0, bandwidth: 0, rolloff: 0 });
  });
});

describe('createSpectralContrast', () => {
  const options = { sampleRate: 16000, nFft: 512, fmin: 200, nBands: 6, quantile: 0.02 };
  // librosa's bands at 16 kHz / 512: each band takes the bin below it and all but the last drop their top bin.
  const bandOfBin = (bin: number) => [5, 11, 24, 50, 101, 203, 256].findIndex((top) => bin <= top);

  it('assigns each bin to the band librosa uses', () => {
    const contrast = createSpectralContrast(options);
    const peaks = new Float64Array(7);
    const valleys = new Float64Array(7);
    for (let bin = 0; bin < 257; bin++) {
      const magnitude = new Float64Array(257).fill(1);
      magnitude[bin] = 100;
      contrast.measure(magnitude, peaks, valleys, 0);
      const raised = [...peaks.keys()].filter((band) => peaks[band] > 0);
      expect(raised, `bin ${bin}`).toEqual([bandOfBin(bin)]);
    }
  });

  it('measures peak and valley in dB of magnitude (10·log10, amin 1e-10)', () => {
    const magnitude = new Float64Array(257).fill(1);
    magnitude[20] = 100;
    magnitude[13] = 0.01;
    magnitude[30] = 0;
    const peaks = new Float64Array(9);
    const valleys = new Float64Array(9);
    createSpectralContrast(options).measure(magnitude, peaks, valleys, 2);
    expect(peaks[2 + 2]).toBeCloseTo(20, 6);
    expect(valleys[2 + 2]).toBeCloseTo(-20, 6);
    expect(valleys[2 + 3]).toBeCloseTo(-100, 6);
    expect(peaks[2 + 0]).toBe(0);
  });

  it('averages round-half-even(quantile · band size) extremes, as numpy rint does', () => {
    // Band 2 counts 14 bins (12–25), so quantile 2.5/14 averages rint(2.5) = 2 values at each end.
    const contrast = createSpectralContrast({ ...options, quantile: 2.5 / 14 });
    const magnitude = new Float64Array(257).fill(1);
    [0.1, 0.2, 0.4, 8, 4, 2].forEach((value, i) => {
      magnitude[14 + i] = value;
    });
    const peaks = new Float64Array(7);
    const valleys = new Float64Array(7);
    contrast.measure(magnitude, peaks, valleys, 0);
    expect(valleys[2]).toBeCloseTo(10 * Math.log10(0.15), 6);
    expect(peaks[2]).toBeCloseTo(10 * Math.log10(6), 6);
  });

  it('rejects bands above Nyquist or without FFT bins', () => {
    expect(() => createSpectralContrast({ ...options, nBands: 7 })).toThrow(
      'expected 0 < fmin and fmin·2^(nBands−1) < 8000 Hz, got fmin 200, top band from 12800 Hz',
    );
    expect(() => createSpectralContrast({ ...options, nFft: 16 })).toThrow(
      'expected FFT bins in band 0 (0–200 Hz), got none with nFft 16',
    );
  });
});

describe('writeContrast', () => {
  it(`clips peaks and valleys to their clip-wide maximum − ${CONTRAST_TOP_DB} dB, then subtracts`, () => {
    const peaks = Float64Array.of(10, 0, -90, -75);
    const valleys = Float64Array.of(0, -50, -100, -200);
    const out = new Float32Array(2 * 3);
    writeContrast(peaks, valleys, 2, out, 3, 1);
    expect(Array.from(out)).toEqual([0, 10, 50, 0, 10, 10]);
  });
});
