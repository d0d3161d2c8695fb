/**
 * One live stream's audio → window answers, free of any socket (functions/routes/stream.ts carries it over a
 * WebSocket). Audio arrives as raw mono samples at the client's rate, in frames of any size; it is resampled as
 * it comes (core/audio/resample-stream.ts: the outputs one call on the whole file gives) and every window of the grid
 * (sliding-windows.ts) is classified as soon as its last sample is in, with the function `POST
 * /v1/classify?hop=` uses. The running summary is the same speech-weighted aggregate as a posted clip's.
 */
import { createActivityLevelsStream } from '../audio/activity-levels-stream.ts';
import { createResampleStream, type ResampleStream } from '../audio/resample-stream.ts';
import { createSampleBuffer } from '../audio/sample-buffer.ts';
import { MAX_FLOAT_SAMPLE } from '../audio/wav.ts';
import type { ClassifiedWindow } from './classify-clip.ts';
import { createSharedFrontEnd } from './inference.ts';
import type { ServedModel } from './model-store.ts';
import {
  aggregateClassified,
  classifyWindow,
  closingWindow,
  completeWindows,
  type SampleWindow,
  type WindowGrid,
  type WindowTimes,
  windowGrid,
  windowStart,
} from './sliding-windows.ts';

export type SampleFormat = 'pcm16' | 'float32';

export const BYTES_PER_SAMPLE: Record<SampleFormat, number> = { pcm16: 2, float32: 4 };

/** Whether typed arrays read little-endian data as it is (every platform workerd and Node run on, in practice). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export interface StreamOptions {
  /** The client's sample rate, Hz. */
  sampleRate: number;
  format: SampleFormat;
  hopSeconds: number;
  attention: boolean;
  /** Windows shorter than this are not classified (the closing window of a very short stream). */
  minSeconds: number;
  /** Seconds of audio a session may carry; more is refused. */
  maxSeconds: number;
  /**
   * Windows share their feature frames (the default), or each computes its own from its samples (`false`: what
   * `npm run bench:window-cpu` compares with).
   */
  shareFrames?: boolean;
}

/** Why a stream cannot go on, with the WebSocket close code that says so (functions/routes/stream.ts). */
export class StreamError extends Error {
  readonly code: 'invalid_audio' | 'stream_too_long';

  constructor(code: StreamError['code'], message: string) {
    super(message);
    this.name = 'StreamError';
    this.code = code;
  }
}

export interface StreamSession {
  /** Appends a binary frame of samples; returns the windows it completed, classified. */
  push(bytes: Uint8Array): ClassifiedWindow[];
  /** Ends the stream: the windows still open (at most one, the closing window), classified. */
  end(): ClassifiedWindow[];
  /** Every classified window so far, aggregated; null before the first window with speech. */
  aggregate(): Float32Array | null;
  readonly receivedSeconds: number;
  readonly windows: number;
  readonly classifiedWindows: number;
  readonly windowSeconds: number;
  readonly times: WindowTimes;
}

