/**
 * The utterance front end: what makes a clip's features independent of its level, its channel and the
 * silence around it. Training and serving both call {@link prepareUtterance}, so the model sees in production
 * exactly what it learned from.
 *
 * 1. A high-pass (high-pass.ts) removes DC offset and rumble.
 * 2. `speechFrames` (voice-activity.ts), on the same frames as the features, marks the speech frames: those
 *    within 35 dB of the clip's loud end.
 * 3. The clip is scaled so that its speech frames have an RMS of `SPEECH_LEVEL_DB`, then the extractor
 *    computes its frame features. The extractor's fixed noise floor (−80 dBFS) then sits the same distance
 *    under the speech of a quiet clip as of a loud one.
 * 4. Every column loses its mean over the clip's speech frames (`centre: 'per-band'`), and all columns are
 *    divided by one spread: the root mean square over columns of their standard deviations over those frames.
 *    In log-mel, a gain and a fixed microphone or room response add a constant per band: subtracting the clip's
 *    own means removes them, where a training-set z-score keeps them (and so the corpus). One spread for all
 *    columns keeps how much each band moves relative to the others, and a band with no signal (above a
 *    telephone's 3.4 kHz) stays near 0 instead of having its faint noise blown up to unit variance.
 *    `centre: 'overall'` subtracts one mean over all columns instead: the clip's long-term spectrum (its tilt,
 *    which rises with vocal effort) stays in the input, and with it the microphone's. `spread: 'training-set'`
 *    skips the division: how far the clip's bands swing in dB (wider in shouted than in subdued speech) stays
 *    in the input, and only the training-set z-score after this front end scales it.
 *    Only the spectral columns go through this step: pitch columns (`f0` in semitones, `voicing`) do not
 *    move with gain or microphone and keep their values, so the training-set z-score alone scales them;
 *    with `pitch: 'clip-relative'` the f0 column loses its mean over the speech frames (the contour is
 *    interpolated through unvoiced frames, so those count too).
 * 5. Leading and trailing non-speech is cut, keeping a margin, so silence of any length around the speech
 *    leaves the input unchanged.
 */
import type { FeatureExtractor, FeatureMatrix } from './feature-set.ts';
import { highPass } from './high-pass.ts';
import { type SpeechFrames, speechFrames } from './voice-activity.ts';

export interface UtteranceConfig {
  /** Cut-off in Hz of the high-pass applied before features and speech detection. */
  highPassHz: number;
  /** Seconds of frames kept before the first and after the last speech frame. */
  trimMarginSeconds: number;
  /** What the speech frames' mean is taken over before it is subtracted: each column, or all of them (step 4). */
  centre: UtteranceCentre;
  /** Whether the clip's own pooled spread divides its columns (step 4), or only the training-set z-score does. */
  spread: UtteranceSpread;
  /**
   * What an `f0` column holds (feature sets with pitch): semitones re 100 Hz (`absolute`, the default), or
   * semitones from the contour's mean over the clip's speech frames (`clip-relative`: the speaker's register
   * out, the melody and range in; the contour is interpolated through unvoiced frames, which count too).
   */
  pitch?: UtterancePitch;
}

export type UtterancePitch = 'absolute' | 'clip-relative';
export const UTTERANCE_PITCHES: readonly UtterancePitch[] = ['absolute', 'clip-relative'];

export type UtteranceCentre = 'per-band' | 'overall';
export const UTTERANCE_CENTRES: readonly UtteranceCentre[] = ['per-band', 'overall'];

export type UtteranceSpread = 'utterance' | 'training-set';
export const UTTERANCE_SPREADS: readonly UtteranceSpread[] = ['utterance', 'training-set'];

export const DEFAULT_UTTERANCE_CONFIG: Readonly<UtteranceConfig> = Object.freeze({
  highPassHz: 80,
  trimMarginSeconds: 0.1,
  centre: 'per-band',
  spread: 'utterance',
});

/** Bump when what prepareUtterance computes changes: features cached with another version are recomputed. */
export const UTTERANCE_FRONT_END_VERSION = 3;

/** RMS level in dBFS that the speech frames of every clip are scaled to before features. */
export const SPEECH_LEVEL_DB = -25;

/** The gain scaleToSpeechLevel applies for speech frames of mean square `speechMeanSquare` (1 for silence). */
export function speechLevelGain(speechMeanSquare: number): number {
  const level = Math.sqrt(speechMeanSquare);
  return level > 1e-9 ? 10 ** (SPEECH_LEVEL_DB / 20) / level : 1;
}

