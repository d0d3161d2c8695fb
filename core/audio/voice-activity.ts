/**
 * Energy-based voice activity detection on a mono signal: the Worker uses it to report silence or steady noise
 * as such instead of giving it an emotion, and the utterance front end (utterance.ts) to know which feature
 * frames are speech.
 *
 * The rule: a frame is audible when its energy is at least `ABSOLUTE_FLOOR_DB` (above digital silence and
 * 16-bit dither, ≈ −98 dBFS) and within `AUDIBLE_RANGE_DB` of the clip's loudest frame. It is active when it
 * is also at least `MARGIN_DB` above the clip's noise floor (the 10th percentile of the audible frames'
 * energies) and within `DYNAMIC_RANGE_DB` of the loudest frame. Speech alternates syllables with closures and onsets, so its loud frames stand far above its quiet
 * ones; stationary signals (white noise, hum, a held tone), even when they start after digital silence, vary by
 * a fraction of a decibel from frame to frame and never clear the margin. The peak-relative bound makes the
 * decision depend on the clip's shape, not its level: the same clip 40 dB quieter, whose room noise sinks
 * into digital silence, keeps the same speech frames. The clip has speech when at least `MIN_SPEECH_SECONDS`
 * of frames are active.
 *
 * Clipped or heavily compressed speech between digital silences defeats the energy rule: every audible frame is
 * loud and nearly as loud as the next, so the noise floor is the speech itself. Its spectrum still moves, vowels
 * against fricatives, where stationary noise and tones keep theirs: when the energy rule finds no speech and the
 * audible frames' spectral tilt (the energy of the first difference over the energy, in dB) spreads over at
 * least `TILT_SPREAD_DB` between its 10th and 90th percentiles, the audible frames within `DYNAMIC_RANGE_DB`
 * of the loudest are active. (Measured: speech 15–16 dB, clipped at 30–50 % full scale 15 dB; white noise
 * 0.6 dB, a tone or hum 0, low-passed noise 5.) Known limit: speech under stationary noise with an SNR below
 * the margin goes undetected.
 */

/** -90 dBFS RMS: above digital silence and 16-bit dither, below the quiet edges of speech at −40 dBFS peak. */
export const ABSOLUTE_FLOOR_DB = -90;
/** Only frames this close to the loudest count towards the noise floor, so the floor scales with the clip. */
export const AUDIBLE_RANGE_DB = 40;
export const MARGIN_DB = 10;
/** Frames more than this far below the loudest frame are not speech, whatever the noise floor. */
export const DYNAMIC_RANGE_DB = 40;
const NOISE_FLOOR_PERCENTILE = 0.1;
export const MIN_SPEECH_SECONDS = 0.1;
/** Spread (10th to 90th percentile) of the audible frames' spectral tilt above which they are taken for speech. */
export const TILT_SPREAD_DB = 10;

/** How the signal is cut into frames. */
export interface ActivityFrames {
  /** Samples per frame. */
  frameLength: number;
  /** Samples between frame starts (or centres). */
  hop: number;
  /**
   * `true`: frame i is centred on sample i·hop (the feature frames' convention, 1 + ⌊n / hop⌋ frames);
   * `false`: frame i starts at sample i·hop.
   */
  centred: boolean;
}

/** The default framing: 25 ms frames every 10 ms, starting at their hop. */
export function defaultActivityFrames(sampleRate: number): ActivityFrames {
  return {
    frameLength: Math.max(1, Math.round(0.025 * sampleRate)),
    hop: Math.max(1, Math.round(0.01 * sampleRate)),
    centred: false,
  };
}

/** The frames' levels detectVoiceActivity decides on, kept so that windows of the signal can reuse them. */
export interface ActivityLevels {
  frames: ActivityFrames;
  /** Each frame's energy about its own mean, in dBFS. */
  energies: Float64Array;
  /** Each frame's sum of squares about its own mean. */
  squares: Float64Array;
}

export interface VoiceActivity {
  /** Seconds between the starts of consecutive frames in `active`. */
  hopSeconds: number;
  /** 1 where frame i is active. */
  active: Uint8Array;
  /** The 10th-percentile energy of the audible frames, in dBFS; null when every frame is silent. */
  noiseFloorDb: number | null;
  speechSeconds: number;
  speechDetected: boolean;
  levels: ActivityLevels;
}

