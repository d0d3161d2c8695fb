/**
 * A small FLAC writer for the tests, written from RFC 9639 independently of the decoder: it makes the streams the
 * flac CLI never writes (variable block sizes, escaped residual partitions, every channel assignment on demand,
 * 33-bit side channels, unknown lengths, explicit sample-rate codes) and streams that lie in chosen ways.
 * Values are chosen by the caller, not by compression: any predictor gives a valid stream, only a larger one.
 */

export type Assignment = 'independent' | 'left/side' | 'right/side' | 'mid/side';

export interface SubframePlan {
  type: 'constant' | 'verbatim' | 'fixed' | 'lpc';
  /** FIXED order 0–4 or LPC order 1–32 (default: 2 for FIXED; the coefficient count for LPC). */
  order?: number;
  /** LPC: quantised coefficients, newest sample first. */
  coefficients?: readonly number[];
  /** LPC: coefficient precision in bits, 1–15 (default 15). */
  precision?: number;
  /** LPC: right shift of the prediction, 0–15. */
  shift?: number;
  /** Wasted bits: the samples are written shifted right by this much (they must be divisible by 2^wasted). */
  wasted?: number;
  /** Rice parameter width: 4 (method 0) or 5 (method 1). Default 4. */
  riceBits?: 4 | 5;
  /** Residual partition order (default 0), lowered for blocks it does not divide. */
  partitionOrder?: number;
  /** Write every residual partition escaped (raw two's complement of the width needed; 0 bits when all zero). */
  escape?: boolean;
}

export interface FramePlan {
  assignment?: Assignment;
  /** One plan for every channel, or one per channel. Default FIXED order 2. */
  subframes?: SubframePlan | readonly SubframePlan[];
}

export interface FlacWriterOptions {
  sampleRate: number;
  bitsPerSample: number;
  /** Block sizes in order; the last one repeats until the samples run out (the final block may be shorter). */
  blockSizes?: readonly number[];
  /** Variable block size stream: frame headers carry sample numbers. Default false. */
  variable?: boolean;
  /** STREAMINFO total samples to write (default: the real count; 0 means unknown). */
  totalSamples?: number;
  /** Per frame: channel assignment and subframe types. */
  plan?: (frame: number) => FramePlan;
  /**
   * How frame headers give the sample rate: 'streaminfo' (code 0), 'table' (codes 1–11 when the rate has one,
   * else as 'hz'), 'khz' (12), 'hz' (13), 'tens' (14). Default 'table'.
   */
  rateCode?: 'streaminfo' | 'table' | 'khz' | 'hz' | 'tens';
  /** Frame headers give the bit depth as code 0 (from STREAMINFO) instead of its table code. Default false. */
  bitsFromStreamInfo?: boolean;
  /** Extra metadata blocks (type, body) after STREAMINFO. */
  metadata?: readonly { type: number; body: Uint8Array }[];
  /** Receives the byte offset of every frame in the stream. */
  frameOffsets?: number[];
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private count = 0;

  /** Writes the low `n` bits of an integer (n ≤ 40; negative values as two's complement). */
  bits(value: number, n: number): void {
    const unsigned = value < 0 ? value + 2 ** n : value;
    if (!(unsigned >= 0 && unsigned < 2 ** n && Number.isInteger(unsigned))) {
      throw new RangeError(`BitWriter: ${value} does not fit ${n} bits`);
    }
    for (let bit = n - 1; bit >= 0; bit--) this.bit(Math.floor(unsigned / 2 ** bit) % 2);
  }

  bit(value: number): void {
    this.current = (this.current << 1) | value;
    if (++this.count === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.count = 0;
    }
  }

  unary(zeros: number): void {
    for (let i = 0; i < zeros; i++) this.bit(0);
    this.bit(1);
  }

  align(): void {
    while (this.count !== 0) this.bit(0);
  }

  byteLength(): number {
    return this.bytes.length;
  }

