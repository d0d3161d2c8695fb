/**
 * Second-order Butterworth high-pass (bilinear transform, cut-off pre-warped), run causally in float64, on a
 * whole signal (`highPass`) or on one that arrives in pieces (`createHighPassStream`).
 * It takes out DC offsets and rumble below the voice before features and speech detection, so that neither a
 * microphone's offset nor a room's hum marks where a clip was recorded.
 */
export function highPass(samples: Float32Array, sampleRate: number, cutoffHz: number): Float32Array {
  return createHighPassStream(sampleRate, cutoffHz).push(samples, true);
}

/**
 * The same filter over audio that arrives in pieces: the outputs one call on the whole signal gives, to the bit,
 * since samples go through the same four-at-a-time steps from the first sample on (up to three wait in `push`
 * for the rest of their step, or for the last push, which filters them one by one as `highPass` does its tail).
 */
export interface HighPassStream {
  /** The outputs for `samples` and any waiting before them, but for the last (total mod 4) unless `last`. */
  push(samples: Float32Array, last?: boolean): Float32Array;
}

export function createHighPassStream(sampleRate: number, cutoffHz: number): HighPassStream {
  if (!(sampleRate > 0))
    throw new RangeError(`high-pass: expected a positive sample rate, got ${sampleRate}`);
  if (!(cutoffHz > 0 && cutoffHz < sampleRate / 2)) {
    throw new RangeError(`high-pass: expected a cut-off in (0, ${sampleRate / 2}) Hz, got ${cutoffHz}`);
  }
  const k = Math.tan((Math.PI * cutoffHz) / sampleRate);
  const gain = 1 / (1 + Math.SQRT2 * k + k * k);
  const a1 = 2 * (k * k - 1) * gain;
  const a2 = (1 - Math.SQRT2 * k + k * k) * gain;
  // H(z) = gain · (1 − z⁻¹)² / (1 + a1 z⁻¹ + a2 z⁻²): the zeros as a difference u, then the poles. One sample
  // after another, the poles' recurrence is a chain of dependent multiply-adds that the CPU cannot overlap, so
  // four outputs at a time are written out from the two before them: y[n+j] = Σ h[j−i] · u[n+i] +
  // c[j] · y[n−1] + d[j] · y[n−2], where h is the poles' impulse response and c, d carry the two outputs in.
  const h1 = -a1;
  const h2 = a1 * a1 - a2;
  const h3 = -a1 * h2 - a2 * h1;
  const c0 = -a1;
  const d0 = -a2;
  const c1 = -a1 * c0 - a2;
  const d1 = -a1 * d0;
  const c2 = -a1 * c1 - a2 * c0;
  const d2 = -a1 * d1 - a2 * d0;
  const c3 = -a1 * c2 - a2 * c1;
  const d3 = -a1 * d2 - a2 * d1;
  // The past {x1, x2, y1, y2} starts as if the first sample had always been there (and so the output, 0), so a
  // recording that starts on a DC offset does not start with a step. It is kept in an array between calls and in
  // locals within one: as closure variables, which V8 keeps in memory, the loop ran several times slower.
  const state = new Float64Array(4);
  let started = false;
  const waiting = new Float32Array(4);
  let waitingCount = 0;

  /** Steps of four over input[from, to) ((to − from) a multiple of 4) into out from `at`. */
  const steps = (input: Float32Array, from: number, to: number, out: Float32Array, at: number) => {
    let [x1, x2, y1, y2] = state;
    let o = at;
    for (let i = from; i < to; i += 4) {
      const s0 = input[i];
      const s1 = input[i + 1];
      const s2 = input[i + 2];
      const s3 = input[i + 3];
      const u0 = gain * (s0 - 2 * x1 + x2);
      const u1 = gain * (s1 - 2 * s0 + x1);
      const u2 = gain * (s2 - 2 * s1 + s0);
      const u3 = gain * (s3 - 2 * s2 + s1);
      const o0 = u0 + c0 * y1 + d0 * y2;
      const o1 = u1 + h1 * u0 + c1 * y1 + d1 * y2;
      const o2 = u2 + h1 * u1 + h2 * u0 + c2 * y1 + d2 * y2;
      const o3 = u3 + h1 * u2 + h2 * u1 + h3 * u0 + c3 * y1 + d3 * y2;
      out[o] = o0;
      out[o + 1] = o1;
      out[o + 2] = o2;
      out[o + 3] = o3;
      o += 4;
      y1 = o3;
      y2 = o2;
      x1 = s3;
      x2 = s2;
    }
    state.set([x1, x2, y1, y2]);
  };
  /** One sample at a time over input[from, to) into out from `at`: the tail of the last push. */
  const singles = (input: Float32Array, from: number, to: number, out: Float32Array, at: number) => {
    let [x1, x2, y1, y2] = state;
    for (let i = from; i < to; i++) {
      const x = input[i];
      const y = gain * (x - 2 * x1 + x2) - a1 * y1 - a2 * y2;
      out[at + i - from] = y;
      y2 = y1;
      y1 = y;
      x2 = x1;
      x1 = x;
    }
    state.set([x1, x2, y1, y2]);
  };

  return {
    push(samples, last = false) {
      if (!started && samples.length > 0) {
        started = true;
        state.set([samples[0], samples[0], 0, 0]);
      }
      const total = waitingCount + samples.length;
      const out = new Float32Array(last ? total : total - (total % 4));
      let next = 0;
      let written = 0;
      if (waitingCount > 0 && total >= 4) {
        // Complete the waiting step with the first new samples.
        next = 4 - waitingCount;
        waiting.set(samples.subarray(0, next), waitingCount);
        steps(waiting, 0, 4, out, 0);
        waitingCount = 0;
        written = 4;
      }
      const stepEnd = next + Math.floor((samples.length - next) / 4) * 4;
      if (waitingCount === 0) {
        steps(samples, next, stepEnd, out, written);
        written += stepEnd - next;
        next = stepEnd;
      }
      waiting.set(samples.subarray(next), waitingCount);
      waitingCount += samples.length - next;
      if (last) {
        singles(waiting, 0, waitingCount, out, written);
        waitingCount = 0;
      }
      return out;
    },
  };
}
