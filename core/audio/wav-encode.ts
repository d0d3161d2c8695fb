/** Sample encodings a RIFF/WAVE file can carry that this project writes (and reads). */
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export interface EncodeWavOptions {
  /** Sample encoding; default 16-bit PCM. */
  encoding?: WavEncoding;
  /** Write a WAVE_FORMAT_EXTENSIBLE header instead of the plain one. */
  extensible?: boolean;
}

const BYTES_PER_SAMPLE: Record<WavEncoding, number> = {
  pcm8: 1,
  pcm16: 2,
  pcm24: 3,
  pcm32: 4,
  float32: 4,
  float64: 8,
};

/**
 * Encodes planar channels (each a Float32Array in [-1, 1]) as a RIFF/WAVE file.
 * Used by the demo recorder to send clips and by the tests to make audio in every encoding.
 */
export function encodeWav(
  channels: Float32Array | readonly Float32Array[],
  sampleRate: number,
  options: EncodeWavOptions = {},
): Uint8Array {
  const planes = channels instanceof Float32Array ? [channels] : channels;
  if (planes.length === 0) throw new RangeError('encodeWav: expected at least one channel, got 0');
  const frames = planes[0].length;
  if (planes.some((plane) => plane.length !== frames)) {
    throw new RangeError('encodeWav: expected every channel to have the same length');
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`encodeWav: expected a positive integer sample rate, got ${sampleRate}`);
  }
  const encoding = options.encoding ?? 'pcm16';
  const extensible = options.extensible ?? false;
  const bytesPerSample = BYTES_PER_SAMPLE[encoding];
  const isFloat = encoding === 'float32' || encoding === 'float64';
  const blockAlign = bytesPerSample * planes.length;
  const dataBytes = blockAlign * frames;
  const fmtBytes = extensible ? 40 : isFloat ? 18 : 16;
  const header = 12 + 8 + fmtBytes + 8;
  const out = new Uint8Array(header + dataBytes + (dataBytes % 2));
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  };

  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtBytes, true);
  const formatCode = isFloat ? 0x0003 : 0x0001;
  view.setUint16(20, extensible ? 0xfffe : formatCode, true);
  view.setUint16(22, planes.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  if (fmtBytes > 16) view.setUint16(36, fmtBytes - 18, true);
  if (extensible) {
    view.setUint16(38, bytesPerSample * 8, true); // valid bits per sample
    view.setUint32(40, 0, true); // channel mask: unspecified
    // Sub-format GUID: the format code followed by the fixed KSDATAFORMAT suffix.
    view.setUint16(44, formatCode, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
  }
  ascii(header - 8, 'data');
  view.setUint32(header - 4, dataBytes, true);

  let offset = header;
  for (let frame = 0; frame < frames; frame++) {
    for (const plane of planes) {
      const x = Math.max(-1, Math.min(1, plane[frame]));
      switch (encoding) {
        case 'pcm8':
          view.setUint8(offset, Math.round(x * 127) + 128);
          break;
        case 'pcm16':
          view.setInt16(offset, Math.round(x * 32767), true);
          break;
        case 'pcm24': {
          const v = Math.round(x * 8388607);
          view.setUint8(offset, v & 0xff);
          view.setUint8(offset + 1, (v >> 8) & 0xff);
          view.setUint8(offset + 2, (v >> 16) & 0xff);
          break;
        }
        case 'pcm32':
          view.setInt32(offset, Math.round(x * 2147483647), true);
          break;
        case 'float32':
          view.setFloat32(offset, plane[frame], true);
          break;
        case 'float64':
          view.setFloat64(offset, plane[frame], true);
          break;
      }
      offset += bytesPerSample;
    }
  }
  return out;
}
