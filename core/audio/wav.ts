/**
 * RIFF/WAVE parsing and sample decoding. Pure TypeScript: runs unchanged in Node, workerd and browsers.
 *
 * Reads PCM 8/16/24/32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE with a PCM or float sub-format, any
 * channel count, 8–192 kHz. Everything else fails with a {@link WavError} whose `code` says what went wrong
 * and whose message says what was found and what was expected. `readWavInfo` checks the header only;
 * `decodeWav` returns planar channels; `decodeWavMono` returns their mean without per-channel buffers.
 *
 * What is lenient and what is strict:
 * - The RIFF size field and the fmt byte rate are ignored: writers often get them wrong. They are not needed
 *   to read the samples.
 * - Chunks may come in any order, including fmt after data. Unknown chunks (LIST, fact, cue, JUNK…) are
 *   skipped. Odd-sized chunks are followed by a pad byte. If a writer left the pad byte out, the unpadded
 *   position is used when only it holds a plausible chunk id.
 * - A data size of 0 or 0xFFFFFFFF marks a streamed WAV (the writer did not know the length). Its samples run
 *   to the end of the input.
 * - Any other data size larger than the input is a `size_mismatch` error, not a silent partial read. A file
 *   cut short in transfer should fail loudly instead of being classified from half a clip.
 * - A trailing partial frame is dropped (whole frames only). A WAV with no whole frame is `empty`.
 *
 * Safety: every read is bounds-checked against the input. Nothing is allocated from a declared size before
 * that size has been checked against the bytes actually present. The chunk walk advances at least 8 bytes
 * per chunk, so it always terminates.
 */
import { quote } from './byte-text.ts';
import type { WavEncoding } from './wav-encode.ts';

export type WavErrorCode =
  | 'not_riff'
  | 'not_wave'
  | 'truncated'
  | 'missing_fmt'
  | 'missing_data'
  | 'unsupported_format'
  | 'unsupported_bit_depth'
  | 'bad_channels'
  | 'bad_sample_rate'
  | 'bad_block_align'
  | 'size_mismatch'
  | 'non_finite_sample'
  | 'sample_out_of_range'
  | 'empty';

/** A WAV file this decoder cannot or will not read. `code` is stable; the message is for people. */
export class WavError extends Error {
  readonly code: WavErrorCode;

  constructor(code: WavErrorCode, message: string) {
    super(message);
    this.name = 'WavError';
    this.code = code;
  }
}

