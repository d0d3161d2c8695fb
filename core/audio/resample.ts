/**
 * Band-limited resampling between any two integer rates with Kaiser-windowed-sinc FIR filters. Pure
 * TypeScript, deterministic, zero delay: output sample n is the input evaluated at time n / toRate.
 *
 * Response: cutoff at the lower rate's Nyquist, passband to 0.45 and stopband from 0.55 of the lower rate
 * (7.2 and 8.8 kHz for 16 kHz). Measured towards 16 kHz: passband error ≤ 0.01 dB up to 7.2 kHz; every tone
 * from 8.8 kHz to the source Nyquist ≤ −64.7 dB in the output (48, 44.1, 22.05, 32, 96, 192 kHz); images
 * when upsampling from 8 or 11.025 kHz ≤ −61 dB. The same speech-like signal sampled at 48 / 44.1 /
 * 22.05 kHz resamples to within 82 / 81 / 85 dB SNR of it sampled at 16 kHz.
 *
 * Structure (the sharp transition needs a long filter, so cost is what the structure is about):
 * 1. While the rate is even and its half still reaches the target, a half-band stage halves it (48 → 24,
 *    44.1 → 22.05, 192 → 96 → 48 → 24 kHz). Every other tap of a half-band filter is zero and the rest are
 *    symmetric: about 9 multiplies per output.
 * 2. One kernel does the sharp transition at the lowest rate: symmetric folded taps when it has at most two
 *    phases (24 → 16, 32 → 16, 8 → 16 kHz), an exact polyphase table otherwise (22.05 → 16 kHz: 320 phases),
 *    or, when an exact table would exceed 2¹⁷ coefficients (odd rates such as 8001 Hz), a
 *    256-phase table with linear interpolation between rows (about twice the work per output).
 * Tables are designed once per rate pair, in resample-design.ts; the last 8 pairs are kept.
 *
 * Trade-offs for 48 → 16 kHz. Cost is in tap pairs (one multiply, two adds) per 16 kHz output sample; time
 * is for 3 s of mono (144 000 → 48 000 samples), best of 300 runs with Node 22 on the 2-core development VM:
 *
 *   kernel / half-band dB | pairs per output | worst alias | speech-like SNR | time
 *   40 / 50               | 24.5             | −38.5 dB    | 47 dB           | 2.4 ms
 *   50 / 60               | 32.5             | −50.2 dB    | 69 dB           | 3.0 ms
 *   60 / 75               | 40.5             | −59.7 dB    | 77 dB           | 3.5 ms
 *   65 / 80 (used)        | 43.5             | −64.7 dB    | 82 dB           | 3.7 ms
 *   80 / 90               | 54.5             | −80.3 dB    | 98 dB           | 4.6 ms
 *
 * That is about 0.65 ms of fixed cost plus 1.5 ns per tap pair. A single-stage kernel would need 120
 * unfolded taps per output for 65 dB, about three times the work. Under 1 ms would mean about 5 pairs per
 * output, which no 7.2 / 8.8 kHz design reaches in plain JavaScript. 44.1 kHz costs more (5.1 ms: its
 * 320-phase kernel cannot fold); 16 kHz input costs nothing.
 *
 * WebAssembly SIMD (optional; core/kernels/resample-kernels.ts, registered with `useResampleKernels` by
 * the Worker at start-up, and in Node by scripts that load it with core/kernels/load-node.ts) runs the
 * same plans and tables with f32x4. The half-band and symmetric kernels compute four outputs of one phase per
 * vector, from the input split into `down` streams so that the samples those outputs need at one tap are
 * adjacent; the polyphase rows run along the taps. Sums are f32, so outputs differ from these loops by at
 * most about 3e-7 relative RMS. Best of 300 for 3 s of mono, same VM (load average 4–5 from training jobs):
 *
 *   from       | 48 kHz  | 44.1 kHz | 22.05 kHz | 96 kHz  | 192 kHz | 8 kHz
 *   TypeScript | 3.7 ms  | 5.1 ms   | 3.8 ms    | 5.0 ms  | 7.8 ms  | 1.8 ms
 *   wasm       | 0.44 ms | 0.59 ms  | 0.42 ms   | 0.61 ms | 1.2 ms  | 0.17 ms
 *
 * Inputs too long for the kernels' 16 MiB (over about 1.2 M samples) go to them in overlapping pieces
 * (`resampleInPieces`), with the same outputs.
 */

