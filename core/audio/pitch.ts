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
 */

import { createRealFft } from './real-fft.ts';
import { designHalfBand } from './resample-design.ts';
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
/** Halving stops before fmax would have fewer samples per period than this: the parabola needs the detail. */
const MIN_SAMPLES_PER_PERIOD = 16;
/** Fraction of the analysis rate whose band is used: 3/8 (3 kHz at 8 kHz), six harmonics of fmax. */
const KEPT_BAND = 3 / 8;
const HALF_BAND_STOPBAND_DB = 50;
/**
 * What a peak scores per octave its F0 lies above fmin: one period's peak beats two periods' unless that is
 * this much higher (guards against octave drops). Praat's "octave cost" (0.01 there, on plain peak heights):
 * 0.04 measured best here, on noisy synthetic vowels (no frame off by more than a semitone, against 1 % of
 * frames at 0.01 and at the earlier frame-wise rule) and on espeak-ng and corpus speech (fewest octave jumps).
 */
const OCTAVE_COST = 0.04;
/** Praat's default octave-jump cost, per octave for frames 10 ms apart. */
const DEFAULT_OCTAVE_JUMP_COST = 0.35;
/** Candidates kept per frame for the path search, the highest-scoring ones (Praat's default is 15). */
const MAX_CANDIDATES = 15;
/** Below any voice; a lower fmin would only make the window (2.5 periods) longer than 125 ms. */
export const MIN_PITCH_FMIN = 20;

/** Semitones are counted from this F0 in Hz. */
export const SEMITONE_REFERENCE_HZ = 100;

/** One halving: its filter's odd taps, and the share of white noise's power it keeps. */
interface HalfBand {
  taps: Float64Array;
  noiseGain: number;
}

function halfBandFor(transition: number): HalfBand {
  const taps = Float64Array.from(designHalfBand(transition, HALF_BAND_STOPBAND_DB));
  // ¼ from the centre tap (½), 2h² from each pair.
  let noiseGain = 0.25;
  for (const tap of taps) noiseGain += 2 * tap * tap;
  return { taps, noiseGain };
}

/**
 * Low-passes `source` with a half-band filter (odd taps `taps`, centre ½) and keeps every other sample:
 * dst[margin + m] from source around margin + 2m, for m < halved. Four outputs per pass, each with its own
 * running sum: one sum would wait on floating-point add latency at every tap.
 */