const MIN_STD = 1e-6;

/** Features of the speech part of a clip, standardised over its speech frames. */
export interface PreparedUtterance extends FeatureMatrix {
  /** Clip frame at row 0 (frames cut from the start). */
  firstFrame: number;
  /** Speech frames among the rows; 0 when none was found (then every frame was used for the statistics). */
  speechFrames: number;
}

export function checkUtteranceConfig(config: UtteranceConfig): UtteranceConfig {
  if (!(Number.isFinite(config.highPassHz) && config.highPassHz > 0)) {
    throw new RangeError(`utterance config: expected a positive highPassHz, got ${config.highPassHz}`);
  }
  if (!(Number.isFinite(config.trimMarginSeconds) && config.trimMarginSeconds >= 0)) {
    throw new RangeError(`utterance config: expected trimMarginSeconds ≥ 0, got ${config.trimMarginSeconds}`);
  }
  if (!UTTERANCE_CENTRES.includes(config.centre)) {
    throw new RangeError(
      `utterance config: expected centre ${UTTERANCE_CENTRES.join(' or ')}, got ${String(config.centre)}`,
    );
  }
  if (!UTTERANCE_SPREADS.includes(config.spread)) {
    throw new RangeError(
      `utterance config: expected spread ${UTTERANCE_SPREADS.join(' or ')}, got ${String(config.spread)}`,
    );
  }
  if (config.pitch !== undefined && !UTTERANCE_PITCHES.includes(config.pitch)) {
    throw new RangeError(
      `utterance config: expected pitch ${UTTERANCE_PITCHES.join(' or ')}, got ${String(config.pitch)}`,
    );
  }
  return config;
}

/**
 * Which feature frames hold speech, and their level: voice activity on the feature frames themselves (centred,
 * nFft long).
 */
export function findSpeechFrames(filtered: Float32Array, extractor: FeatureExtractor): SpeechFrames {
  const { sampleRate, nFft, hop } = extractor.config;
  const found = speechFrames(filtered, sampleRate, { frameLength: nFft, hop, centred: true });
  const frames = extractor.frameCount(filtered.length);
  if (found.mask.length !== frames)
    throw new Error(`speech mask: expected ${frames} frames, got ${found.mask.length}`);
  return found;
}

/**
 * Scales `signal` in place so that its speech frames, whose mean square findSpeechFrames measured, have an RMS
 * of SPEECH_LEVEL_DB, and returns it. Digital silence stays silence.
 */
export function scaleToSpeechLevel(signal: Float32Array, speechMeanSquare: number): Float32Array {
  const gain = speechLevelGain(speechMeanSquare);
  if (gain === 1) return signal;
  // A plain loop with the length read once: TypedArray.prototype.map, or reading `signal.length` every
  // iteration, costs about twice as much in V8 (Node 22).
  const length = signal.length;
  for (let i = 0; i < length; i++) signal[i] *= gain;
  return signal;
}

/**
 * Centres each of the first `columns` columns on its mean over the rows where `mask` is 1 (all rows if none
 * is), or all of them on their common mean, and with spread 'utterance' divides them by their pooled spread
 * over those rows (step 4 above). Columns after the first `columns` are copied unchanged.
 */
export function standardiseOver(
  matrix: FeatureMatrix,
  mask: Uint8Array,
  centre: UtteranceCentre = 'per-band',
  spread: UtteranceSpread = 'utterance',
  columns: number = matrix.dims,
): FeatureMatrix {
  const { data, frames, dims: width } = matrix;
  if (!(Number.isInteger(columns) && columns >= 0 && columns <= width)) {
    throw new RangeError(`standardiseOver: expected columns in 0–${width}, got ${columns}`);
  }
  const dims = columns;
  let counted = 0;
  for (let t = 0; t < frames; t++) counted += mask[t];
  const useAll = counted === 0;
  const count = useAll ? frames : counted;
  const mean = new Float64Array(dims);
  const m2 = new Float64Array(dims);
  for (let t = 0; t < frames; t++) {
    if (!useAll && mask[t] === 0) continue;
    for (let d = 0; d < dims; d++) mean[d] += data[t * width + d];
  }
  for (let d = 0; d < dims; d++) mean[d] /= Math.max(count, 1);
  for (let t = 0; t < frames; t++) {
    if (!useAll && mask[t] === 0) continue;
    for (let d = 0; d < dims; d++) {
      const deviation = data[t * width + d] - mean[d];
      m2[d] += deviation * deviation;
    }
  }
  let variance = 0;
  for (let d = 0; d < dims; d++) variance += m2[d] / Math.max(count, 1) / dims;
  const scale = spread === 'utterance' ? 1 / Math.max(Math.sqrt(variance), MIN_STD) : 1;
  if (centre === 'overall') {
    let overall = 0;
    for (let d = 0; d < dims; d++) overall += mean[d] / dims;
    mean.fill(overall);
  }
  // Columns after the first `columns` are copied; when there are none, every value is written below.
  const out = dims < width ? Float32Array.from(data) : new Float32Array(data.length);
  for (let t = 0; t < frames; t++) {
    for (let d = 0; d < dims; d++) out[t * width + d] = (data[t * width + d] - mean[d]) * scale;
  }
  return { data: out, frames, dims: width };
}

