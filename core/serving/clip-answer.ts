/**
 * A clip's answer as /v1/classify gives it (without the model, labels, duration and timing the route adds),
 * built from decoded samples: too short, no speech, or classified from all of its speech (classify-clip.ts).
 * The route and `npm run classify` both answer through {@link screenClip} and {@link describeClassification}.
 */
import { detectVoiceActivity, speechSecondsBetween, type VoiceActivity } from '../audio/voice-activity.ts';
import type { ClassifiedWindow, ClipClassification } from './classify-clip.ts';
import { type Dimensions, expectedDimensions } from './dimensions.ts';
import type { AttentionTrack } from './inference.ts';
import { WINDOW_OVERLAP } from './timeline.ts';

const MEAN = "speech-weighted mean of the windows' log-probabilities, renormalised";
export const AGGREGATION =
  `${MEAN}; windows of the model input's length overlapping by at least ${WINDOW_OVERLAP * 100} %, laid over ` +
  'the speech; windows without speech of their own do not count';

/** How the answer is made from windows every `hopSeconds` from the start (the grid a stream uses). */
export const slidingAggregation = (hopSeconds: number) =>
  `${MEAN}; windows of the model input's length every ${hopSeconds} s from the start, as a stream lays them; ` +
  'windows without speech of their own do not count';

export interface Top {
  label: string;
  confidence: number;
}

export interface AttentionJson {
  startSeconds: number;
  frameSeconds: number;
  weights: number[];
}

/** What a clip, a window or a segment is answered with. */
interface ScoredAudio {
  speechDetected: boolean;
  speechSeconds: number;
  probabilities: Record<string, number> | null;
  top: Top | null;
  dimensions: Dimensions | null;
  attention: AttentionJson | null;
}

export interface TimelineEntry extends ScoredAudio {
  startSeconds: number;
  endSeconds: number;
}

export interface ClipAnswer extends ScoredAudio {
  outcome: 'classified' | 'no_speech' | 'too_short';
  analysis: {
    windowSeconds: number;
    windows: number;
    classifiedWindows: number;
    classifiedSeconds: number;
    aggregation: string;
  } | null;
  timeline: TimelineEntry[] | null;
}

export const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

export function topOf(labels: readonly string[], probabilities: Float32Array): Top {
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
  return { label: labels[best], confidence: probabilities[best] };
}

export function named(labels: readonly string[], probabilities: Float32Array): Record<string, number> {
  return Object.fromEntries(labels.map((label, i) => [label, probabilities[i]]));
}

function attentionJson(track: AttentionTrack | null): AttentionJson | null {
  if (track === null) return null;
  return {
    startSeconds: round(track.startSeconds),
    frameSeconds: track.frameSeconds,
    weights: Array.from(track.weights),
  };
}

/** Seconds inside at least one of the windows (sorted by start, as classifyClip gives them). */
function coveredSeconds(windows: readonly ClassifiedWindow[]): number {
  let covered = 0;
  let reached = Number.NEGATIVE_INFINITY;
  for (const { startSeconds, endSeconds } of windows) {
    covered += Math.max(0, endSeconds - Math.max(startSeconds, reached));
    reached = Math.max(reached, endSeconds);
  }
  return covered;
}

const UNCLASSIFIED = {
  probabilities: null,
  top: null,
  dimensions: null,
  attention: null,
  analysis: null,
  timeline: null,
};

/** Arousal and valence rounded for JSON, or null (a model with labels the lexicon table lacks). */
export function dimensionsJson(labels: readonly string[], probabilities: Float32Array): Dimensions | null {
  const dimensions = expectedDimensions(labels, probabilities);
  return dimensions && { arousal: round(dimensions.arousal), valence: round(dimensions.valence) };
}

/** A window as the timeline (and a stream) shows it: found on its own, classified when it has speech. */
export function windowJson(labels: readonly string[], window: ClassifiedWindow): TimelineEntry {
  const { prediction } = window;
  return {
    startSeconds: round(window.startSeconds),
    endSeconds: round(window.endSeconds),
    speechDetected: prediction !== null,
    speechSeconds: round(window.speechSeconds),
    probabilities: prediction ? named(labels, prediction.probabilities) : null,
    top: prediction ? topOf(labels, prediction.probabilities) : null,
    dimensions: prediction ? dimensionsJson(labels, prediction.probabilities) : null,
    attention: prediction ? attentionJson(prediction.attention) : null,
  };
}

