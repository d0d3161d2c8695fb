/**
 * The utterance front end (utterance.ts) for the overlapping windows of one long clip or live stream, with every
 * feature frame's spectrum and level computed once instead of once per window that holds it. Audio is high-passed
 * as it arrives (high-pass.ts's stream: the samples one call on the whole clip gives). A window that starts on a
 * frame takes its frames' levels, finds its speech frames and speech level among them, takes its frames' mel
 * energies (before the noise floor and the log), scales them by the gain its level asks
 * for, adds the floor, logs them and finishes as prepareUtterance does. Gain, floor and log commute with the
 * transform (a gain g scales every energy by g²), so a window gets prepareUtterance's features on its own samples
 * up to float rounding, but for its start: there its first frames and the high-pass see the audio before it
 * instead of zeros and a filter at rest. Its last frames read zeros past its end, as prepareUtterance's do, so
 * a window is ready as soon as its last sample is in.
 *
 * What a window gets depends only on the audio, not on how it arrived: a clip pushed whole and the same clip
 * pushed in pieces give the same features to the bit (each frame's spectrum is computed from the same samples
 * alone). Only log-mel feature sets (FeatureExtractor.melEnergies); a window off the frame grid gets null, and
 * its caller runs prepareUtterance on its samples instead.
 */
import type { FeatureExtractor } from './feature-set.ts';
import { createHighPassStream } from './high-pass.ts';
import { createSampleBuffer } from './sample-buffer.ts';
import {
  checkUtteranceConfig,
  finishUtterance,
  type PreparedUtterance,
  speechLevelGain,
  type UtteranceConfig,
} from './utterance.ts';
import { frameLevels, speechFramesOf } from './voice-activity.ts';

export interface WindowFrontEnd {
  /** Samples high-passed so far: a window ending here or before can be prepared (up to 3 wait for more). */
  readonly available: number;
  /** Appends samples at the extractor's rate; `last`: they end the audio, as `end()` would after them. */
  push(samples: Float32Array, last?: boolean): void;
  /** No more audio: frames past its end read zeros, as a whole clip's do. */
  end(): void;
  /**
   * The features of the `length` samples from sample `from`, as prepareUtterance gives for them (but for the
   * start, above); null when `from` is off the frame grid or before what was dropped, or the window's samples
   * have not all arrived.
   */
  prepare(from: number, length: number): PreparedUtterance | null;
  /** Forgets what no window starting at `sample` or later needs. */
  dropBefore(sample: number): void;
}