/** The extractor's f0 column, for `pitch: 'clip-relative'`, which means nothing without one. */
function f0ColumnOf(extractor: FeatureExtractor): number {
  const column = extractor.names.indexOf('f0');
  if (column < 0) {
    throw new RangeError(
      `utterance config: expected a feature set with an f0 column for pitch 'clip-relative', got ${extractor.set}`,
    );
  }
  return column;
}

/** Subtracts column `column`'s mean over the rows where `mask` is 1 (all rows if none is), in place. */
export function centreColumn(matrix: FeatureMatrix, column: number, mask: Uint8Array): void {
  const { data, frames, dims } = matrix;
  let counted = 0;
  for (let t = 0; t < frames; t++) counted += mask[t];
  let sum = 0;
  for (let t = 0; t < frames; t++) if (counted === 0 || mask[t] === 1) sum += data[t * dims + column];
  const mean = sum / Math.max(counted === 0 ? frames : counted, 1);
  for (let t = 0; t < frames; t++) data[t * dims + column] -= mean;
}

/** Rows from `margin` before the first to `margin` after the last marked row (all rows when none is marked). */
export function speechBounds(mask: Uint8Array, margin: number): { first: number; end: number } {
  const first = mask.indexOf(1);
  if (first < 0) return { first: 0, end: mask.length };
  const last = mask.lastIndexOf(1);
  return { first: Math.max(0, first - margin), end: Math.min(mask.length, last + 1 + margin) };
}

/** Steps 1–5 above for one clip (mono, at the extractor's sample rate). */
export function prepareUtterance(
  samples: Float32Array,
  extractor: FeatureExtractor,
  config: UtteranceConfig,
): PreparedUtterance {
  const { sampleRate } = extractor.config;
  checkUtteranceConfig(config);
  const filtered = highPass(samples, sampleRate, config.highPassHz);
  const { mask, meanSquare } = findSpeechFrames(filtered, extractor);
  const features = extractor.extract(scaleToSpeechLevel(filtered, meanSquare));
  return finishUtterance(features, mask, extractor, config);
}

/**
 * Steps 4 and 5 on the features of a clip scaled to the speech level, whose speech frames `mask` marks: shared
 * by prepareUtterance and the windows of window-front-end.ts.
 */
export function finishUtterance(
  features: FeatureMatrix,
  mask: Uint8Array,
  extractor: FeatureExtractor,
  config: UtteranceConfig,
): PreparedUtterance {
  const { sampleRate, hop } = extractor.config;
  const standardised = standardiseOver(features, mask, config.centre, config.spread, extractor.spectralDims);
  if (config.pitch === 'clip-relative') centreColumn(standardised, f0ColumnOf(extractor), mask);
  const { first, end } = speechBounds(mask, Math.round((config.trimMarginSeconds * sampleRate) / hop));
  const { dims } = standardised;
  let speechFrames = 0;
  for (let t = first; t < end; t++) speechFrames += mask[t];
  return {
    data: standardised.data.slice(first * dims, end * dims),
    frames: end - first,
    dims,
    firstFrame: first,
    speechFrames,
  };
}

/**
 * A clip's features as a model expects them: through the utterance front end when the model has one, else the
 * extractor's features of the whole clip (models trained before it).
 */
export function clipFeatures(
  samples: Float32Array,
  extractor: FeatureExtractor,
  utterance: UtteranceConfig | null,
): PreparedUtterance {
  if (utterance !== null) return prepareUtterance(samples, extractor, utterance);
  const features = extractor.extract(samples);
  return { ...features, firstFrame: 0, speechFrames: 0 };
}