/**
 * What can be said before the network runs: the unclassified answer of a clip shorter than
 * `minDurationSeconds` or without speech, and the clip's voice activity for {@link describeClassification}
 * (null only for a clip too short to look at).
 */
export function screenClip(
  samples: Float32Array,
  sampleRate: number,
  minDurationSeconds: number,
): { answer: ClipAnswer; activity: VoiceActivity | null } | { answer: null; activity: VoiceActivity } {
  if (samples.length / sampleRate < minDurationSeconds) {
    return {
      answer: { outcome: 'too_short', speechDetected: false, speechSeconds: 0, ...UNCLASSIFIED },
      activity: null,
    };
  }
  const activity = detectVoiceActivity(samples, sampleRate);
  if (activity.speechDetected) return { answer: null, activity };
  const speechSeconds = round(activity.speechSeconds);
  return {
    answer: { outcome: 'no_speech', speechDetected: false, speechSeconds, ...UNCLASSIFIED },
    activity,
  };
}

/**
 * How the timeline is laid: `segments` (with `segment`: one entry per segment), `windows` (with `hop`: one
 * per grid window), or `auto` (one per analysis window when the clip needed more than one, else none).
 */
export type TimelineKind = 'segments' | 'windows' | 'auto';

/**
 * The answer for a clip whose windows have run: its probabilities, what they came from, and the timeline.
 * A clip none of whose windows had speech of its own (possible on the hop grid) reads `no_speech`.
 */
export function describeClassification(
  labels: readonly string[],
  result: ClipClassification,
  activity: VoiceActivity,
  timelineKind: TimelineKind,
  aggregation = AGGREGATION,
): ClipAnswer {
  const clip = result.probabilities;
  const windows = result.segments.flatMap((segment) => segment.windows);
  const classified = windows.filter((window) => window.prediction !== null);
  const toJson = (window: ClassifiedWindow) => windowJson(labels, window);
  const segmentJson = (segment: ClipClassification['segments'][number]): TimelineEntry => {
    const only = segment.windows.length === 1 ? segment.windows[0].prediction : null;
    return {
      startSeconds: round(segment.startSeconds),
      endSeconds: round(segment.endSeconds),
      speechDetected: segment.probabilities !== null,
      speechSeconds: round(speechSecondsBetween(activity, segment.startSeconds, segment.endSeconds)),
      probabilities: segment.probabilities ? named(labels, segment.probabilities) : null,
      top: segment.probabilities ? topOf(labels, segment.probabilities) : null,
      dimensions: segment.probabilities ? dimensionsJson(labels, segment.probabilities) : null,
      attention: only ? attentionJson(only.attention) : null,
    };
  };
  const timeline =
    timelineKind === 'segments'
      ? result.segments.map(segmentJson)
      : timelineKind === 'windows' || windows.length > 1
        ? windows.map(toJson)
        : null;
  const analysis = {
    windowSeconds: round(result.windowSeconds),
    windows: windows.length,
    classifiedWindows: classified.length,
    classifiedSeconds: round(coveredSeconds(classified)),
    aggregation,
  };
  if (clip === null) {
    const speechSeconds = round(activity.speechSeconds);
    return {
      outcome: 'no_speech',
      speechDetected: false,
      speechSeconds,
      ...UNCLASSIFIED,
      analysis,
      timeline,
    };
  }
  return {
    outcome: 'classified',
    speechDetected: true,
    speechSeconds: round(activity.speechSeconds),
    probabilities: named(labels, clip),
    top: topOf(labels, clip),
    dimensions: dimensionsJson(labels, clip),
    attention:
      timelineKind === 'auto' && windows.length === 1
        ? attentionJson(classified[0]?.prediction?.attention ?? null)
        : null,
    analysis,
    timeline,
  };
}
