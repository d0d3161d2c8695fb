/**
 * Windows of the model's input length every `hop`, laid from the start of the audio: the grid a live stream
 * can classify as its audio arrives, and the one `POST /v1/classify?hop=` lays over a file, so that a file
 * streamed and the same file posted get the same windows and the same answers (one function classifies a
 * window for both). Each window is judged on its own: voice activity on the window alone decides whether it
 * is classified, and its seconds of speech are its weight in the aggregate (timeline.ts's aggregateWindows).
 * Positions are in samples of the model's rate, so the two paths cannot round differently.
 */
import {
  type ActivityLevels,
  defaultActivityFrames,
  detectVoiceActivity,
  type VoiceActivity,
  windowLevels,
} from '../audio/voice-activity.ts';
import { createClipFrontEnd } from '../audio/window-front-end.ts';
import type { ClassifiedWindow, ClipClassification } from './classify-clip.ts';
import { modelWindowSeconds, windowAlignment } from './classify-clip.ts';
import { classifySpans, type SharedFrontEnd } from './inference.ts';
import type { ServedModel } from './model-store.ts';
import { aggregateWindows } from './timeline.ts';

/** A window as sample positions at the model's rate: [start, end). */
export interface SampleWindow {
  start: number;
  end: number;
}

/** Window and hop of the grid, in samples at the model's rate. */
export interface WindowGrid {
  windowSamples: number;
  hopSamples: number;
  /**
   * Full windows start on multiples of this, each moved back from index · hopSamples by less than it: on voice
   * activity's frames, and the features' too when the model's windows share them (classify-clip.ts
   * windowAlignment). 1 (none) when omitted.
   */
  alignment?: number;
}

export function windowGrid(served: ServedModel, hopSeconds: number): WindowGrid {
  if (!(hopSeconds > 0)) throw new RangeError(`expected a positive hop, got ${hopSeconds}`);
  const { sampleRate } = served.extractor.config;
  const hopSamples = Math.max(1, Math.round(hopSeconds * sampleRate));
  const alignment = windowAlignment(served);
  return {
    windowSamples: Math.round(modelWindowSeconds(served) * sampleRate),
    hopSamples,
    // A grid coarser than the hop would lay windows twice on one start and leave audio between them.
    alignment: alignment <= hopSamples ? alignment : defaultActivityFrames(sampleRate).hop,
  };
}

/** Where full window `index` of the grid starts. */
export function windowStart(grid: WindowGrid, index: number): number {
  const alignment = grid.alignment ?? 1;
  const start = index * grid.hopSamples;
  return start - (start % alignment);
}

/** The grid's full windows that `available` samples complete, from window `firstIndex` on. */
export function completeWindows(grid: WindowGrid, available: number, firstIndex: number): SampleWindow[] {
  const windows: SampleWindow[] = [];
  for (let index = firstIndex; windowStart(grid, index) + grid.windowSamples <= available; index++) {
    const start = windowStart(grid, index);
    windows.push({ start, end: start + grid.windowSamples });
  }
  return windows;
}

/**
 * The window that ends audio of `total` samples, when the full windows (`fullWindows` of them) leave its end
 * uncovered: the last `windowSamples` (or all of it, when shorter). Null when nothing is left over.
 */
export function closingWindow(grid: WindowGrid, total: number, fullWindows: number): SampleWindow | null {
  if (total === 0) return null;
  if (fullWindows === 0) return { start: 0, end: Math.min(total, grid.windowSamples) };
  const coveredTo = windowStart(grid, fullWindows - 1) + grid.windowSamples;
  return coveredTo < total ? { start: total - grid.windowSamples, end: total } : null;
}

/** Every window of a whole clip of `total` samples: the full ones, then the closing one. */
export function slidingWindows(grid: WindowGrid, total: number): SampleWindow[] {
  const full = completeWindows(grid, total, 0);
  const closing = closingWindow(grid, total, full.length);
  return closing === null ? full : [...full, closing];
}

/** Milliseconds spent on the front end and on the network, added to by each classified window. */
export interface WindowTimes {
  featuresMs: number;
  inferenceMs: number;
}

/**
 * One window, from its own samples: classified when voice activity finds speech in it and it is at least
 * `minSeconds` long. `startSeconds` places it (and its attention) in the audio.
 */
export function classifyWindow(
  served: ServedModel,
  samples: Float32Array,
  startSeconds: number,
  options: { attention: boolean; minSeconds: number; levels?: ActivityLevels; shared?: SharedFrontEnd },
  times?: WindowTimes,
): ClassifiedWindow {
  const { sampleRate } = served.extractor.config;
  const seconds = samples.length / sampleRate;
  const activity = detectVoiceActivity(samples, sampleRate, undefined, options.levels);
  const window = { startSeconds, endSeconds: startSeconds + seconds, speechSeconds: activity.speechSeconds };
  if (!activity.speechDetected || seconds < options.minSeconds) return { ...window, prediction: null };
  const result = classifySpans(served, samples, [{ startSeconds: 0, endSeconds: seconds }], {
    attention: options.attention,
    shared: options.shared,
  });
  if (times) {
    times.featuresMs += result.featuresMs;
    times.inferenceMs += result.inferenceMs;
  }
  const [prediction] = result.predictions;
  const attention = prediction.attention && {
    ...prediction.attention,
    startSeconds: prediction.attention.startSeconds + startSeconds,
  };
  return { ...window, prediction: { probabilities: prediction.probabilities, attention } };
}

/** The speech-weighted aggregate of the classified windows, or null when none was. */
export function aggregateClassified(windows: readonly ClassifiedWindow[]): Float32Array | null {
  const used = windows.filter((window) => window.prediction !== null);
  if (used.length === 0) return null;
  return aggregateWindows(
    used.map((window) => (window.prediction as NonNullable<ClassifiedWindow['prediction']>).probabilities),
    used.map((window) => window.speechSeconds),
  );
}

/**
 * A whole clip on the grid: each window a segment of its own, as {@link classifyClip} returns segments.
 * `activity`: the clip's voice activity when the caller has it, whose frame levels windows starting on a frame reuse.
 */
export function classifySlidingWindows(
  served: ServedModel,
  samples: Float32Array,
  options: { hopSeconds: number; attention: boolean; minSeconds: number; activity?: VoiceActivity },
): ClipClassification {
  const { sampleRate } = served.extractor.config;
  const grid = windowGrid(served, options.hopSeconds);
  const times: WindowTimes = { featuresMs: 0, inferenceMs: 0 };
  const { activity, ...windowOptions } = options;
  const planned = slidingWindows(grid, samples.length);
  const { utterance } = served.metadata;
  // Even for one window: the stream cannot know that a window will be its only one, and takes it from its
  // front end.
  const frontEnd = utterance ? createClipFrontEnd(samples, served.extractor, utterance) : null;
  const windows = planned.map(({ start, end }) => {
    const levels = activity ? (windowLevels(activity, start, end - start) ?? undefined) : undefined;
    const shared = frontEnd ? { frontEnd, offset: start } : undefined;
    return classifyWindow(
      served,
      samples.subarray(start, end),
      start / sampleRate,
      { ...windowOptions, levels, shared },
      times,
    );
  });
  const probabilities = aggregateClassified(windows);
  return {
    windowSeconds: grid.windowSamples / sampleRate,
    segments: windows.map((window) => ({
      startSeconds: window.startSeconds,
      endSeconds: window.endSeconds,
      windows: [window],
      probabilities: window.prediction?.probabilities ?? null,
    })),
    probabilities,
    ...times,
  };
}