/** Where frame `frame` starts and ends in the signal (centred frames at the edges hang over it: clipped). */
function frameSpan(frames: ActivityFrames, frame: number, length: number): [start: number, end: number] {
  const offset = frames.centred ? -Math.floor(frames.frameLength / 2) : 0;
  const start = Math.max(0, frame * frames.hop + offset);
  return [start, Math.min(frame * frames.hop + offset + frames.frameLength, length)];
}

export function activityFrameCount(frames: ActivityFrames, length: number): number {
  const { frameLength, hop, centred } = frames;
  if (centred) return 1 + Math.floor(length / hop);
  return length < frameLength ? 1 : 1 + Math.floor((length - frameLength) / hop);
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * Below this many samples a block, block sums take more than a byte per sample (16 bytes a block) and save little
 * over summing each frame directly.
 */
export const MIN_BLOCK = 16;

/** The block every frame edge falls on: the greatest common divisor of hop, length and centring offset. */
export function blockOf(frames: ActivityFrames): number {
  const offset = frames.centred ? Math.floor(frames.frameLength / 2) : 0;
  return greatestCommonDivisor(greatestCommonDivisor(frames.hop, frames.frameLength), offset);
}

/** Sums of squares and of samples over [start, end) of the signal, for any frame. */
type SpanSums = (start: number, end: number) => { squares: number; sum: number };

/**
 * Frames overlap (25 ms every 10 ms; the feature frames by half), so the signal is summed once in blocks that
 * every frame edge falls on (the greatest common divisor of hop, length and centring offset) and each frame adds
 * up its blocks: one pass over the samples instead of one per frame. Framings whose edges share no such block sum
 * each frame directly.
 */
function spanSums(samples: Float32Array, frames: ActivityFrames): SpanSums {
  const block = blockOf(frames);
  const direct = (from: number, to: number) => {
    let squares = 0;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const x = samples[i];
      squares += x * x;
      sum += x;
    }
    return { squares, sum };
  };
  if (block < MIN_BLOCK) return direct;
  const blocks = Math.ceil(samples.length / block);
  const blockSquares = new Float64Array(blocks);
  const blockSums = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const { squares, sum } = direct(b * block, Math.min(samples.length, (b + 1) * block));
    blockSquares[b] = squares;
    blockSums[b] = sum;
  }
  return (start, end) => {
    let squares = 0;
    let sum = 0;
    // Every edge is a multiple of `block` or the signal's end, which closes the last (partial) block.
    for (let b = start / block; b < Math.ceil(end / block); b++) {
      squares += blockSquares[b];
      sum += blockSums[b];
    }
    return { squares, sum };
  };
}

/**
 * Each frame's energy in dBFS (mean square, floored at −120 dB so digital silence stays finite), its sum of
 * squares and its sample count. With `aboutMean`, energy and squares are taken about the frame's own mean (its
 * variance), so that a DC offset, which a high-pass removes before features, is not taken for a sound either.
 */
export function frameLevels(
  samples: Float32Array,
  frames: ActivityFrames,
  aboutMean: boolean,
): { energies: Float64Array; squares: Float64Array; lengths: Uint32Array } {
  const count = activityFrameCount(frames, samples.length);
  const sumsOver = spanSums(samples, frames);
  const energies = new Float64Array(count);
  const squares = new Float64Array(count);
  const lengths = new Uint32Array(count);
  for (let frame = 0; frame < count; frame++) {
    const [start, end] = frameSpan(frames, frame, samples.length);
    const { squares: total, sum } = sumsOver(start, end);
    const level = frameLevel(total, sum, end - start, aboutMean);
    squares[frame] = level.squares;
    lengths[frame] = end - start;
    energies[frame] = level.energy;
  }
  return { energies, squares, lengths };
}

/** One frame's sum of squares (about its mean with `aboutMean`) and energy in dBFS, from its sums over `length` samples. */
export function frameLevel(
  total: number,
  sum: number,
  length: number,
  aboutMean: boolean,
): { squares: number; energy: number } {
  const n = Math.max(length, 1);
  const spread = aboutMean ? Math.max(0, total - (sum * sum) / n) : total;
  return { squares: spread, energy: 10 * Math.log10(Math.max(spread / n, 1e-12)) };
}

/**
 * Each frame's spectral tilt in dB: the energy of its first difference over its energy (`squares`, about the
 * mean): about +3 dB for white noise, −20 dB for vowels. Only the clipped-speech fallback needs it.
 */
