/**
 * F0 and voicing by Boersma's (1993) normalised autocorrelation, the method of Praat's "To Pitch (ac)": each
 * frame's candidates are found on their own, then a path search picks one per frame.
 *
 * The signal is high-passed at fmin / 2. Each frame (centred on sample t·hop like the STFT frames, zeros
 * outside the signal) gets a Hann window of PERIODS_PER_WINDOW periods of fmin; its autocorrelation, from the
 * FFT, is divided by the window's own, which undoes the taper's decay with lag. The peaks of that ratio
 * between the periods of fmax and fmin are parabolically interpolated and count by how far they rise above
 * the lowest correlation at shorter lags. The highest is the voicing strength; a frame is voiced when that
 * reaches the threshold. Which peak gives its F0 is decided over each run of voiced frames, as Praat's path
 * finder does: a peak scores its height plus OCTAVE_COST per octave above fmin (a periodic signal correlates at
 * two and three periods too, and noise lifts one of those above the true one about as often as not), and the
 * path pays `octaveJumpCost` per octave of every change from one frame to the next. The path with the best
 * total wins (Viterbi): a frame alone cannot jump an octave away from its neighbours unless its own peaks
 * leave no doubt. Voicing stays decided frame by frame.
 *
 * Cost shapes the layout (a 3 s clip is 188 frames). The signal is first halved with half-band filters while
 * fmax keeps at least MIN_SAMPLES_PER_PERIOD samples per period: 16 kHz becomes 8 kHz for fmax 500 Hz, where
 * a frame takes a 512-point FFT, and the autocorrelation (the cosine transform of the power spectrum) a
 * 256-point one. Only the band below KEPT_BAND of that rate (3 kHz) is used: at least six harmonics of fmax,
 * and clear of the filters' aliases. Buffers, the window and its autocorrelation are made once per tracker.
 * Analysing at 4 kHz (one 256-point FFT each) cost about a third less, but its 1.5 kHz band was too narrow:
 * fricative noise left in it passed for voicing at 300–500 Hz, and white noise reached a strength of 0.48.
 * The halving and high-pass live in pitch-decimation.ts, the candidates and path search in pitch-path.ts.
 */

import { createPitchDecimator, KEPT_BAND, MIN_SAMPLES_PER_PERIOD } from './pitch-decimation.ts';
import { createPitchCandidates } from './pitch-path.ts';
import { createRealFft } from './real-fft.ts';
import { centredFrameCount, periodicHann } from './stft.ts';

/** Pitch-tracker parameters. */
export interface PitchConfig {
  /** Sample rate in Hz of the signal. */
  sampleRate: number;
  /** Samples between frame centres: frame t is centred on sample t·hop, as the STFT's. */
  hop: number;
  /** Lowest F0 searched, in Hz; it also sets the window length (PERIODS_PER_WINDOW periods of it). */
  fmin: number;
  /** Highest F0 searched, in Hz. */
  fmax: number;
  /** Voicing strength from which a frame is voiced; Praat's default is 0.45. */
  voicingThreshold: number;
  /**
   * Level in dBFS of the white-noise floor assumed under every signal (FeatureConfig.noiseFloorDb): a frame
   * with energy E where the floor alone would give N has its strength scaled by 1 − N/E, so frames at or
   * below the floor (digital silence, dither) have strength 0. `null`: no floor, only exact zeros are silent.
   */
  noiseFloorDb: number | null;
  /**
   * Cost of an F0 change between consecutive frames, per octave, for frames 10 ms apart (Praat's "octave-jump
   * cost", default 0.35; it scales with the frame rate as Praat's does). 0 decides each frame on its own.
   */
  octaveJumpCost?: number;
}

/** Per-frame pitch: frame t is centred on sample t·hop. */
export interface PitchTrack {
  /** F0 in Hz, 0 in unvoiced frames. */
  f0: Float64Array;
  /** Voicing strength in [0, 1]: the frame's normalised autocorrelation peak; 0 for silence. */
  voicing: Float64Array;
}

