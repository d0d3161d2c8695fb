/**
 * Resampling audio that arrives in pieces (a live stream), with the outputs one `resample` call on the whole
 * signal would give: the work is cut where resample.ts's `pieceGeometry` allows, so every output is computed
 * from the same input samples with the same taps. Outputs lag the input by the filters' reach plus one step:
 * under 0.2 s at the usual rates (8, 16, 22.05, 32, 44.1, 48, 96 kHz), up to two periods (about 2 s) at odd
 * rates such as 44 101 Hz, whose filter phases repeat only once a second.
 */
import { joinSamples } from './join-samples.ts';
import { resampleWithPlan } from './resample.ts';
import { pieceGeometry, planFor } from './resample-design.ts';

export interface ResampleStream {
  /** Appends input samples; returns the outputs they complete (often none, never more than are final). */
  push(samples: Float32Array): Float32Array;
  /** Ends the stream (samples beyond it count as zero, as in one call) and returns the remaining outputs. */
  end(): Float32Array;
  /** Input samples received so far. */
  readonly received: number;
}

/** Input samples per piece, at least: longer pieces spend less on the overlap, shorter ones answer sooner. */
const STEP_SAMPLES = 4096;
const EMPTY = new Float32Array(0);

export function createResampleStream(fromRate: number, toRate: number): ResampleStream {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!(Number.isInteger(rate) && rate > 0)) {
      throw new RangeError(`resample stream: expected ${name} to be a positive integer in Hz, got ${rate}`);
    }
  }
  let received = 0;
  let ended = false;
  const checkOpen = () => {
    if (ended) throw new Error('resample stream: expected no input after end()');
  };
  if (fromRate === toRate) {
    return {
      push(samples) {
        checkOpen();
        received += samples.length;
        return samples.slice();
      },
      end() {
        checkOpen();
        ended = true;
        return EMPTY;
      },
      get received() {
        return received;
      },
    };
  }

  const plan = planFor(fromRate, toRate);
  const { period, outputsPerPeriod, margin } = pieceGeometry(plan);
  const step = Math.max(1, Math.ceil(STEP_SAMPLES / period)) * period;
  // Input from `bufferStart` on (absolute sample index); the next piece's own outputs start at input `next`.
  let buffer = new Float32Array(step + 2 * margin);
  let bufferStart = 0;
  let buffered = 0;
  let next = 0;

  const append = (samples: Float32Array) => {
    if (buffered + samples.length > buffer.length) {
      const grown = new Float32Array(Math.max(buffer.length * 2, buffered + samples.length));
      grown.set(buffer.subarray(0, buffered));
      buffer = grown;
    }
    buffer.set(samples, buffered);
    buffered += samples.length;
    received += samples.length;
  };

  /** Outputs of input [next, until) from input [next − margin, to), then drops input no later piece needs. */
  const piece = (until: number, to: number, outputEnd: number): Float32Array => {
    const from = Math.max(0, next - margin);
    const first = (next / period) * outputsPerPeriod;
    const end = Math.min(outputEnd, (until / period) * outputsPerPeriod);
    if (end <= first) return EMPTY;
    const skipped = first - (from / period) * outputsPerPeriod;
    const out = new Float32Array(skipped + end - first);
    resampleWithPlan(plan, buffer.subarray(from - bufferStart, to - bufferStart), out);
    next = until;
    const keepFrom = Math.max(0, next - margin);
    buffer.copyWithin(0, keepFrom - bufferStart, buffered);
    buffered -= keepFrom - bufferStart;
    bufferStart = keepFrom;
    return out.subarray(skipped);
  };

  return {
    push(samples) {
      checkOpen();
      append(samples);
      const ready: Float32Array[] = [];
      // A piece is final once the input reaches `margin` past its own outputs.
      while (next + step + margin <= received) {
        ready.push(piece(next + step, next + step + margin, Number.POSITIVE_INFINITY));
      }
      return ready.length === 1 ? ready[0].slice() : joinSamples(ready);
    },
    end() {
      checkOpen();
      ended = true;
      const total = Math.round((received * toRate) / fromRate);
      const until = Math.ceil(received / period) * period;
      return piece(until, received, total).slice();
    },
    get received() {
      return received;
    },
  };
}