function frameTilts(samples: Float32Array, frames: ActivityFrames, squares: Float64Array): Float64Array {
  const tilts = new Float64Array(squares.length);
  for (let frame = 0; frame < squares.length; frame++) {
    const [start, end] = frameSpan(frames, frame, samples.length);
    let differences = 0;
    for (let i = Math.max(start, 1); i < end; i++) {
      const d = samples[i] - samples[i - 1];
      differences += d * d;
    }
    tilts[frame] = 10 * Math.log10((differences + 1e-12) / (squares[frame] + 1e-12));
  }
  return tilts;
}

/** The 10th-to-90th-percentile spread of `values` at the frames where `use` is true; 0 for fewer than 2. */
function spreadDb(values: Float64Array, use: (frame: number) => boolean): number {
  const chosen = values.filter((_, frame) => use(frame)).sort();
  if (chosen.length < 2) return 0;
  const at = (quantile: number) => chosen[Math.floor(quantile * (chosen.length - 1))];
  return at(0.9) - at(0.1);
}

/**
 * The levels of the frames of `activity`'s signal that make up its `length` samples from `from`: what
 * detectVoiceActivity would compute on that window alone, to the bit, when the window starts on a frame (its
 * frames are then the signal's, summed over the same blocks of samples). Null when it does not, or when the
 * window is shorter than a frame.
 */
export function windowLevels(activity: VoiceActivity, from: number, length: number): ActivityLevels | null {
  const { frames, energies, squares } = activity.levels;
  if (frames.centred || from % frames.hop !== 0 || length < frames.frameLength) return null;
  const first = from / frames.hop;
  const count = activityFrameCount(frames, length);
  if (first + count > energies.length) return null;
  return {
    frames,
    energies: energies.subarray(first, first + count),
    squares: squares.subarray(first, first + count),
  };
}

/**
 * `levels`: the frames' levels when the caller has them (windowLevels of a longer signal's activity), so that
 * the signal is not summed again.
 */
export function detectVoiceActivity(
  samples: Float32Array,
  sampleRate: number,
  frames: ActivityFrames = defaultActivityFrames(sampleRate),
  levels?: ActivityLevels,
): VoiceActivity {
  if (!(sampleRate > 0)) throw new RangeError(`expected a positive sample rate, got ${sampleRate}`);
  if (
    !(
      Number.isInteger(frames.frameLength) &&
      frames.frameLength > 0 &&
      Number.isInteger(frames.hop) &&
      frames.hop > 0
    )
  ) {
    throw new RangeError(
      `expected a positive whole frame length and hop, got ${frames.frameLength} and ${frames.hop}`,
    );
  }
  if (levels && !sameFraming(levels.frames, frames)) {
    throw new RangeError(
      `expected levels framed as ${JSON.stringify(frames)}, got ${JSON.stringify(levels.frames)}`,
    );
  }
  const { energies, squares } = levels ?? frameLevels(samples, frames, true);
  if (energies.length !== activityFrameCount(frames, samples.length)) {
    throw new RangeError(
      `expected levels of ${activityFrameCount(frames, samples.length)} frames, got ${energies.length}`,
    );
  }
  const peak = energies.reduce((loudest, energy) => Math.max(loudest, energy), Number.NEGATIVE_INFINITY);
  const audibleFrom = Math.max(ABSOLUTE_FLOOR_DB, peak - AUDIBLE_RANGE_DB);
  const audible = energies.filter((energy) => energy >= audibleFrom).sort();
  const noiseFloorDb =
    audible.length > 0 ? audible[Math.floor(NOISE_FLOOR_PERCENTILE * (audible.length - 1))] : null;
  // With every frame silent nothing can clear an infinite threshold.
  const threshold =
    noiseFloorDb === null
      ? Number.POSITIVE_INFINITY
      : Math.max(noiseFloorDb + MARGIN_DB, peak - DYNAMIC_RANGE_DB);
  const active = new Uint8Array(energies.length);
  let activeFrames = 0;
  for (let frame = 0; frame < energies.length; frame++) {
    if (energies[frame] >= threshold) {
      active[frame] = 1;
      activeFrames++;
    }
  }
  const hopSeconds = frames.hop / sampleRate;
  if (
    activeFrames * hopSeconds < MIN_SPEECH_SECONDS &&
    spreadDb(frameTilts(samples, frames, squares), (frame) => energies[frame] >= audibleFrom) >=
      TILT_SPREAD_DB
  ) {
    // Clipped or compressed speech (see the top of this file).
    const loudEnough = Math.max(audibleFrom, peak - DYNAMIC_RANGE_DB);
    activeFrames = 0;
    for (let frame = 0; frame < energies.length; frame++) {
      active[frame] = energies[frame] >= loudEnough ? 1 : 0;
      activeFrames += active[frame];
    }
  }
  const speechSeconds = activeFrames * hopSeconds;
  return {
    hopSeconds,
    active,
    noiseFloorDb,
    speechSeconds,
    speechDetected: speechSeconds >= MIN_SPEECH_SECONDS,
    levels: { frames, energies, squares },
  };
}