  toBytes(): Uint8Array {
    if (this.count !== 0) throw new Error('BitWriter: not byte-aligned');
    return Uint8Array.from(this.bytes);
  }
}

export function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const TABLE_RATES = new Map([
  [88200, 1],
  [176400, 2],
  [192000, 3],
  [8000, 4],
  [16000, 5],
  [22050, 6],
  [24000, 7],
  [32000, 8],
  [44100, 9],
  [48000, 10],
  [96000, 11],
]);
const BITS_CODES = new Map([
  [8, 1],
  [12, 2],
  [16, 4],
  [20, 5],
  [24, 6],
  [32, 7],
]);
const ASSIGNMENT_CODES: Record<Exclude<Assignment, 'independent'>, number> = {
  'left/side': 8,
  'right/side': 9,
  'mid/side': 10,
};

/** The UTF-8-like coding of frame and sample numbers (up to 36 bits). */
export function codedNumber(value: number): number[] {
  if (value < 0x80) return [value];
  // n bytes: a lead byte of n one bits, a zero and 7 - n value bits, then n - 1 bytes 10xxxxxx.
  for (let n = 2; n <= 7; n++) {
    if (value < 2 ** (7 - n + 6 * (n - 1))) {
      const tail: number[] = [];
      let rest = value;
      for (let i = 0; i < n - 1; i++) {
        tail.unshift(0x80 | (rest % 64));
        rest = Math.floor(rest / 64);
      }
      return [((0xff << (8 - n)) & 0xff) | rest, ...tail];
    }
  }
  throw new RangeError(`codedNumber: ${value} needs more than 36 bits`);
}

function blockSizeCode(size: number): { code: number; extra: number[] } {
  if (size === 192) return { code: 1, extra: [] };
  for (let k = 0; k < 4; k++) if (size === 576 << k) return { code: 2 + k, extra: [] };
  for (let k = 0; k < 8; k++) if (size === 256 << k) return { code: 8 + k, extra: [] };
  if (size <= 256) return { code: 6, extra: [size - 1] };
  return { code: 7, extra: [(size - 1) >> 8, (size - 1) & 0xff] };
}

function rateCode(rate: number, how: FlacWriterOptions['rateCode']): { code: number; extra: number[] } {
  const table = TABLE_RATES.get(rate);
  switch (how ?? 'table') {
    case 'streaminfo':
      return { code: 0, extra: [] };
    case 'table':
      if (table !== undefined) return { code: table, extra: [] };
      return { code: 13, extra: [rate >> 8, rate & 0xff] };
    case 'khz':
      return { code: 12, extra: [rate / 1000] };
    case 'hz':
      return { code: 13, extra: [rate >> 8, rate & 0xff] };
    case 'tens':
      return { code: 14, extra: [(rate / 10) >> 8, (rate / 10) & 0xff] };
  }
}

const zigzag = (value: number) => (value >= 0 ? 2 * value : -2 * value - 1);

/** Signed bits needed for every value (at least 1). */
function signedBits(values: readonly number[]): number {
  let bits = 1;
  for (const value of values) while (value < -(2 ** (bits - 1)) || value > 2 ** (bits - 1) - 1) bits++;
  return bits;
}

