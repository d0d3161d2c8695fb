// Resampler hot loops in WebAssembly SIMD. core/audio/resample-design.ts designs the filters, core/audio/resample.ts
// documents them and stays the reference; ../resample-kernels.ts is the JS face that lays out memory and calls these per stage.
//
// Buffers are f32 at byte addresses in this memory. Every stage reads exactly x[0 … n), takes samples beyond
// both ends as zero (it pads its own copy in `scratch`, sized by its *Scratch function) and writes exactly
// out[0 … outLength). Sums run in f32 (the TS path sums in f64): outputs agree within about 3e-7 relative
// RMS.

export function heapBase(): usize {
  return __heap_base;
}

// Outputs per block of the folded kernel: four vectors share each coefficient and offset load.
const BLOCK = 16;

// @ts-ignore: decorator
@inline function roundUp(value: i32, multiple: i32): i32 {
  return (value + multiple - 1) / multiple * multiple;
}

// Floor division (offsets before the output are negative).
// @ts-ignore: decorator
@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// ---------------------------------------------------------------------------------------------------------
// Folded kernel: half-band stages and the symmetric sharp kernel. Output n sits at input position
// n · down / up with up ≤ 2, so the outputs of one phase (n = up·q, or n = 2q + 1 for phase ½) are `down`
// input samples apart. Split into `down` streams (stream r holds x[k·down + r]), the samples one tap needs for
// four consecutive q are adjacent in one stream: a plain vector load.
//
// `terms` lists each phase's tap pairs as 16-byte records {f32 tap, i32 left, i32 right, unused}: output q of
// the phase adds tap · (x[q·down + left] + x[q·down + right]), after `centre` · x[q·down] for phase 0. Phase 0
// has `count0` records, then phase ½ (up = 2 only) has `count1`.

// Scratch layout of one folded call, in bytes from `scratch` unless noted (globals: the stub runtime's
// allocator would place objects where the JS face keeps its buffers).
let perPhase = 0; // outputs computed per phase, a multiple of BLOCK
let front = 0; // zeros before each stream, in samples
let streamLength = 0; // samples per stream, zeros included
let offsetsAt: usize = 0; // the records with byte offsets into the streams
let phase0At: usize = 0; // phase 0 outputs, then phase ½ outputs
let phase1At: usize = 0;
let scratchBytes: usize = 0;

function foldedLayout(outLength: i32, up: i32, down: i32, terms: usize, count: i32): void {
  let lowest = 0;
  let highest = 0;
  for (let t = 0; t < count; t++) {
    const record = terms + (<usize>t << 4);
    lowest = min(lowest, load<i32>(record, 4));
    highest = max(highest, load<i32>(record, 8));
  }
  perPhase = roundUp((outLength + up - 1) / up, BLOCK);
  front = roundUp((down - 1 - lowest) / down, 4);
  streamLength = roundUp(front + perPhase + highest / down + 1, 4);
  offsetsAt = <usize>down * <usize>streamLength * 4;
  phase0At = offsetsAt + (<usize>count << 4);
  phase1At = phase0At + <usize>perPhase * 4;
  scratchBytes = phase1At + (up == 2 ? <usize>perPhase * 4 : 0);
}

export function foldedScratch(outLength: i32, up: i32, down: i32, terms: usize, count0: i32, count1: i32): usize {
  foldedLayout(outLength, up, down, terms, count0 + count1);
  return scratchBytes;
}

export function folded(
  x: usize, n: i32, out: usize, outLength: i32, up: i32, down: i32, centre: f32,
  terms: usize, count0: i32, count1: i32, scratch: usize,
): void {
  const count = count0 + count1;
  foldedLayout(outLength, up, down, terms, count);
  const streamBytes = <usize>streamLength * 4;
  const origin = scratch + <usize>front * 4;
  splitStreams(x, n, down, scratch, front, streamLength);
  // Sample offsets → byte offsets from a phase's output q within the streams.
  const offsets = scratch + offsetsAt;
  for (let t = 0; t < count; t++) {
    const record = terms + (<usize>t << 4);
    const left = load<i32>(record, 4);
    const right = load<i32>(record, 8);
    const target = offsets + (<usize>t << 4);
    store<f32>(target, load<f32>(record));
    store<i32>(target, streamOffset(left, down, streamBytes), 4);
    store<i32>(target, streamOffset(right, down, streamBytes), 8);
  }
  const phase0 = scratch + phase0At;
  foldedPhase(origin, offsets, count0, true, centre, phase0, perPhase);
  if (up == 1) {
    memory.copy(out, phase0, <usize>outLength * 4);
    return;
  }
  const phase1 = scratch + phase1At;
  // Phase ½ sits (down − 1) / 2 samples further on: its records' offsets include that.
  foldedPhase(origin, offsets + (<usize>count0 << 4), count1, false, 0, phase1, perPhase);
  interleave(phase0, phase1, out, outLength);
}