import {
  INTERPOLATED_PHASES,
  pieceGeometry,
  planFor,
  type ResamplePlan,
  type SharpKernel,
} from './resample-design.ts';
import { downmixPcm16 } from './wav.ts';

/**
 * Work buffers are reused across calls up to this many samples (4 MB each): fresh multi-megabyte typed arrays
 * cost as much as the filtering itself (page faults, GC pressure). Longer inputs get one-off buffers, so a
 * long clip does not pin its memory.
 */
const MAX_SCRATCH_SAMPLES = 1 << 20;

/**
 * Faster implementations of the filter loops, injected because this module stays free of platform APIs
 * (core/kernels/resample-kernels.ts wraps the WebAssembly SIMD ones). `resample` must write exactly
 * what this module's own loops would, up to float rounding, into `output` (whose length is the output length)
 * and return true; it returns false when it cannot take this call (too long for its memory), and the
 * TypeScript loops run instead.
 */
export interface ResampleKernels {
  resample(plan: ResamplePlan, signal: Float32Array, output: Float32Array): boolean;
  /** As `resample` on the mean of the channels of interleaved 16-bit PCM (wav.ts's `downmixPcm16`). */
  resamplePcm16(plan: ResamplePlan, interleaved: Int16Array, channels: number, output: Float32Array): boolean;
}

let kernels: ResampleKernels | null = null;
/** `padded`: a stage's zero-padded input. `stage`: a half-band stage's output, the next stage's input. */
const scratch = { padded: new Float32Array(0), stage: new Float32Array(0) };

/**
 * Makes every later `resample` call use `accelerated` (null: this module's TypeScript loops, the default and
 * the reference). Process-wide, like tfjs's kernel registry: the Worker sets it at start-up.
 */
export function useResampleKernels(accelerated: ResampleKernels | null): void {
  kernels = accelerated;
}

/**
 * Resamples `signal` from `fromRate` to `toRate` (positive integers, Hz), low-pass filtered at the lower
 * Nyquist frequency. Output length is round(n · toRate / fromRate). Equal rates return an exact copy.
 * Samples beyond both ends are taken as zero.
 */
export function resample(signal: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  if (fromRate === toRate) return signal.slice();
  const outputLength = Math.round((signal.length * toRate) / fromRate);
  const plan = planFor(fromRate, toRate);
  const output = new Float32Array(outputLength);
  const accelerated = kernels;
  if (
    accelerated?.resample(plan, signal, output) ||
    (accelerated &&
      resampleInPieces(plan, signal.length, output, (from, to, piece) =>
        accelerated.resample(plan, signal.subarray(from, to), piece),
      ))
  ) {
    return output;
  }
  resampleLoops(plan, signal, output);
  return output;
}

/**
 * `signal` (at the plan's source rate) resampled into `output`, whose length says how many outputs to write:
 * the kernels when registered and able to take the call, else this module's loops.
 */
export function resampleWithPlan(plan: ResamplePlan, signal: Float32Array, output: Float32Array): void {
  if (kernels?.resample(plan, signal, output)) return;
  resampleLoops(plan, signal, output);
}

function resampleLoops(plan: ResamplePlan, signal: Float32Array, output: Float32Array): void {
  const { halfBands, kernel } = plan;
  let current = signal;
  for (const coefficients of halfBands) current = halve(current, coefficients);
  if (!kernel) output.set(current.subarray(0, output.length));
  else if (kernel.kind === 'symmetric') filterSymmetric(current, output, kernel);
  else filterRows(current, output, kernel);
}

/**
 * The mean of the channels of interleaved 16-bit PCM (wav.ts's `downmixPcm16`), resampled from `fromRate` to
 * `toRate` as {@link resample} does it. With kernels registered, both happen in one call in their memory:
 * the mono signal at the source rate (576 kB for 3 s at 48 kHz) never exists as a JS array.
 */
