/**
 * How a clip becomes the windows the network classifies, and how their answers become the clip's.
 *
 * The network takes a fixed input (3 s for the served models). A longer clip is not cut to its middle: windows
 * of the input's length, overlapping by at least a quarter, are laid over the part of the clip from its first to its last
 * speech, evenly so that the first and the last window end on the speech's edges. Each window with speech of its
 * own (voice activity on the window alone, so steady noise or silence between utterances does not vote) is
 * classified, and the clip's probabilities are the speech-weighted mean of the windows' log-probabilities,
 * renormalised: a window with 3 s of speech counts six times as much as one with 0.5 s. With `segment`, the
 * clip is first cut into segments, each classified in the same way; the clip's answer is the same mean over
 * every classified window. Training's evaluation (npm run evaluate), the Worker and `npm run classify` share it.
 */
import type { Span } from './inference.ts';

/**
 * Neighbouring windows overlap by at least this share of their length (more when spreading them evenly over the
 * speech asks for it). A quarter keeps every moment of speech away from a window's edge in some window while
 * featurising and classifying each second about 1.3 times, not twice as with half: CPU per second of audio is
 * what the Worker's budget counts.
 */
export const WINDOW_OVERLAP = 0.25;
/** Seconds of audio kept before the first and after the last speech frame when laying windows. */
export const SPEECH_MARGIN_SECONDS = 0.25;

/**
 * Cuts a clip into consecutive windows of `segmentSeconds`. A last piece shorter than `minSeconds` is too
 * short to classify on its own, so it joins the window before it.
 */
export function cutWindows(durationSeconds: number, segmentSeconds: number, minSeconds: number): Span[] {
  if (!(segmentSeconds > 0))
    throw new RangeError(`expected a positive segment length, got ${segmentSeconds}`);
  const windows: Span[] = [];
  // Multiplying, not accumulating, keeps window edges free of drift (0.1 + 0.1 + 0.1 ≠ 0.3).
  for (let index = 0; index * segmentSeconds < durationSeconds; index++) {
    const start = index * segmentSeconds;
    windows.push({ startSeconds: start, endSeconds: Math.min(start + segmentSeconds, durationSeconds) });
  }
  const last = windows.at(-1);
  if (windows.length > 1 && last !== undefined && last.endSeconds - last.startSeconds < minSeconds) {
    windows.pop();
    windows[windows.length - 1].endSeconds = durationSeconds;
  }
  return windows;
}

/**
 * The windows to classify in `span` (seconds of the clip), given where its speech is (`speech`: the span from
 * the first to the last speech frame, or null when none was found). A span no longer than `windowSeconds` is
 * one window, itself. Otherwise every window is `windowSeconds` long: one, centred on the speech, when the
 * speech (with its margins) fits in it; else as many as it takes for neighbours to overlap by at least
 * WINDOW_OVERLAP, spread evenly from the speech's start to its end.
 */
export function planWindows(span: Span, speech: Span | null, windowSeconds: number): Span[] {
  if (!(windowSeconds > 0)) throw new RangeError(`expected a positive window length, got ${windowSeconds}`);
  const { startSeconds: clipStart, endSeconds: clipEnd } = span;
  if (clipEnd - clipStart <= windowSeconds) return [{ startSeconds: clipStart, endSeconds: clipEnd }];
  const from = Math.max(clipStart, (speech?.startSeconds ?? clipStart) - SPEECH_MARGIN_SECONDS);
  const to = Math.min(clipEnd, (speech?.endSeconds ?? clipEnd) + SPEECH_MARGIN_SECONDS);
  const length = to - from;
  if (length <= windowSeconds) {
    const start = Math.min(Math.max(clipStart, (from + to - windowSeconds) / 2), clipEnd - windowSeconds);
    return [{ startSeconds: start, endSeconds: start + windowSeconds }];
  }
  const hop = windowSeconds * (1 - WINDOW_OVERLAP);
  const count = Math.ceil((length - windowSeconds) / hop - 1e-9) + 1;
  const step = (length - windowSeconds) / (count - 1);
  return Array.from({ length: count }, (_, index) => {
    // The last window ends exactly on `to`, whatever the rounding of the steps.
    const start = index === count - 1 ? to - windowSeconds : from + index * step;
    return { startSeconds: start, endSeconds: start + windowSeconds };
  });
}

/** Probabilities below this count as it: a window's 0 would otherwise make the aggregate's log −∞. */
export const PROBABILITY_FLOOR = 1e-7;

/**
 * The clip's probabilities from its windows': Σ wᵢ · log pᵢ / Σ wᵢ, renormalised to sum to 1 (a weighted
 * geometric mean). `weights` are the windows' seconds of speech; windows of weight 0 do not count.
 */
export function aggregateWindows(rows: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (rows.length !== weights.length) {
    throw new RangeError(`expected one weight per window (${rows.length}), got ${weights.length}`);
  }
  const total = weights.reduce((sum, weight) => sum + Math.max(weight, 0), 0);
  if (rows.length === 0 || !(total > 0)) {
    throw new RangeError('expected at least one window with a positive weight, got none');
  }
  const logMean = new Float64Array(rows[0].length);
  rows.forEach((row, index) => {
    const weight = Math.max(weights[index], 0) / total;
    if (weight === 0) return;
    for (let i = 0; i < row.length; i++) logMean[i] += weight * Math.log(Math.max(row[i], PROBABILITY_FLOOR));
  });
  const peak = Math.max(...logMean);
  const out = new Float32Array(logMean.length);
  let sum = 0;
  for (let i = 0; i < logMean.length; i++) sum += Math.exp(logMean[i] - peak);
  for (let i = 0; i < logMean.length; i++) out[i] = Math.exp(logMean[i] - peak) / sum;
  return out;
}