/** What the header says about the audio. Frames count only whole frames actually present. */
export interface WavInfo {
  /** The fmt chunk's format tag: 0x0001 PCM, 0x0003 IEEE float, 0xFFFE WAVE_FORMAT_EXTENSIBLE. */
  formatCode: number;
  /** Human-readable format, e.g. `PCM`, `IEEE float (extensible)`. */
  formatName: string;
  sampleRate: number;
  channels: number;
  /** Container size of one sample in bits. */
  bitsPerSample: number;
  frames: number;
  durationSeconds: number;
}

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 192000;

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2–15 of every KSDATAFORMAT_SUBTYPE_* GUID whose first two bytes are a classic format code. */
const KSDATAFORMAT_GUID_SUFFIX = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const STREAMED_SIZE_MARKERS = new Set([0, 0xffffffff]);
const MAX_LISTED_CHUNKS = 8;
/** Typed-array views read in the host's byte order; WAV is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Names for the format codes people actually send, so an error can say what the file is. */
const FORMAT_NAMES = new Map<number, string>([
  [0x0001, 'PCM'],
  [0x0002, 'Microsoft ADPCM'],
  [0x0003, 'IEEE float'],
  [0x0006, 'A-law'],
  [0x0007, 'µ-law'],
  [0x0011, 'IMA ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0040, 'G.721 ADPCM'],
  [0x0050, 'MPEG'],
  [0x0055, 'MPEG Layer III'],
  [0x00ff, 'AAC'],
  [0x0161, 'Windows Media Audio'],
  [0x2000, 'Dolby AC-3'],
  [0x2001, 'DTS'],
  [0xf1ac, 'FLAC'],
  [0xfffe, 'WAVE_FORMAT_EXTENSIBLE'],
]);

/** Signatures of other containers, to say what a non-WAV upload probably is. */
const OTHER_CONTAINERS: readonly { name: string; matches: (bytes: Uint8Array) => boolean }[] = [
  { name: 'big-endian RIFX, which is not supported', matches: (b) => hasAscii(b, 0, 'RIFX') },
  {
    name: 'RF64/BW64 (64-bit WAV), which is not supported',
    matches: (b) => /^(RF64|BW64)$/.test(ascii(b, 0, 4)),
  },
  { name: 'Ogg (Vorbis/Opus) audio', matches: (b) => hasAscii(b, 0, 'OggS') },
  { name: 'FLAC audio', matches: (b) => hasAscii(b, 0, 'fLaC') },
  {
    name: 'WebM/Matroska (e.g. MediaRecorder output)',
    matches: (b) => hasBytes(b, 0, [0x1a, 0x45, 0xdf, 0xa3]),
  },
  { name: 'MP4/M4A audio', matches: (b) => hasAscii(b, 4, 'ftyp') },
  { name: 'AIFF audio', matches: (b) => hasAscii(b, 0, 'FORM') },
  {
    name: 'MP3 audio',
    matches: (b) => hasAscii(b, 0, 'ID3') || (b.length > 1 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0),
  },
];

const BITS_BY_KIND = { pcm: [8, 16, 24, 32], float: [32, 64] } as const;
const KIND_NAMES = { pcm: 'PCM', float: 'IEEE float' } as const;

/** A header parsed and validated down to where the samples are. */
interface ParsedWav {
  info: WavInfo;
  encoding: WavEncoding;
  dataOffset: number;
}

interface FmtChunk {
  formatCode: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  kind: 'pcm' | 'float';
  formatName: string;
}

/** Header only, cheap: lets a server reject a too-long clip before decoding it. */
export function readWavInfo(bytes: Uint8Array | ArrayBuffer): WavInfo {
  return parseWav(toBytes(bytes)).info;
}

/**
 * The samples of a 16-bit PCM WAV as they lie in the file, interleaved (a view when they are 2-byte aligned),
 * for callers that downmix them somewhere faster; null for any other encoding, or on a big-endian host.
 * Throws {@link WavError} for anything that is not a readable WAV, as {@link decodeWavMono} does.
 */
export function readPcm16(
  bytes: Uint8Array | ArrayBuffer,
): { info: WavInfo; interleaved: Int16Array } | null {
  const input = toBytes(bytes);
  const parsed = parseWav(input);
  if (parsed.encoding !== 'pcm16' || !LITTLE_ENDIAN) return null;
  const { info } = parsed;
  return { info, interleaved: pcm16Samples(input, parsed.dataOffset, info.frames * info.channels) };
}

/**
 * The mean of the channels of interleaved 16-bit PCM into `out` (one value per frame), as
 * {@link decodeWavMono} computes it: exact in f32.
 */
export function downmixPcm16(interleaved: Int16Array, channels: number, out: Float32Array): void {
  if (!(Number.isInteger(channels) && channels > 0 && interleaved.length === out.length * channels)) {
    throw new RangeError(
      `downmixPcm16: expected ${out.length} frames of ${channels} channels, got ${interleaved.length} samples`,
    );
  }
  out.fill(0);
  accumulatePcm16(interleaved, new Array(channels).fill(out), 1 / channels);
}

/** Full decode to planar float channels in [-1, 1] (float input keeps its values: finite, within ±MAX_FLOAT_SAMPLE). */
export function decodeWav(bytes: Uint8Array | ArrayBuffer): { info: WavInfo; channels: Float32Array[] } {
  const input = toBytes(bytes);
  const parsed = parseWav(input);
  const channels = Array.from({ length: parsed.info.channels }, () => new Float32Array(parsed.info.frames));
  accumulateSamples(input, parsed, channels, 1);
  return { info: parsed.info, channels };
}

/**
 * Decode straight to the mean of the channels, in one pass and one buffer (no per-channel arrays): what
 * {@link decodeWav} followed by averaging gives, within float32 rounding.
 */
export function decodeWavMono(bytes: Uint8Array | ArrayBuffer): { info: WavInfo; samples: Float32Array } {
  const input = toBytes(bytes);
  const parsed = parseWav(input);
  const samples = new Float32Array(parsed.info.frames);
  accumulateSamples(input, parsed, new Array(parsed.info.channels).fill(samples), 1 / parsed.info.channels);
  return { info: parsed.info, samples };
}

function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  // Tag check rather than instanceof: ArrayBuffers from another realm (workerd, iframes) must pass too.
  if (Object.prototype.toString.call(input) === '[object ArrayBuffer]') return new Uint8Array(input);
  throw new TypeError(`expected a Uint8Array or ArrayBuffer, got ${Object.prototype.toString.call(input)}`);
}

