/**
 * A whole clip (or each segment of it) classified from all of its speech: the windows of timeline.ts, each
 * moved back by under 80 ms onto a grid of voice activity's and the features' frames (all but a segment's last,
 * so its overlap with the next may shrink by as much) and checked for speech of its own, the ones with speech
 * run through the network as one batch, overlapping ones sharing their feature frames (window-front-end.ts),
 * their answers combined by aggregateWindows. The Worker's /v1/classify, `npm run evaluate` and `npm run classify` all call
 * {@link classifyClip}.
 */
import {
  defaultActivityFrames,
  detectVoiceActivity,
  MIN_SPEECH_SECONDS,
  type VoiceActivity,
  windowLevels,
} from '../audio/voice-activity.ts';
import { createClipFrontEnd } from '../audio/window-front-end.ts';
import { classifySpans, type SharedFrontEnd, type Span, type SpanPrediction } from './inference.ts';
import type { ServedModel } from './model-store.ts';
import { aggregateWindows, cutWindows, planWindows } from './timeline.ts';

export interface ClassifiedWindow extends Span {
  /** Seconds of speech voice activity finds in the window on its own; its weight in the aggregate. */
  speechSeconds: number;
  /** Null when the window has too little speech of its own to be classified (it does not vote). */
  prediction: SpanPrediction | null;
}

export interface ClassifiedSegment extends Span {
  windows: ClassifiedWindow[];
  /** The aggregate over the segment's classified windows; null when none has speech. */
  probabilities: Float32Array | null;
}

export interface ClipClassification {
  /** Length of every window of a span longer than the model's input: the input's length. */
  windowSeconds: number;
  /** The whole clip as one segment, or its `segmentSeconds` pieces. */
  segments: ClassifiedSegment[];
  /** The aggregate over every classified window of the clip; null when no window has speech. */
  probabilities: Float32Array | null;
  featuresMs: number;
  inferenceMs: number;
}

export interface ClipOptions {
  attention: boolean;
  /** Cut the clip into segments of this many seconds, each with its own answer (a timeline). */
  segmentSeconds?: number;
  /** A last segment shorter than this joins the one before it. */
  minSegmentSeconds?: number;
  /** The clip's voice activity when the caller has it already (detectVoiceActivity on `samples`). */
  activity?: VoiceActivity;
  /**
   * Overlapping windows share their feature frames (the default), or each computes its own from its samples
   * (`false`: what `npm run bench:window-cpu` compares with).
   */
  shareFrames?: boolean;
}

/**
 * Samples a window's start is moved back onto a multiple of: where voice activity's 10 ms frames and the
 * feature frames start together (80 ms for the served 16 kHz models) when the model's windows share their feature
 * frames (window-front-end.ts), else voice activity's frames alone. Either way a window reuses the clip's
 * activity levels.
 */
export function windowAlignment(served: ServedModel): number {
  const activityHop = defaultActivityFrames(served.extractor.config.sampleRate).hop;
  const shares = served.metadata.utterance !== null && served.extractor.melEnergies !== null;
  if (!shares) return activityHop;
  const divisor = (x: number, y: number): number => (y === 0 ? x : divisor(y, x % y));
  const { hop } = served.extractor.config;
  return (activityHop / divisor(activityHop, hop)) * hop;
}

/** Seconds of audio the model's input holds: its frames' centres span (frames − 1) hops. */
export function modelWindowSeconds(served: ServedModel): number {
  const { hop, sampleRate } = served.extractor.config;
  return ((served.metadata.inputFrames - 1) * hop) / sampleRate;
}

/** From the first to the last active frame of `activity` inside `span`, or null when none is. */
function speechExtent(activity: VoiceActivity, span: Span): Span | null {
  const { active, hopSeconds } = activity;
  const first = Math.max(0, Math.ceil(span.startSeconds / hopSeconds - 1e-9));
  const end = Math.min(active.length, Math.ceil(span.endSeconds / hopSeconds - 1e-9));
  let firstActive = -1;
  let lastActive = -1;
  for (let frame = first; frame < end; frame++) {
    if (active[frame] === 0) continue;
    if (firstActive < 0) firstActive = frame;
    lastActive = frame;
  }
  if (firstActive < 0) return null;
  return { startSeconds: firstActive * hopSeconds, endSeconds: (lastActive + 1) * hopSeconds };
}