// @ts-ignore: decorator
@inline function streamOffset(offset: i32, down: i32, streamBytes: usize): i32 {
  const k = floorDiv(offset, down);
  return (offset - k * down) * <i32>streamBytes + k * 4;
}

// Stream r of `down` streams: `front` zeros, then x[r], x[r + down], …, then zeros to `length` samples.
function splitStreams(x: usize, n: i32, down: i32, streams: usize, front: i32, length: i32): void {
  const streamBytes = <usize>length * 4;
  for (let r = 0; r < down; r++) {
    const stream = streams + <usize>r * streamBytes;
    const present = min(n > r ? (n - r + down - 1) / down : 0, length - front);
    memory.fill(stream, 0, <usize>front * 4);
    const body = stream + <usize>front * 4;
    if (down == 1) {
      memory.copy(body, x, <usize>present * 4);
    } else if (down == 2) {
      // The half-band case: split pairs with shuffles, eight samples at a time.
      let k = 0;
      const from = x + <usize>r * 4;
      for (; k + 4 <= present && (k + 4) * 2 + r <= n; k += 4) {
        const a = v128.load(from + (<usize>k << 3));
        const b = v128.load(from + (<usize>k << 3), 16);
        v128.store(body + (<usize>k << 2), v128.shuffle<f32>(a, b, 0, 2, 4, 6));
      }
      for (; k < present; k++) store<f32>(body + (<usize>k << 2), load<f32>(from + (<usize>k << 3)));
    } else {
      const step = <usize>down * 4;
      let from = x + <usize>r * 4;
      for (let k = 0; k < present; k++) {
        store<f32>(body + (<usize>k << 2), load<f32>(from));
        from += step;
      }
    }
    memory.fill(body + <usize>present * 4, 0, <usize>(length - front - present) * 4);
  }
}

// One phase, BLOCK outputs at a time, into `phase`.
// Offsets may be negative: u32 addition wraps them into place.
function foldedPhase(
  origin: usize, records: usize, count: i32, hasCentre: bool, centre: f32, phase: usize, outputs: i32,
): void {
  const c = f32x4.splat(centre);
  const zero = f32x4.splat(0);
  const end = records + (<usize>count << 4);
  for (let q = 0; q < outputs; q += BLOCK) {
    const at = origin + (<usize>q << 2);
    let a0 = hasCentre ? f32x4.mul(c, v128.load(at)) : zero;
    let a1 = hasCentre ? f32x4.mul(c, v128.load(at, 16)) : zero;
    let a2 = hasCentre ? f32x4.mul(c, v128.load(at, 32)) : zero;
    let a3 = hasCentre ? f32x4.mul(c, v128.load(at, 48)) : zero;
    for (let record = records; record < end; record += 16) {
      const tap = v128.load32_splat(record);
      const left = at + <usize>load<i32>(record, 4);
      const right = at + <usize>load<i32>(record, 8);
      a0 = f32x4.add(a0, f32x4.mul(tap, f32x4.add(v128.load(left), v128.load(right))));
      a1 = f32x4.add(a1, f32x4.mul(tap, f32x4.add(v128.load(left, 16), v128.load(right, 16))));
      a2 = f32x4.add(a2, f32x4.mul(tap, f32x4.add(v128.load(left, 32), v128.load(right, 32))));
      a3 = f32x4.add(a3, f32x4.mul(tap, f32x4.add(v128.load(left, 48), v128.load(right, 48))));
    }
    const to = phase + (<usize>q << 2);
    v128.store(to, a0);
    v128.store(to, a1, 16);
    v128.store(to, a2, 32);
    v128.store(to, a3, 48);
  }
}