function parseWav(bytes: Uint8Array): ParsedWav {
  if (bytes.length === 0) throw new WavError('empty', 'expected a RIFF/WAVE file, got 0 bytes');
  if (!hasAscii(bytes, 0, 'RIFF'.slice(0, Math.min(4, bytes.length)))) {
    const other = OTHER_CONTAINERS.find((container) => container.matches(bytes));
    const hint = other ? ` (looks like ${other.name}; convert it to WAV first)` : '';
    throw new WavError(
      'not_riff',
      `expected a RIFF/WAVE file starting with "RIFF", got ${quote(bytes, 0)}${hint}`,
    );
  }
  if (bytes.length < 12) {
    throw new WavError('truncated', `expected at least a 12-byte RIFF header, got ${bytes.length} bytes`);
  }
  if (!hasAscii(bytes, 8, 'WAVE')) {
    throw new WavError('not_wave', `expected RIFF form type "WAVE" at byte 8, got ${quote(bytes, 8)}`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seen: string[] = [];
  let chunkCount = 0;
  let fmt: FmtChunk | undefined;
  let data: { offset: number; bytes: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length && !(fmt && data)) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (chunkCount++ < MAX_LISTED_CHUNKS) seen.push(quote(bytes, offset));
    if (id === 'data' && !data) {
      if (STREAMED_SIZE_MARKERS.has(size)) {
        data = { offset: body, bytes: available };
        break; // A streamed data chunk runs to the end of the input: nothing after it is a chunk.
      }
      if (size > available) {
        throw new WavError(
          'size_mismatch',
          `data chunk declares ${size} bytes but only ${available} follow it (file cut short?); expected the ` +
            'whole data chunk (only a size of 0 or 0xFFFFFFFF means "read to the end")',
        );
      }
      data = { offset: body, bytes: size };
    } else if (size > available) {
      throw new WavError(
        'truncated',
        `chunk ${quote(bytes, offset)} at byte ${offset} declares ${size} bytes but only ${available} remain; ` +
          'expected the whole chunk (file cut short or size field corrupt?)',
      );
    } else if (id === 'fmt ' && !fmt) {
      fmt = parseFmt(view, body, size);
    }
    offset = nextChunkOffset(bytes, body, size);
  }

  if (!fmt)
    throw new WavError('missing_fmt', `expected a "fmt " chunk, found chunks: ${list(seen, chunkCount)}`);
  if (!data)
    throw new WavError('missing_data', `expected a "data" chunk, found chunks: ${list(seen, chunkCount)}`);
  const frames = Math.floor(data.bytes / fmt.blockAlign);
  if (frames === 0) {
    throw new WavError(
      'empty',
      `expected at least one ${fmt.blockAlign}-byte frame of samples, got a ${data.bytes}-byte data chunk`,
    );
  }
  return {
    info: {
      formatCode: fmt.formatCode,
      formatName: fmt.formatName,
      sampleRate: fmt.sampleRate,
      channels: fmt.channels,
      bitsPerSample: fmt.bitsPerSample,
      frames,
      durationSeconds: frames / fmt.sampleRate,
    },
    encoding: fmt.kind === 'float' ? (fmt.bitsPerSample === 32 ? 'float32' : 'float64') : pcmEncoding(fmt),
    dataOffset: data.offset,
  };
}

/** Chunks are word-aligned; tolerate writers that skip the pad byte after an odd-sized chunk. */
function nextChunkOffset(bytes: Uint8Array, body: number, size: number): number {
  const unpadded = body + size;
  if (size % 2 === 0) return unpadded;
  const padded = unpadded + 1;
  if (padded + 4 <= bytes.length && !isChunkId(bytes, padded) && isChunkId(bytes, unpadded)) return unpadded;
  return padded;
}

function parseFmt(view: DataView, body: number, size: number): FmtChunk {
  if (size < 16) throw new WavError('truncated', `expected a fmt chunk of at least 16 bytes, got ${size}`);
  const formatCode = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRate = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  const bitsPerSample = view.getUint16(body + 14, true);

  let kind: 'pcm' | 'float';
  let formatName: string;
  if (formatCode === FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new WavError(
        'truncated',
        `expected a WAVE_FORMAT_EXTENSIBLE fmt chunk of at least 40 bytes, got ${size}`,
      );
    }
    const subFormat = view.getUint16(body + 24, true);
    const guidTail = new Uint8Array(view.buffer, view.byteOffset + body + 26, 14);
    if (!KSDATAFORMAT_GUID_SUFFIX.every((byte, i) => guidTail[i] === byte)) {
      throw new WavError(
        'unsupported_format',
        `WAVE_FORMAT_EXTENSIBLE sub-format ${guid(view, body + 24)} is not supported; expected PCM ` +
          '{00000001-0000-0010-8000-00aa00389b71} or IEEE float {00000003-0000-0010-8000-00aa00389b71}',
      );
    }
    kind = classicKind(subFormat, 'WAVE_FORMAT_EXTENSIBLE sub-format');
    formatName = `${KIND_NAMES[kind]} (extensible)`;
  } else {
    kind = classicKind(formatCode, 'format code');
    formatName = KIND_NAMES[kind];
  }

  if (channels === 0) throw new WavError('bad_channels', 'expected at least 1 channel, got 0');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new WavError(
      'bad_sample_rate',
      `expected a sample rate from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${sampleRate} Hz`,
    );
  }
  const allowedBits: readonly number[] = BITS_BY_KIND[kind];
  if (!allowedBits.includes(bitsPerSample)) {
    throw new WavError(
      'unsupported_bit_depth',
      `expected ${allowedBits.join(', ').replace(/, (\d+)$/, ' or $1')} bits per sample for ${formatName}, ` +
        `got ${bitsPerSample}`,
    );
  }
  const bytesPerSample = bitsPerSample / 8;
  if (blockAlign !== channels * bytesPerSample) {
    throw new WavError(
      'bad_block_align',
      `expected block align ${channels * bytesPerSample} (${channels} channel${channels === 1 ? '' : 's'} × ` +
        `${bytesPerSample} byte${bytesPerSample === 1 ? '' : 's'}), got ${blockAlign}`,
    );
  }
  return { formatCode, channels, sampleRate, blockAlign, bitsPerSample, kind, formatName };
}