/** The whole clip in one front end for its windows to share, when there is more than one of them. */
function sharedOver(served: ServedModel, samples: Float32Array, share: boolean): SharedFrontEnd | undefined {
  const { utterance } = served.metadata;
  const frontEnd = share && utterance ? createClipFrontEnd(samples, served.extractor, utterance) : null;
  return frontEnd ? { frontEnd, offset: 0 } : undefined;
}

export function classifyClip(
  served: ServedModel,
  samples: Float32Array,
  options: ClipOptions,
): ClipClassification {
  const { sampleRate } = served.extractor.config;
  const durationSeconds = samples.length / sampleRate;
  const windowSeconds = modelWindowSeconds(served);
  const activity = options.activity ?? detectVoiceActivity(samples, sampleRate);
  const segments =
    options.segmentSeconds === undefined
      ? [{ startSeconds: 0, endSeconds: durationSeconds }]
      : cutWindows(durationSeconds, options.segmentSeconds, options.minSegmentSeconds ?? 0);
  const grid = windowAlignment(served);
  const planned = segments.map((segment) => {
    const segmentFrom = Math.round(segment.startSeconds * sampleRate);
    const segmentTo = Math.min(samples.length, Math.round(segment.endSeconds * sampleRate));
    return planWindows(segment, speechExtent(activity, segment), windowSeconds).map((window) => {
      let from = Math.round(window.startSeconds * sampleRate);
      let to = Math.min(samples.length, Math.round(window.endSeconds * sampleRate));
      // A window moved back onto the grid checks its own speech on the clip's frame levels instead of summing
      // its samples again. One that ends the segment stays, so that speech running to the end is classified to
      // its last sample.
      const onFrame = from - (from % grid);
      if (onFrame >= segmentFrom && to < segmentTo) {
        to -= from - onFrame;
        from = onFrame;
      }
      const levels = windowLevels(activity, from, to - from) ?? undefined;
      const own = detectVoiceActivity(samples.subarray(from, to), sampleRate, undefined, levels);
      return {
        startSeconds: from / sampleRate,
        endSeconds: to / sampleRate,
        speechSeconds: own.speechSeconds,
        voting: own.speechDetected,
      };
    });
  });
  const all = planned.flat();
  if (!all.some((window) => window.voting) && activity.speechDetected) {
    // Speech too scattered for any window to hold enough of it on its own: classify the window with the most.
    const most = all.reduce((best, window) => (window.speechSeconds > best.speechSeconds ? window : best));
    most.voting = true;
    most.speechSeconds = Math.max(most.speechSeconds, MIN_SPEECH_SECONDS);
  }
  const voting = all.filter((window) => window.voting);
  const classified =
    voting.length === 0
      ? { predictions: [], featuresMs: 0, inferenceMs: 0 }
      : classifySpans(served, samples, voting, {
          attention: options.attention,
          shared: sharedOver(served, samples, voting.length > 1 && options.shareFrames !== false),
        });
  const predictionOf = new Map(voting.map((window, index) => [window, classified.predictions[index]]));
  const aggregate = (windows: typeof all) => {
    const used = windows.filter((window) => window.voting);
    if (used.length === 0) return null;
    return aggregateWindows(
      used.map((window) => (predictionOf.get(window) as SpanPrediction).probabilities),
      used.map((window) => window.speechSeconds),
    );
  };
  return {
    windowSeconds,
    segments: segments.map((segment, index) => ({
      ...segment,
      windows: planned[index].map((window) => ({
        startSeconds: window.startSeconds,
        endSeconds: window.endSeconds,
        speechSeconds: window.speechSeconds,
        prediction: predictionOf.get(window) ?? null,
      })),
      probabilities: aggregate(planned[index]),
    })),
    probabilities: aggregate(all),
    featuresMs: classified.featuresMs,
    inferenceMs: classified.inferenceMs,
  };
}