/** A front end for one clip or stream; null when the feature set is not log-mel only. */
export function createWindowFrontEnd(
  extractor: FeatureExtractor,
  config: UtteranceConfig,
): WindowFrontEnd | null {
  const { melEnergies } = extractor;
  if (melEnergies === null) return null;
  checkUtteranceConfig(config);
  const { sampleRate, nFft, hop } = extractor.config;
  const { nMels } = melEnergies;
  const half = nFft / 2;
  // Frames before a frame whose samples a slice must start with for it to see no zero padding in front.
  const lead = Math.ceil(half / hop);
  const activityFrames = { frameLength: nFft, hop, centred: true };
  const highPass = createHighPassStream(sampleRate, config.highPassHz);
  let ended = false;
  // The high-passed samples (`filtered.end` of them so far).
  const filtered = createSampleBuffer(1 << 16);
  /**
   * Frames first … end − 1 of the audio's frames, from a slice that gives them the audio before them and the audio
   * after them up to sample `until` (zeros past it): the slice's start and end, and where frame `first` is in it.
   */
  const sliceFor = (first: number, end: number, until: number) => {
    const from = Math.max(0, (first - lead) * hop);
    const to = Math.min(until, (end - 1) * hop + half);
    return { from, to, skip: first - from / hop };
  };
  const melFrames = (first: number, end: number, until = filtered.end): Float64Array => {
    const { from, to, skip } = sliceFor(first, end, until);
    return melEnergies.compute(filtered.slice(from, to)).subarray(skip * nMels, (skip + end - first) * nMels);
  };
  // Voice activity's levels of the frames, [energy, sum of squares, samples] each: the frame's blocks of samples
  // are summed in the same order whatever slice holds it, so a frame that ends before the window does has the
  // levels the window alone would give it.
  const levelFrames = (first: number, end: number, until = filtered.end): Float64Array => {
    const { from, to, skip } = sliceFor(first, end, until);
    const levels = frameLevels(filtered.slice(from, to), activityFrames, false);
    const packed = new Float64Array(3 * (end - first));
    for (let frame = 0; frame < end - first; frame++) {
      packed[3 * frame] = levels.energies[skip + frame];
      packed[3 * frame + 1] = levels.squares[skip + frame];
      packed[3 * frame + 2] = levels.lengths[skip + frame];
    }
    return packed;
  };
  const melCache = createFrameCache(nMels, melFrames);
  const levelCache = createFrameCache(3, levelFrames);
  let keepFrom = 0;

  return {
    get available() {
      return filtered.end;
    },
    push(samples, last = false) {
      if (ended) throw new Error('window front end: expected no audio after the end, got more');
      filtered.append(highPass.push(samples, last), true);
      ended = last;
    },
    end() {
      if (ended) return;
      filtered.append(highPass.push(new Float32Array(0), true), true);
      ended = true;
    },
    prepare(from, length) {
      if (!(Number.isInteger(from) && Number.isInteger(length) && length >= 0)) return null;
      if (from % hop !== 0 || from < keepFrom) return null;
      const to = from + length;
      if (to > filtered.end) return null;
      const frames = extractor.frameCount(length);
      const first = from / hop;
      const end = first + frames;
      // Frames that end by the window's end are kept for the windows after it; the last (whose samples run past
      // it) read zeros there, as prepareUtterance's do, so that a window never waits for audio after it.
      const sharedEnd = Math.min(end, Math.max(first, Math.floor((to - half) / hop) + 1));
      const energy = new Float64Array(frames);
      const squares = new Float64Array(frames);
      const lengths = new Uint32Array(frames);
      const unpack = (packed: Float64Array, offset: number) => {
        for (let frame = 0; frame < packed.length / 3; frame++) {
          energy[offset + frame] = packed[3 * frame];
          squares[offset + frame] = packed[3 * frame + 1];
          lengths[offset + frame] = packed[3 * frame + 2];
        }
      };
      unpack(levelCache.frames(first, sharedEnd), 0);
      if (sharedEnd < end) unpack(levelFrames(sharedEnd, end, to), sharedEnd - first);
      const { mask, meanSquare } = speechFramesOf(energy, squares, lengths);
      const gainSquared = speechLevelGain(meanSquare) ** 2;
      const data = new Float32Array(frames * nMels);
      const split = (sharedEnd - first) * nMels;
      melEnergies.toDecibels(melCache.frames(first, sharedEnd), gainSquared, data.subarray(0, split));
      if (sharedEnd < end) {
        melEnergies.toDecibels(melFrames(sharedEnd, end, to), gainSquared, data.subarray(split));
      }
      return finishUtterance({ data, frames, dims: nMels }, mask, extractor, config);
    },
    dropBefore(sample) {
      if (!Number.isFinite(sample)) return;
      keepFrom = Math.max(keepFrom, sample);
      // A window from keepFrom reads its frames' levels from `lead` frames before it.
      filtered.dropBefore(Math.max(0, (Math.floor(keepFrom / hop) - lead) * hop));
    },
  };
}

/** A front end holding a whole clip, ended: what `POST /v1/classify` lays its windows over. */
export function createClipFrontEnd(
  samples: Float32Array,
  extractor: FeatureExtractor,
  config: UtteranceConfig,
): WindowFrontEnd | null {
  const frontEnd = createWindowFrontEnd(extractor, config);
  // In one push, so that the high-passed clip becomes the buffer as it is.
  frontEnd?.push(samples, true);
  return frontEnd;
}

/** Per-frame values of a stream of frames, `width` a frame, each computed once and kept while windows need it. */
interface FrameCache {
  /** The values of frames first … end − 1, computing those not kept yet (frame-major, `width` a frame). */
  frames(first: number, end: number): Float64Array;
}

/**
 * Windows come in order of their start, so frames before a window's first are let go; a window before the kept
 * frames has its own computed and not kept.
 */
function createFrameCache(width: number, compute: (first: number, end: number) => Float64Array): FrameCache {
  let values = new Float64Array(0);
  let keptFirst = 0;
  let keptEnd = 0;
  return {
    frames(first, end) {
      if (first < keptFirst) return compute(first, end);
      if (first >= keptEnd) {
        keptFirst = first;
        keptEnd = first;
      }
      if (end > keptEnd) {
        const added = compute(keptEnd, end);
        const keptFrom = (first - keptFirst) * width;
        const keptTo = (keptEnd - keptFirst) * width;
        const size = keptTo - keptFrom + added.length;
        if (size > values.length) {
          const grown = new Float64Array(Math.max(size, 2 * values.length));
          grown.set(values.subarray(keptFrom, keptTo));
          values = grown;
        } else {
          values.copyWithin(0, keptFrom, keptTo);
        }
        values.set(added, keptTo - keptFrom);
        keptFirst = first;
        keptEnd = end;
      }
      return values.subarray((first - keptFirst) * width, (end - keptFirst) * width);
    },
  };
}