function classicKind(code: number, what: string): 'pcm' | 'float' {
  if (code === FORMAT_PCM) return 'pcm';
  if (code === FORMAT_FLOAT) return 'float';
  throw new WavError(
    'unsupported_format',
    `${what} ${hex(code)} (${FORMAT_NAMES.get(code) ?? 'unknown'}) is not supported; expected PCM (0x0001), ` +
      'IEEE float (0x0003) or WAVE_FORMAT_EXTENSIBLE (0xFFFE) with one of those',
  );
}

function pcmEncoding(fmt: FmtChunk): WavEncoding {
  return `pcm${fmt.bitsPerSample as 8 | 16 | 24 | 32}`;
}

/**
 * Adds every interleaved little-endian sample, times `weight`, to `targets[channel][frame]`: distinct zeroed
 * targets with weight 1 decode planar channels, one shared target with weight 1 / channels downmixes.
 * Integer PCM is scaled by 2^(bits-1), so it lands in [-1, 1).
 */
function accumulateSamples(
  bytes: Uint8Array,
  parsed: ParsedWav,
  targets: Float32Array[],
  weight: number,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { frames } = parsed.info;
  const count = targets.length;
  let at = parsed.dataOffset;
  switch (parsed.encoding) {
    case 'pcm8': {
      const scale = weight / 128;
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at++) targets[c][frame] += (view.getUint8(at) - 128) * scale;
      }
      return;
    }
    case 'pcm16': {
      if (LITTLE_ENDIAN) {
        accumulatePcm16(pcm16Samples(bytes, at, frames * count), targets, weight);
        return;
      }
      const scale = weight / 32768;
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at += 2) targets[c][frame] += view.getInt16(at, true) * scale;
      }
      return;
    }
    case 'pcm24': {
      const scale = weight / 8388608;
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at += 3) {
          // Three bytes, then shift up and back down to sign-extend from bit 23.
          const raw = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getUint8(at + 2) << 16);
          targets[c][frame] += ((raw << 8) >> 8) * scale;
        }
      }
      return;
    }
    case 'pcm32': {
      const scale = weight / 2147483648;
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at += 4) targets[c][frame] += view.getInt32(at, true) * scale;
      }
      return;
    }
    case 'float32':
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at += 4) {
          targets[c][frame] += plausibleFloat(view.getFloat32(at, true), frame, c) * weight;
        }
      }
      return;
    case 'float64':
      for (let frame = 0; frame < frames; frame++) {
        for (let c = 0; c < count; c++, at += 8) {
          targets[c][frame] += plausibleFloat(view.getFloat64(at, true), frame, c) * weight;
        }
      }
      return;
  }
}