export interface PitchTracker {
  readonly config: Readonly<PitchConfig>;
  /** Rate in Hz the frames are analysed at, after halving. */
  readonly analysisRate: number;
  /** Frames for a signal of `samples` samples: 1 + floor(samples / hop), as the STFT. */
  frameCount(samples: number): number;
  track(signal: Float32Array): PitchTrack;
}

/**
 * Boersma (1993) asks for three periods of a Hann window; 2.5 keep 60 Hz within 512-point FFTs at 8 kHz
 * (three would need 1024, twice the cost), and the window correction still holds at 0.4 of the window.
 */
const PERIODS_PER_WINDOW = 2.5;
/**
 * What a peak scores per octave its F0 lies above fmin: one period's peak beats two periods' unless that is
 * this much higher (guards against octave drops). Praat's "octave cost" (0.01 there, on plain peak heights):
 * 0.04 measured best here, on noisy synthetic vowels (no frame off by more than a semitone, against 1 % of
 * frames at 0.01 and at the earlier frame-wise rule) and on espeak-ng and corpus speech (fewest octave jumps).
 */
const OCTAVE_COST = 0.04;
/** Praat's default octave-jump cost, per octave for frames 10 ms apart. */
const DEFAULT_OCTAVE_JUMP_COST = 0.35;
/** Below any voice; a lower fmin would only make the window (2.5 periods) longer than 125 ms. */
export const MIN_PITCH_FMIN = 20;

/** Semitones are counted from this F0 in Hz. */
export const SEMITONE_REFERENCE_HZ = 100;