function writeResidual(out: BitWriter, residual: readonly number[], order: number, plan: SubframePlan): void {
  const riceBits = plan.riceBits ?? 4;
  const blockSize = residual.length + order;
  // The order asked for, lowered where the block does not split into that many parts (e.g. a short last block).
  let partitionOrder = plan.partitionOrder ?? 0;
  while (
    partitionOrder > 0 &&
    (blockSize % 2 ** partitionOrder !== 0 || blockSize / 2 ** partitionOrder < order)
  ) {
    partitionOrder--;
  }
  out.bits(riceBits === 4 ? 0 : 1, 2);
  out.bits(partitionOrder, 4);
  const partitions = 2 ** partitionOrder;
  const per = blockSize / partitions;
  if (per < order) throw new RangeError('writeResidual: block shorter than the predictor order');
  let at = 0;
  for (let p = 0; p < partitions; p++) {
    const part = residual.slice(at, at + (p === 0 ? per - order : per));
    at += part.length;
    const escapeCode = riceBits === 4 ? 15 : 31;
    if (plan.escape) {
      out.bits(escapeCode, riceBits);
      const bits = part.every((value) => value === 0) ? 0 : signedBits(part);
      out.bits(bits, 5);
      for (const value of part) if (bits > 0) out.bits(value, bits);
      continue;
    }
    const mean = part.length === 0 ? 0 : part.reduce((sum, value) => sum + zigzag(value), 0) / part.length;
    const parameter = Math.min(escapeCode - 1, Math.max(0, Math.floor(Math.log2(mean + 1))));
    out.bits(parameter, riceBits);
    for (const value of part) {
      const u = zigzag(value);
      out.unary(Math.floor(u / 2 ** parameter));
      if (parameter > 0) out.bits(u % 2 ** parameter, parameter);
    }
  }
}

const FIXED: readonly (readonly number[])[] = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

function writeSubframe(out: BitWriter, samples: readonly number[], bits: number, plan: SubframePlan): void {
  const wasted = plan.wasted ?? 0;
  const values = samples.map((value) => {
    if (value % 2 ** wasted !== 0)
      throw new RangeError(`writeSubframe: ${value} has fewer than ${wasted} wasted bits`);
    return value / 2 ** wasted;
  });
  const effective = bits - wasted;
  const typeCode =
    plan.type === 'constant'
      ? 0
      : plan.type === 'verbatim'
        ? 1
        : plan.type === 'fixed'
          ? 8 + (plan.order ?? 2)
          : 31 + (plan.order ?? plan.coefficients?.length ?? 1);
  out.bit(0);
  out.bits(typeCode, 6);
  if (wasted > 0) {
    out.bit(1);
    out.unary(wasted - 1);
  } else out.bit(0);

  if (plan.type === 'constant') {
    if (values.some((value) => value !== values[0])) throw new RangeError('writeSubframe: not constant');
    out.bits(values[0], effective);
    return;
  }
  if (plan.type === 'verbatim') {
    for (const value of values) out.bits(value, effective);
    return;
  }
  const coefficients = plan.type === 'fixed' ? FIXED[plan.order ?? 2] : (plan.coefficients ?? [1]);
  const order = coefficients.length;
  const shift = plan.type === 'fixed' ? 0 : (plan.shift ?? 0);
  for (let i = 0; i < order; i++) out.bits(values[i], effective);
  if (plan.type === 'lpc') {
    const precision = plan.precision ?? 15;
    out.bits(precision - 1, 4);
    out.bits(shift, 5);
    for (const coefficient of coefficients) out.bits(coefficient, precision);
  }
  const residual: number[] = [];
  for (let i = order; i < values.length; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += coefficients[j] * values[i - 1 - j];
    residual.push(values[i] - Math.floor(sum / 2 ** shift));
  }
  writeResidual(out, residual, order, plan);
}