export function resamplePcm16(
  interleaved: Int16Array,
  channels: number,
  fromRate: number,
  toRate: number,
): Float32Array {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  const frames = interleaved.length / channels;
  if (!(Number.isInteger(channels) && channels > 0 && Number.isInteger(frames))) {
    throw new RangeError(
      `resamplePcm16: expected whole frames of ${channels} channels, got ${interleaved.length} samples`,
    );
  }
  const accelerated = kernels;
  if (fromRate !== toRate && accelerated) {
    const output = new Float32Array(Math.round((frames * toRate) / fromRate));
    const plan = planFor(fromRate, toRate);
    if (
      accelerated.resamplePcm16(plan, interleaved, channels, output) ||
      resampleInPieces(plan, frames, output, (from, to, piece) =>
        accelerated.resamplePcm16(
          plan,
          interleaved.subarray(from * channels, to * channels),
          channels,
          piece,
        ),
      )
    ) {
      return output;
    }
  }
  const mono = new Float32Array(frames);
  downmixPcm16(interleaved, channels, mono);
  return fromRate === toRate ? mono : resample(mono, fromRate, toRate);
}

/** Inputs too long for one kernel call go to the kernels in pieces of about this many samples. */
const PIECE_SAMPLES = 1 << 19;

/**
 * One long call as several on overlapping pieces of the input, so that the kernels' memory stays that of a
 * piece: `run(from, to, piece)` resamples input samples [from, to) into `piece`, and each piece's own outputs
 * are copied into `output`. Pieces start on a multiple of the plan's period (the input samples after which the
 * half-band stages and the sharp kernel's phases repeat) and reach past both ends of their own outputs by at
 * least the filters' span, so every output is computed from the same samples, with the same taps, as in one
 * call. False as soon as `run` declines a piece (the TypeScript loops then do the whole call).
 */
function resampleInPieces(
  plan: ResamplePlan,
  length: number,
  output: Float32Array,
  run: (from: number, to: number, piece: Float32Array) => boolean,
): boolean {
  const { period, outputsPerPeriod, margin } = pieceGeometry(plan);
  const step = Math.max(1, Math.round(PIECE_SAMPLES / period)) * period;
  // One piece would be the call the kernels just declined (e.g. more channels than they take).
  if (length <= step) return false;
  for (let start = 0; start < length; start += step) {
    const first = (start / period) * outputsPerPeriod;
    const end = Math.min(output.length, ((start + step) / period) * outputsPerPeriod);
    if (first >= end) continue;
    const from = Math.max(0, start - margin);
    const skipped = first - (from / period) * outputsPerPeriod;
    const piece = new Float32Array(skipped + end - first);
    if (!run(from, Math.min(length, start + step + margin), piece)) return false;
    output.set(piece.subarray(skipped), first);
  }
  return true;
}

/**
 * Half-band decimation by 2. A half-band filter's even taps are zero except the centre (½), so each output
 * costs one multiply per pair of odd taps; `coefficients[j]` is the tap at offsets ±(2j + 1).
 */
function halve(signal: Float32Array, coefficients: Float32Array): Float32Array {
  const pairs = coefficients.length;
  const margin = 2 * pairs + 1;
  const input = zeroPadded(signal, margin, margin + 2);
  const length = Math.ceil(signal.length / 2);
  // May reuse the buffer `signal` lives in: it has just been copied into `input`.
  const output = scratchBuffer('stage', length).subarray(0, length);
  // Two outputs per pass, centred on c and c + 2. The sample the second needs at offset -(2j + 1) is the one
  // the first needed at offset -(2j - 1), so each input sample is loaded once for both.
  for (let m = 0; m < output.length; m += 2) {
    const c = margin + 2 * m;
    let first = 0.5 * input[c];
    let second = 0.5 * input[c + 2];
    let right = input[c + 1];
    let previousLeft = right;
    for (let j = 0; j < pairs; j++) {
      const left = input[c - 2 * j - 1];
      const nextRight = input[c + 2 * j + 3];
      const tap = coefficients[j];
      first += tap * (left + right);
      second += tap * (previousLeft + nextRight);
      previousLeft = left;
      right = nextRight;
    }
    output[m] = first;
    if (m + 1 < output.length) output[m + 1] = second;
  }
  return output;
}