export function createPitchTracker(config: PitchConfig): PitchTracker {
  const { sampleRate, hop, fmin, fmax, voicingThreshold, noiseFloorDb } = config;
  const octaveJumpCost = config.octaveJumpCost ?? DEFAULT_OCTAVE_JUMP_COST;
  const fail = (expected: string, got: unknown) => {
    throw new RangeError(`pitch: expected ${expected}, got ${got}`);
  };
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) fail('a positive sampleRate', sampleRate);
  if (!(Number.isInteger(hop) && hop > 0)) fail('hop to be a positive integer', hop);
  const ceiling = sampleRate / MIN_SAMPLES_PER_PERIOD;
  if (!(fmin >= MIN_PITCH_FMIN && fmin < fmax && fmax <= ceiling)) {
    fail(
      `${MIN_PITCH_FMIN} ≤ fmin < fmax ≤ ${ceiling} Hz (sampleRate / ${MIN_SAMPLES_PER_PERIOD})`,
      `fmin ${fmin}, fmax ${fmax}`,
    );
  }
  if (!(voicingThreshold > 0 && voicingThreshold < 1)) fail('0 < voicingThreshold < 1', voicingThreshold);
  if (noiseFloorDb !== null && !Number.isFinite(noiseFloorDb)) {
    fail('noiseFloorDb to be a finite dBFS level or null', noiseFloorDb);
  }
  if (!(octaveJumpCost >= 0 && Number.isFinite(octaveJumpCost))) {
    fail('octaveJumpCost to be a finite cost ≥ 0', octaveJumpCost);
  }
  // Per octave between consecutive frames: Praat scales its cost by 10 ms over the time step.
  const jumpCost = (octaveJumpCost * 0.01 * sampleRate) / hop;

  const decimator = createPitchDecimator({ sampleRate, fmin, fmax, noiseFloorDb });
  const { rate, factor, floorVariance, margin } = decimator;

  // Window, FFT and lags in analysis samples.
  const windowLength = 2 * Math.round((PERIODS_PER_WINDOW * rate) / fmin / 2);
  const halfWindow = windowLength / 2;
  const shortestLag = rate / fmax;
  const longestLag = rate / fmin;
  const firstLag = Math.max(1, Math.floor(shortestLag));
  const lastLag = Math.ceil(longestLag);
  // Circular autocorrelation of a zero-padded frame equals the linear one up to lag size − windowLength.
  let size = 4;
  while (size < windowLength + lastLag + 1) size *= 2;
  const fft = createRealFft(size);
  const keptBins = Math.floor(KEPT_BAND * size);

  // The autocorrelation F[τ] = ½(y[0] + (−1)^τ·y[n]) + Σ y[k]·cos(πkτ / n), k = 1 … n − 1, of the power
  // spectrum y (n = size / 2) is a DCT-I, done as a real FFT of size n: with a = ½(y[j] + y[n − j]),
  // b = y[j] − y[n − j] and s = sin(πj / n), the sequence a − s·b at j and a + s·b at n − j has F[2k] as the
  // real part of its bin k, and F[2k + 1] = F[2k − 1] − its imaginary part, from F[1] = ½b[0] + Σ b·cos(πj / n).
  const n = size / 2;
  const quarter = n / 2;
  const cosineFft = createRealFft(n);
  const foldCos = new Float64Array(quarter);
  const foldSin = new Float64Array(quarter);
  for (let j = 1; j < quarter; j++) {
    foldCos[j] = Math.cos((Math.PI * j) / n);
    foldSin[j] = Math.sin((Math.PI * j) / n);
  }

  const window = periodicHann(windowLength);
  let fullWindowEnergy = 0;
  for (const w of window) fullWindowEnergy += w * w;
  const frame = new Float64Array(size);
  const power = new Float64Array(fft.bins);
  const folded = new Float64Array(n);
  const foldedRe = new Float64Array(cosineFft.bins);
  const foldedIm = new Float64Array(cosineFft.bins);
  const frameCorrelation = new Float64Array(lastLag + 2);
  const clippedWindowCorrelation = new Float64Array(lastLag + 2);
  const ratio = new Float64Array(lastLag + 2);
  const candidates = createPitchCandidates();

  /** Autocorrelation of `frame`'s kept band at lags 0 … lastLag + 1, normalised to 1 at lag 0, into `out`. */
  function autocorrelate(out: Float64Array): void {
    fft.powerSpectrum(frame, power);
    power.fill(0, keptBins + 1);
    folded[0] = 0.5 * (power[0] + power[n]);
    folded[quarter] = power[quarter];
    let odd = 0.5 * (power[0] - power[n]);
    for (let j = 1; j < quarter; j++) {
      const a = 0.5 * (power[j] + power[n - j]);
      const b = power[j] - power[n - j];
      folded[j] = a - foldSin[j] * b;
      folded[n - j] = a + foldSin[j] * b;
      odd += foldCos[j] * b;
    }
    cosineFft.transform(folded, foldedRe, foldedIm);
    const scale = 1 / foldedRe[0];
    for (let lag = 0; lag < out.length; lag += 2) out[lag] = foldedRe[lag >> 1] * scale;
    for (let lag = 1; lag < out.length; lag += 2) {
      // F[1] needs no step; F[2k + 1] subtracts bin k.
      if (lag > 1) odd -= foldedIm[lag >> 1];
      out[lag] = odd * scale;
    }
  }

  frame.set(window);
  const windowCorrelation = new Float64Array(lastLag + 2);
  autocorrelate(windowCorrelation);
  // A clipped frame's window is trusted at no lag where it overlaps itself less than the full one does.
  const minWindowCorrelation = windowCorrelation[lastLag + 1];

  return {
    config: Object.freeze({ ...config }),
    analysisRate: rate,
    frameCount: (samples) => centredFrameCount(samples, hop),
    track(signal) {
      const frames = centredFrameCount(signal.length, hop);
      const f0 = new Float64Array(frames);
      const voicing = new Float64Array(frames);
      const { data, length } = decimator.decimate(signal);
      candidates.reset(frames);

      for (let t = 0; t < frames; t++) {
        const start = Math.floor((t * hop) / factor) - halfWindow;
        const from = Math.max(0, -start);
        const to = Math.min(windowLength, length - start);
        if (to - from < 2) continue;
        const clipped = from > 0 || to < windowLength;
        const offset = margin + start;
        if (clipped) frame.fill(0, 0, windowLength);
        let energy = 0;
        for (let i = from; i < to; i++) {
          const x = data[offset + i] * window[i];
          frame[i] = x;
          energy += x * x;
        }
        let windowEnergy = fullWindowEnergy;
        if (clipped) {
          windowEnergy = 0;
          for (let i = from; i < to; i++) windowEnergy += window[i] * window[i];
        }
        // Silence guard: the share of the frame's energy above what the floor alone would give.
        const weight = 1 - (floorVariance * windowEnergy) / energy;
        if (!(energy > 0 && weight > 0)) continue;
        autocorrelate(frameCorrelation);

        let correction = windowCorrelation;
        let lagLimit = lastLag;
        if (clipped) {
          frame.fill(0, 0, windowLength);
          for (let i = from; i < to; i++) frame[i] = window[i];
          autocorrelate(clippedWindowCorrelation);
          correction = clippedWindowCorrelation;
          while (lagLimit >= firstLag && correction[lagLimit + 1] < minWindowCorrelation) lagLimit--;
        }
        for (let lag = 1; lag <= lagLimit + 1; lag++) ratio[lag] = frameCorrelation[lag] / correction[lag];
        let lowest = 1;
        for (let lag = 1; lag < firstLag; lag++) lowest = Math.min(lowest, ratio[lag]);

        let best = 0;
        let kept = 0;
        for (let lag = firstLag; lag <= lagLimit; lag++) {
          const value = ratio[lag];
          const before = ratio[lag - 1];
          const after = ratio[lag + 1];
          lowest = Math.min(lowest, value);
          if (!(value > before && value >= after && value > 0)) continue;
          // Vertex of the parabola through the three points; |shift| ≤ ½ at a local maximum.
          const curvature = before - 2 * value + after;
          const shift = curvature < 0 ? (0.5 * (before - after)) / curvature : 0;
          const peakLag = lag + shift;
          if (peakLag < shortestLag || peakLag > longestLag) continue;
          const interpolated = value - 0.25 * (before - after) * shift;
          // Above 1 the window correction has overcompensated (the level changed within the window): as
          // Praat does, such a peak counts as 1 / value, so it cannot outrank a clean peak at a shorter lag.
          const capped = interpolated > 1 ? 1 / interpolated : interpolated;
          // Prominence: a periodic signal decorrelates within its period, so the correlation dips between
          // lag 0 and the peak; drift and rumble stay correlated at every lag. A peak counts only by how far
          // it rises above the lowest correlation at shorter lags, when that is above zero.
          const peak = capped - Math.max(0, lowest);
          if (peak > best) best = peak;
          // Keep the highest scores, sorted descending, in the frame's slots.
          const score = peak + OCTAVE_COST * Math.log2(longestLag / peakLag);
          if (score <= candidates.lowestKept(t, kept)) continue;
          kept = candidates.insert(t, kept, score, peakLag);
        }
        const strength = best * weight;
        voicing[t] = strength;
        if (strength >= voicingThreshold) candidates.setVoiced(t, kept);
      }
      candidates.choosePath(frames, f0, rate, jumpCost);
      return { f0, voicing };
    },
  };
}

/**
 * F0 in semitones re SEMITONE_REFERENCE_HZ, 12·log2(F0 / 100 Hz), for every frame: linearly interpolated
 * through unvoiced stretches, held flat before the first and after the last voiced frame, and 0 throughout
 * when no frame is voiced. A contour without gaps, so that a model sees intonation, not voicing, in it.
 */
export function semitoneContour(f0: Float64Array): Float64Array {
  const out = new Float64Array(f0.length);
  let previous = -1;
  for (let t = 0; t < f0.length; t++) {
    if (!(f0[t] > 0)) continue;
    const value = 12 * Math.log2(f0[t] / SEMITONE_REFERENCE_HZ);
    if (previous < 0) out.fill(value, 0, t);
    for (let u = previous + 1; previous >= 0 && u < t; u++) {
      out[u] = out[previous] + ((value - out[previous]) * (u - previous)) / (t - previous);
    }
    out[t] = value;
    previous = t;
  }
  if (previous >= 0) out.fill(out[previous], previous + 1);
  return out;
}