/** A FLAC stream of integer channels (each sample within `bitsPerSample` signed bits). */
export function writeFlac(channels: readonly (readonly number[])[], options: FlacWriterOptions): Uint8Array {
  const { sampleRate, bitsPerSample } = options;
  const total = channels[0].length;
  const blockSizes = options.blockSizes ?? [4096];
  const parts: Uint8Array[] = [];

  // Frames first: STREAMINFO wants their sizes.
  const frames: Uint8Array[] = [];
  let start = 0;
  for (let index = 0; start < total; index++) {
    const size = Math.min(blockSizes[Math.min(index, blockSizes.length - 1)], total - start);
    const plan = options.plan?.(index) ?? {};
    const assignment = plan.assignment ?? 'independent';
    const header = new BitWriter();
    header.bits(0x3ffe, 14);
    header.bit(0);
    header.bit(options.variable ? 1 : 0);
    const block = blockSizeCode(size);
    const rate = rateCode(sampleRate, options.rateCode);
    header.bits(block.code, 4);
    header.bits(rate.code, 4);
    header.bits(assignment === 'independent' ? channels.length - 1 : ASSIGNMENT_CODES[assignment], 4);
    header.bits(options.bitsFromStreamInfo ? 0 : (BITS_CODES.get(bitsPerSample) ?? 0), 3);
    header.bit(0);
    for (const byte of codedNumber(options.variable ? start : index)) header.bits(byte, 8);
    for (const byte of [...block.extra, ...rate.extra]) header.bits(byte, 8);
    const headerBytes = header.toBytes();

    const body = new BitWriter();
    const blocks = channels.map((channel) => channel.slice(start, start + size));
    let coded: { samples: number[]; bits: number }[] = blocks.map((samples) => ({
      samples,
      bits: bitsPerSample,
    }));
    if (assignment !== 'independent') {
      const [left, right] = blocks;
      const side = left.map((value, i) => value - right[i]);
      const mid = left.map((value, i) => Math.floor((value + right[i]) / 2));
      coded =
        assignment === 'left/side'
          ? [
              { samples: left, bits: bitsPerSample },
              { samples: side, bits: bitsPerSample + 1 },
            ]
          : assignment === 'right/side'
            ? [
                { samples: side, bits: bitsPerSample + 1 },
                { samples: right, bits: bitsPerSample },
              ]
            : [
                { samples: mid, bits: bitsPerSample },
                { samples: side, bits: bitsPerSample + 1 },
              ];
    }
    coded.forEach(({ samples, bits }, c) => {
      const plans = plan.subframes ?? { type: 'fixed', order: 2 };
      const subframe = Array.isArray(plans) ? plans[c] : (plans as SubframePlan);
      writeSubframe(body, samples, bits, subframe);
    });
    body.align();
    const bodyBytes = body.toBytes();
    const frame = new Uint8Array(headerBytes.length + 1 + bodyBytes.length + 2);
    frame.set(headerBytes, 0);
    frame[headerBytes.length] = crc8(headerBytes);
    frame.set(bodyBytes, headerBytes.length + 1);
    const crc = crc16(frame.subarray(0, frame.length - 2));
    frame[frame.length - 2] = crc >> 8;
    frame[frame.length - 1] = crc & 0xff;
    frames.push(frame);
    start += size;
  }

  const info = new BitWriter();
  const sizes = frames.map((frame) => frame.length);
  info.bits(Math.min(...blockSizes, 65535), 16);
  info.bits(Math.min(Math.max(...blockSizes), 65535), 16);
  info.bits(Math.min(...sizes), 24);
  info.bits(Math.max(...sizes), 24);
  info.bits(sampleRate, 20);
  info.bits(channels.length - 1, 3);
  info.bits(bitsPerSample - 1, 5);
  info.bits(options.totalSamples ?? total, 36);
  for (let i = 0; i < 16; i++) info.bits(0, 8);
  const streamInfo = info.toBytes();
  const metadata = [{ type: 0, body: streamInfo }, ...(options.metadata ?? [])];

  parts.push(new TextEncoder().encode('fLaC'));
  metadata.forEach(({ type, body }, i) => {
    const last = i === metadata.length - 1 ? 0x80 : 0;
    parts.push(
      Uint8Array.of(last | type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff),
      body,
    );
  });
  let at = parts.reduce((sum, part) => sum + part.length, 0);
  for (const frame of frames) {
    options.frameOffsets?.push(at);
    at += frame.length;
  }
  parts.push(...frames);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** An ID3v2.4 tag of `size` zero bytes after its 10-byte header. */
export function id3v2(size: number): Uint8Array {
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0], 0);
  for (let i = 0; i < 4; i++) tag[6 + i] = (size >> (7 * (3 - i))) & 0x7f;
  return tag;
}