function filterSymmetric(
  signal: Float32Array,
  output: Float32Array,
  kernel: Extract<SharpKernel, { kind: 'symmetric' }>,
): void {
  const { up, down, centre, pairs, rows } = kernel;
  const margin = pairs + 1;
  const input = zeroPadded(signal, margin, margin + 2 * down + 2);
  // Outputs n and n + up have the same phase and lie `down` input samples apart: computing them together
  // shares every coefficient load.
  for (let start = 0; start < output.length; start += 2 * up) {
    for (let n = start; n < start + up && n < output.length; n++) {
      const index = margin + Math.floor((n * down) / up);
      // Phase 0: centre tap plus pairs around it. Phase ½: pairs around the midpoint of index and index + 1.
      const halfPhase = (n * down) % up !== 0;
      const row = halfPhase ? pairs : 0;
      const left = halfPhase ? index : index - 1;
      const right = index + 1;
      let first = halfPhase ? 0 : centre * input[index];
      let second = halfPhase ? 0 : centre * input[index + down];
      for (let m = 0; m < pairs; m++) {
        const tap = rows[row + m];
        first += tap * (input[left - m] + input[right + m]);
        second += tap * (input[left + down - m] + input[right + down + m]);
      }
      output[n] = first;
      if (n + up < output.length) output[n + up] = second;
    }
  }
}

function filterRows(
  signal: Float32Array,
  output: Float32Array,
  kernel: Extract<SharpKernel, { kind: 'phases' | 'interpolated' }>,
): void {
  const { up, down, reach, taps, rows } = kernel;
  const interpolated = kernel.kind === 'interpolated';
  const input = zeroPadded(signal, reach - 1, taps + Math.ceil(down / up) + 1);
  let index = 0;
  let phase = 0;
  for (let n = 0; n < output.length; n++) {
    let row: number;
    let weight = 0;
    if (interpolated) {
      const position = (phase * INTERPOLATED_PHASES) / up;
      const lower = Math.floor(position);
      weight = position - lower;
      row = lower * taps;
    } else {
      row = phase * taps;
    }
    // Four accumulators: a single running sum is bound by floating-point add latency.
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let k = 0; k < taps; k += 4) {
      a0 += rows[row + k] * input[index + k];
      a1 += rows[row + k + 1] * input[index + k + 1];
      a2 += rows[row + k + 2] * input[index + k + 2];
      a3 += rows[row + k + 3] * input[index + k + 3];
    }
    let value = a0 + a1 + a2 + a3;
    if (interpolated) {
      const next = row + taps;
      let b0 = 0;
      let b1 = 0;
      for (let k = 0; k < taps; k += 2) {
        b0 += rows[next + k] * input[index + k];
        b1 += rows[next + k + 1] * input[index + k + 1];
      }
      value += weight * (b0 + b1 - value);
    }
    output[n] = value;
    phase += down;
    if (phase >= up) {
      const carry = Math.floor(phase / up);
      index += carry;
      phase -= carry * up;
    }
  }
}

/**
 * A copy with `before` and `after` zeros around it (in a reused buffer that may be longer), so filter loops
 * need no bounds checks at the ends.
 */
function zeroPadded(signal: Float32Array, before: number, after: number): Float32Array {
  const end = before + signal.length;
  const padded = scratchBuffer('padded', end + after);
  padded.fill(0, 0, before);
  padded.set(signal, before);
  padded.fill(0, end, end + after);
  return padded;
}

function scratchBuffer(slot: keyof typeof scratch, length: number): Float32Array {
  if (scratch[slot].length >= length) return scratch[slot];
  const buffer = new Float32Array(length);
  if (length <= MAX_SCRATCH_SAMPLES) scratch[slot] = buffer;
  return buffer;
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new RangeError(`resample: expected ${name} to be a positive integer in Hz, got ${rate}`);
  }
}