/** The samples as an Int16Array: a view when the data is 2-byte aligned, else an aligned copy. */
function pcm16Samples(bytes: Uint8Array, offset: number, count: number): Int16Array {
  const start = bytes.byteOffset + offset;
  if (start % 2 === 0) return new Int16Array(bytes.buffer, start, count);
  return new Int16Array(bytes.slice(offset, offset + 2 * count).buffer);
}

/**
 * 16-bit PCM is what corpora, the demo and most uploads send: reading it as an Int16Array, with dedicated
 * loops for mono and for a stereo downmix, is about twice as fast as DataView reads.
 */
function accumulatePcm16(samples: Int16Array, targets: Float32Array[], weight: number): void {
  const count = targets.length;
  const scale = weight / 32768;
  if (count === 1) {
    const target = targets[0];
    for (let i = 0; i < target.length; i++) target[i] += samples[i] * scale;
    return;
  }
  if (count === 2 && targets[0] === targets[1]) {
    const target = targets[0];
    for (let frame = 0, at = 0; frame < target.length; frame++, at += 2) {
      target[frame] += (samples[at] + samples[at + 1]) * scale;
    }
    return;
  }
  const frames = targets[0].length;
  for (let frame = 0, at = 0; frame < frames; frame++) {
    for (let c = 0; c < count; c++, at++) targets[c][frame] += samples[at] * scale;
  }
}

/**
 * Float samples past this magnitude (60 dB over full scale) are not audio but a broken writer or garbage: overs
 * of a few dB are common and fine, the front end is level-invariant.
 */
export const MAX_FLOAT_SAMPLE = 1000;

function plausibleFloat(value: number, frame: number, channel: number): number {
  // value - value is 0 for every finite number and NaN for NaN and ±Infinity.
  if (value - value !== 0) {
    throw new WavError(
      'non_finite_sample',
      `expected finite float samples, got ${value} at frame ${frame} of channel ${channel}`,
    );
  }
  if (value > MAX_FLOAT_SAMPLE || value < -MAX_FLOAT_SAMPLE) {
    throw new WavError(
      'sample_out_of_range',
      `expected float samples within ±${MAX_FLOAT_SAMPLE} (full scale is ±1), got ${value} at frame ${frame} of channel ${channel}`,
    );
  }
  return value;
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let text = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  return ascii(bytes, offset, text.length) === text;
}

function hasBytes(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  return expected.every((byte, i) => bytes[offset + i] === byte);
}

/** A chunk id is four printable ASCII characters. */
function isChunkId(bytes: Uint8Array, offset: number): boolean {
  if (offset + 4 > bytes.length) return false;
  for (let i = offset; i < offset + 4; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
}

function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function guid(view: DataView, offset: number): string {
  const part = (from: number, to: number) =>
    Array.from(new Uint8Array(view.buffer, view.byteOffset + offset + from, to - from), (byte) =>
      byte.toString(16).padStart(2, '0'),
    ).join('');
  const data1 = view.getUint32(offset, true).toString(16).padStart(8, '0');
  const data2 = view
    .getUint16(offset + 4, true)
    .toString(16)
    .padStart(4, '0');
  const data3 = view
    .getUint16(offset + 6, true)
    .toString(16)
    .padStart(4, '0');
  return `{${data1}-${data2}-${data3}-${part(8, 10)}-${part(10, 16)}}`;
}

/** The first chunk ids and how many more there were: a hostile file can hold millions of empty chunks. */
function list(shown: readonly string[], total: number): string {
  if (total === 0) return 'none';
  return total > shown.length ? `${shown.join(', ')} and ${total - shown.length} more` : shown.join(', ');
}