// out[2q] = even[q], out[2q + 1] = odd[q].
function interleave(even: usize, odd: usize, out: usize, outLength: i32): void {
  let q = 0;
  for (; 2 * q + 8 <= outLength; q += 4) {
    const a = v128.load(even + (<usize>q << 2));
    const b = v128.load(odd + (<usize>q << 2));
    const to = out + (<usize>q << 3);
    v128.store(to, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
    v128.store(to, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
  }
  for (; 2 * q < outLength; q++) {
    store<f32>(out + (<usize>q << 3), load<f32>(even + (<usize>q << 2)));
    if (2 * q + 1 < outLength) store<f32>(out + (<usize>q << 3), load<f32>(odd + (<usize>q << 2)), 4);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rows kernel: the exact polyphase table (`phases` = 0) or the interpolated one (`phases` rows on a grid,
// plus one). `rows` holds rows of `taps` (a multiple of 4) taps; tap k of the row for output n multiplies
// x[index + k − (reach − 1)], where index = floor(n · down / up). Vectors run along the taps.

export function rowsScratch(n: i32, taps: i32, reach: i32, up: i32, down: i32): usize {
  return <usize>roundUp(reach - 1 + n + taps + (down + up - 1) / up + 1, 4) * 4;
}

export function rows(
  x: usize, n: i32, out: usize, outLength: i32, table: usize, taps: i32, reach: i32, up: i32, down: i32,
  phases: i32, scratch: usize,
): void {
  const front = <usize>(reach - 1) * 4;
  memory.fill(scratch, 0, front);
  memory.copy(scratch + front, x, <usize>n * 4);
  const end = rowsScratch(n, taps, reach, up, down);
  memory.fill(scratch + front + <usize>n * 4, 0, end - front - <usize>n * 4);

  const rowBytes = <usize>taps * 4;
  // The walk of the TS path without a division per output: index + phase / up advances by down / up.
  const whole = down / up;
  const rest = down % up;
  let at = scratch;
  let phase = 0;
  if (phases == 0) {
    for (let o = 0; o < outLength; o++) {
      const value = dot(table + <usize>phase * rowBytes, at, rowBytes);
      store<f32>(out + (<usize>o << 2), value);
      phase += rest;
      at += <usize>whole * 4;
      if (phase >= up) {
        phase -= up;
        at += 4;
      }
    }
    return;
  }
  // Grid position phase · phases / up = lower + fraction / up, advanced in integers alongside the phase.
  const stride = <i64>rest * <i64>phases;
  const lowerStep = <i32>(stride / <i64>up);
  const fractionStep = <i32>(stride % <i64>up);
  const inverseUp = 1.0 / <f64>up;
  let lower = 0;
  let fraction = 0;
  for (let o = 0; o < outLength; o++) {
    const row = table + <usize>lower * rowBytes;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    let k: usize = 0;
    for (; k + 32 <= rowBytes; k += 32) {
      const x0 = v128.load(at + k);
      const x1 = v128.load(at + k, 16);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(row + k), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(row + k, 16), x1));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(row + rowBytes + k), x0));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(row + rowBytes + k, 16), x1));
    }
    if (k < rowBytes) {
      const x0 = v128.load(at + k);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(row + k), x0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(row + rowBytes + k), x0));
    }
    const value = sum(f32x4.add(a0, a1));
    const weight = <f32>(<f64>fraction * inverseUp);
    store<f32>(out + (<usize>o << 2), value + weight * (sum(f32x4.add(b0, b1)) - value));
    phase += rest;
    lower += lowerStep;
    fraction += fractionStep;
    if (fraction >= up) {
      fraction -= up;
      lower++;
    }
    at += <usize>whole * 4;
    if (phase >= up) {
      phase -= up;
      lower -= phases;
      at += 4;
    }
  }
}

// Σ row[k] · x[k] over `bytes` / 4 taps (a multiple of 4), in two vector accumulators.
// @ts-ignore: decorator
@inline function dot(row: usize, x: usize, bytes: usize): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(row + k), v128.load(x + k)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(row + k, 16), v128.load(x + k, 16)));
  }
  if (k < bytes) a0 = f32x4.add(a0, f32x4.mul(v128.load(row + k), v128.load(x + k)));
  return sum(f32x4.add(a0, a1));
}

// @ts-ignore: decorator
@inline function sum(v: v128): f32 {
  const pairs = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(pairs, v128.shuffle<f32>(pairs, pairs, 1, 0, 3, 2)), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Decoding's 16-bit PCM → f32 step: `frames` interleaved frames of `channels` (1 or 2) i16 samples at `from`
// to their mean, as f32 at `to`. Exact, as in core/audio/wav.ts: a sample (or the sum of a stereo pair)
// times a power of two is representable in f32.
export function downmixPcm16(from: usize, frames: i32, channels: i32, to: usize): void {
  let frame = 0;
  if (channels == 1) {
    const scale = f32x4.splat(1.0 / 32768);
    for (; frame + 8 <= frames; frame += 8) {
      const pcm = v128.load(from + (<usize>frame << 1));
      const at = to + (<usize>frame << 2);
      v128.store(at, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(pcm)), scale));
      v128.store(at, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(pcm)), scale), 16);
    }
    for (; frame < frames; frame++) {
      store<f32>(to + (<usize>frame << 2), <f32>load<i16>(from + (<usize>frame << 1)) * (1.0 / 32768));
    }
    return;
  }
  const scale = f32x4.splat(1.0 / 65536);
  for (; frame + 4 <= frames; frame += 4) {
    // Four frames: their left + right sums as i32, then scaled.
    const sums = i32x4.extadd_pairwise_i16x8_s(v128.load(from + (<usize>frame << 2)));
    v128.store(to + (<usize>frame << 2), f32x4.mul(f32x4.convert_i32x4_s(sums), scale));
  }
  for (; frame < frames; frame++) {
    const at = from + (<usize>frame << 2);
    const sum = <i32>load<i16>(at) + <i32>load<i16>(at, 2);
    store<f32>(to + (<usize>frame << 2), <f32>sum * (1.0 / 65536));
  }
}