function halve(
  source: Float64Array,
  dst: Float64Array,
  taps: Float64Array,
  margin: number,
  halved: number,
): void {
  const pairs = taps.length;
  for (let m = 0; m < halved; m += 4) {
    const c = margin + 2 * m;
    let s0 = 0.5 * source[c];
    let s1 = 0.5 * source[c + 2];
    let s2 = 0.5 * source[c + 4];
    let s3 = 0.5 * source[c + 6];
    for (let j = 0; j < pairs; j++) {
      const tap = taps[j];
      const left = c - 2 * j - 1;
      const right = c + 2 * j + 1;
      s0 += tap * (source[left] + source[right]);
      s1 += tap * (source[left + 2] + source[right + 2]);
      s2 += tap * (source[left + 4] + source[right + 4]);
      s3 += tap * (source[left + 6] + source[right + 6]);
    }
    dst[margin + m] = s0;
    dst[margin + m + 1] = s1;
    dst[margin + m + 2] = s2;
    dst[margin + m + 3] = s3;
  }
}

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

  let rate = sampleRate;
  while (rate / 2 >= MIN_SAMPLES_PER_PERIOD * fmax) rate /= 2;
  const factor = Math.round(sampleRate / rate);
  // Each halving must pass the kept band and stop whatever it would alias into it: with output rate r, pass
  // to B = KEPT_BAND·rate and stop from r − B, a transition centred on r / 2 as a half-band's is. Only the
  // last halving needs a narrow one (from 3/8 to 5/8 of its rate); earlier ones are a few taps.
  const halvings: HalfBand[] = [];
  for (let output = sampleRate / 2; output >= rate; output /= 2) {
    halvings.push(halfBandFor(0.5 - (KEPT_BAND * rate) / output));
  }
  // The high-pass cuts at fmin / 2: drift and rumble go, the search range passes within 1 dB.
  const pole = 1 - (Math.PI * fmin) / rate;
  // White noise keeps 2 / (1 + pole) of its power through the high-pass.
  let floorVariance = noiseFloorDb === null ? 0 : (10 ** (noiseFloorDb / 10) * 2) / (1 + pole);
  for (const { noiseGain } of halvings) floorVariance *= noiseGain;
  // Room for the widest filter and for `halve` running up to three outputs past the end.
  const margin = 2 * Math.max(0, ...halvings.map(({ taps }) => taps.length)) + 8;

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
  // Each frame's kept candidates for the path search (lag and score, MAX_CANDIDATES slots per frame), the
  // path's best total ending at each, and the candidate before it; grown to the longest clip seen.
  let candidateLag = new Float64Array(0);
  let candidateScore = new Float64Array(0);
  let pathScore = new Float64Array(0);
  let pathFrom = new Int32Array(0);
  let candidateCount = new Int32Array(0);
  // Two signal buffers for the halvings, grown to the longest signal seen; their margins stay zero.
  let input = new Float64Array(0);
  let output = new Float64Array(0);

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

  /**
   * `signal` low-passed and halved, with `margin` zeros each side so the filters need no bounds checks: the
   * analysed signal is data[margin … margin + length).
   */
  function decimate(signal: Float32Array): { data: Float64Array; length: number } {
    const needed = signal.length + 2 * margin + 1;
    if (input.length < needed) {
      input = new Float64Array(needed);
      output = new Float64Array(needed);
    }
    let data = input;
    let next = output;
    let length = signal.length;
    data.set(signal, margin);
    data.fill(0, margin + length, 2 * margin + length + 1);
    for (const { taps } of halvings) {
      const halved = Math.ceil(length / 2);
      halve(data, next, taps, margin, halved);
      next.fill(0, margin + halved, 2 * margin + halved + 1);
      [data, next] = [next, data];
      length = halved;
    }
    // High-pass (one pole and a zero at DC) instead of Praat's per-frame mean: a frame's mean is pulled by
    // a loud edge, and the offset left over the quiet rest correlates at every lag like a strong voice.
    let previous = 0;
    let filtered = 0;
    for (let i = margin; i < margin + length; i++) {
      const x = data[i];
      filtered = x - previous + pole * filtered;
      previous = x;
      data[i] = filtered;
    }
    return { data, length };
  }

  /**
   * For each run of voiced frames (those with candidates), the candidate per frame that maximises the summed
   * scores minus `jumpCost` per octave between consecutive frames; writes their F0s into `f0`.
   */
  function choosePath(frames: number, f0: Float64Array): void {
    for (let t = 0; t < frames; t++) {
      const count = candidateCount[t];
      if (count === 0) continue;
      const slots = t * MAX_CANDIDATES;
      const previousCount = t > 0 ? candidateCount[t - 1] : 0;
      const previousSlots = slots - MAX_CANDIDATES;
      for (let c = 0; c < count; c++) {
        let total = 0;
        let from = -1;
        for (let p = 0; p < previousCount; p++) {
          const octaves = Math.abs(Math.log2(candidateLag[slots + c] / candidateLag[previousSlots + p]));
          const option = pathScore[previousSlots + p] - jumpCost * octaves;
          if (from < 0 || option > total) {
            total = option;
            from = p;
          }
        }
        pathScore[slots + c] = total + candidateScore[slots + c];
        pathFrom[slots + c] = from;
      }
      // The end of a run: trace its best path back.
      if (t + 1 < frames && candidateCount[t + 1] > 0) continue;
      let chosen = 0;
      for (let c = 1; c < count; c++) if (pathScore[slots + c] > pathScore[slots + chosen]) chosen = c;
      for (let u = t; chosen >= 0; u--) {
        f0[u] = rate / candidateLag[u * MAX_CANDIDATES + chosen];
        chosen = pathFrom[u * MAX_CANDIDATES + chosen];
      }
    }
  }

  return {
    config: Object.freeze({ ...config }),
    analysisRate: rate,
    frameCount: (samples) => centredFrameCount(samples, hop),
    track(signal) {
      const frames = centredFrameCount(signal.length, hop);
      const f0 = new Float64Array(frames);
      const voicing = new Float64Array(frames);
      const { data, length } = decimate(signal);
      if (candidateCount.length < frames) {
        candidateLag = new Float64Array(frames * MAX_CANDIDATES);
        candidateScore = new Float64Array(frames * MAX_CANDIDATES);
        pathScore = new Float64Array(frames * MAX_CANDIDATES);
        pathFrom = new Int32Array(frames * MAX_CANDIDATES);
        candidateCount = new Int32Array(frames);
      }
      candidateCount.fill(0, 0, frames);

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
        const slots = t * MAX_CANDIDATES;
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
          if (kept === MAX_CANDIDATES && score <= candidateScore[slots + kept - 1]) continue;
          let at = kept < MAX_CANDIDATES ? kept++ : kept - 1;
          while (at > 0 && candidateScore[slots + at - 1] < score) {
            candidateScore[slots + at] = candidateScore[slots + at - 1];
            candidateLag[slots + at] = candidateLag[slots + at - 1];
            at--;
          }
          candidateScore[slots + at] = score;
          candidateLag[slots + at] = peakLag;
        }
        const strength = best * weight;
        voicing[t] = strength;
        if (strength >= voicingThreshold) candidateCount[t] = kept;
      }
      choosePath(frames, f0);
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