function sameFraming(a: ActivityFrames, b: ActivityFrames): boolean {
  return a.frameLength === b.frameLength && a.hop === b.hop && a.centred === b.centred;
}

/** Frames within this many dB of the loud end of a clip are its speech frames for the utterance front end. */
export const SPEECH_RANGE_DB = 35;
/** The loud end: this percentile of the audible frames' energies (robust to a click). */
const LOUD_PERCENTILE = 0.95;

/** A clip's speech frames for the utterance front end, and how loud they are. */
export interface SpeechFrames {
  /** 1 where frame i is a speech frame. */
  mask: Uint8Array;
  /**
   * Mean square of the samples under the marked frames (every frame when none is marked), a sample counted
   * once per frame that holds it: the level the front end scales speech to a fixed RMS by.
   */
  meanSquare: number;
}

/**
 * The frames that carry a clip's speech for feature statistics (core/audio/utterance.ts): energy within
 * SPEECH_RANGE_DB of the clip's 95th-percentile audible frame and above ABSOLUTE_FLOOR_DB. A rule on the clip's own
 * level range alone, so that the same clip at any gain marks the same frames (detectVoiceActivity's noise
 * floor moves when a quiet clip's room noise sinks under the absolute floor); under noise louder than that
 * range, every frame counts, as in plain per-clip normalisation.
 */
export function speechFrames(
  samples: Float32Array,
  sampleRate: number,
  frames: ActivityFrames,
): SpeechFrames {
  if (!(sampleRate > 0)) throw new RangeError(`expected a positive sample rate, got ${sampleRate}`);
  const { energies, squares, lengths } = frameLevels(samples, frames, false);
  return speechFramesOf(energies, squares, lengths);
}

/**
 * speechFrames from the frames' levels (frameLevels without `aboutMean`): a window of a longer signal decides
 * on its share of the signal's frames (window-front-end.ts).
 */
export function speechFramesOf(
  energies: Float64Array,
  squares: Float64Array,
  lengths: Uint32Array,
): SpeechFrames {
  const mask = new Uint8Array(energies.length);
  // Over the audible frames only, so that silence around the speech, digital or dithered, moves nothing.
  const sorted = energies.filter((energy) => energy >= ABSOLUTE_FLOOR_DB).sort();
  if (sorted.length > 0) {
    const loud = sorted[Math.floor(LOUD_PERCENTILE * (sorted.length - 1))];
    const threshold = Math.max(ABSOLUTE_FLOOR_DB, loud - SPEECH_RANGE_DB);
    for (let frame = 0; frame < energies.length; frame++) mask[frame] = energies[frame] >= threshold ? 1 : 0;
  }
  const useAll = mask.indexOf(1) < 0;
  let sum = 0;
  let count = 0;
  for (let frame = 0; frame < mask.length; frame++) {
    if (!useAll && mask[frame] === 0) continue;
    sum += squares[frame];
    count += lengths[frame];
  }
  return { mask, meanSquare: sum / Math.max(count, 1) };
}

/** Active seconds among the frames starting in [startSeconds, endSeconds), for one window of a timeline. */
export function speechSecondsBetween(
  activity: VoiceActivity,
  startSeconds: number,
  endSeconds: number,
): number {
  const first = Math.max(0, Math.ceil(startSeconds / activity.hopSeconds - 1e-9));
  const last = Math.min(activity.active.length, Math.ceil(endSeconds / activity.hopSeconds - 1e-9));
  let frames = 0;
  for (let frame = first; frame < last; frame++) frames += activity.active[frame];
  return frames * activity.hopSeconds;
}