export function createStreamSession(served: ServedModel, options: StreamOptions): StreamSession {
  const modelRate = served.extractor.config.sampleRate;
  const grid: WindowGrid = windowGrid(served, options.hopSeconds);
  const resampler: ResampleStream = createResampleStream(options.sampleRate, modelRate);
  const bytesPerSample = BYTES_PER_SAMPLE[options.format];
  const maxSamples = Math.floor(options.maxSeconds * options.sampleRate);
  // Bytes of a sample split across frames wait here for the rest of it.
  const carry = new Uint8Array(bytesPerSample);
  let carried = 0;
  // The model-rate samples; those before the next window's start go when the buffer is full.
  const buffer = createSampleBuffer(2 * (grid.windowSamples + grid.hopSamples));
  let fullWindows = 0;
  const classified: ClassifiedWindow[] = [];
  let windowCount = 0;
  const times: WindowTimes = { featuresMs: 0, inferenceMs: 0 };
  // Voice activity's frame levels, summed once as the samples arrive: the windows overlap (by two thirds at the
  // default hop), and each takes its speech check's levels from here instead of summing its samples again.
  const activityLevels = createActivityLevelsStream(modelRate);
  // The front end's frames, computed once as the audio arrives and shared by the windows that hold them (a
  // window whose last samples still wait in its high-pass, at most 3, waits for them).
  const frontEnd = options.shareFrames === false ? null : createSharedFrontEnd(served);

  const appendModelSamples = (samples: Float32Array) => {
    activityLevels.push(samples);
    frontEnd?.push(samples);
    buffer.append(samples);
  };

  const classify = (window: SampleWindow): ClassifiedWindow => {
    const result = classifyWindow(
      served,
      buffer.slice(window.start, window.end),
      window.start / modelRate,
      {
        attention: options.attention,
        minSeconds: options.minSeconds,
        levels: activityLevels.levelsFor(window.start, window.end - window.start) ?? undefined,
        shared: frontEnd ? { frontEnd, offset: window.start } : undefined,
      },
      times,
    );
    windowCount++;
    if (result.prediction !== null) classified.push(result);
    return result;
  };

  let keepFrom = 0;
  const dropBefore = (position: number) => {
    keepFrom = Math.max(keepFrom, Math.min(position, buffer.end));
    buffer.dropBefore(keepFrom);
    activityLevels.dropBefore(keepFrom);
    frontEnd?.dropBefore(keepFrom);
  };

  const decode = (bytes: Uint8Array): Float32Array => {
    const total = carried + bytes.length;
    const count = Math.floor(total / bytesPerSample);
    if (count === 0) {
      carry.set(bytes, carried);
      carried = total;
      return new Float32Array(0);
    }
    // The samples' bytes, joined straight into the samples' own buffer: on a little-endian platform that is the
    // whole decode of float32, and 16-bit samples are scaled there in place.
    const samples = new Float32Array(count);
    const joined = new Uint8Array(samples.buffer, 0, count * bytesPerSample);
    joined.set(carry.subarray(0, carried));
    joined.set(bytes.subarray(0, joined.length - carried), carried);
    const rest = bytes.subarray(joined.length - carried);
    carry.set(rest);
    carried = rest.length;
    if (options.format === 'pcm16') {
      // As the WAV decoder scales 16-bit PCM (exact in f32), in place: going backwards, sample i's write covers
      // bytes 4i … 4i + 3, which hold samples 2i and 2i + 1, both read already (i ≤ 2i).
      if (LITTLE_ENDIAN) {
        const ints = new Int16Array(samples.buffer, 0, count);
        for (let i = count - 1; i >= 0; i--) samples[i] = ints[i] / 32768;
      } else {
        const view = new DataView(samples.buffer);
        for (let i = count - 1; i >= 0; i--) samples[i] = view.getInt16(2 * i, true) / 32768;
      }
      return samples;
    }
    if (!LITTLE_ENDIAN) {
      const view = new DataView(samples.buffer);
      for (let i = 0; i < count; i++) samples[i] = view.getFloat32(4 * i, true);
    }
    for (let i = 0; i < count; i++) {
      const value = samples[i];
      if (!(value >= -MAX_FLOAT_SAMPLE && value <= MAX_FLOAT_SAMPLE)) {
        throw new StreamError(
          'invalid_audio',
          `expected finite float32 samples within ±${MAX_FLOAT_SAMPLE}, got ${value} at sample ${resampler.received + i}`,
        );
      }
    }
    return samples;
  };

  return {
    push(bytes) {
      const samples = decode(bytes);
      if (resampler.received + samples.length > maxSamples) {
        throw new StreamError(
          'stream_too_long',
          `expected at most ${options.maxSeconds} s of audio per stream, got more`,
        );
      }
      appendModelSamples(resampler.push(samples));
      const ready = completeWindows(grid, frontEnd?.available ?? buffer.end, fullWindows);
      const results = ready.map(classify);
      fullWindows += ready.length;
      // The next full window starts there; a closing window would take the last window's length.
      dropBefore(Math.min(windowStart(grid, fullWindows), buffer.end - grid.windowSamples));
      return results;
    },
    end() {
      if (carried > 0) {
        throw new StreamError(
          'invalid_audio',
          `expected whole ${bytesPerSample}-byte samples, got ${carried} byte(s) left over at the end`,
        );
      }
      appendModelSamples(resampler.end());
      frontEnd?.end();
      const ready = completeWindows(grid, buffer.end, fullWindows);
      fullWindows += ready.length;
      const closing = closingWindow(grid, buffer.end, fullWindows);
      return [...ready, ...(closing === null ? [] : [closing])].map(classify);
    },
    aggregate: () => aggregateClassified(classified),
    get receivedSeconds() {
      return resampler.received / options.sampleRate;
    },
    get windows() {
      return windowCount;
    },
    get classifiedWindows() {
      return classified.length;
    },
    windowSeconds: grid.windowSamples / modelRate,
    times,
  };
}
