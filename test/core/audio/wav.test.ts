import { describe, expect, it } from 'vitest';
import {
  decodeWav,
  decodeWavMono,
  downmixPcm16,
  readPcm16,
  readWavInfo,
  WavError,
  type WavErrorCode,
} from '../../../core/audio/wav.ts';
import { encodeWav, type WavEncoding } from '../../../core/audio/wav-encode.ts';
import { createRandom } from '../../../training/random.ts';

const ENCODINGS: readonly WavEncoding[] = ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];
const BITS: Record<WavEncoding, number> = {
  pcm8: 8,
  pcm16: 16,
  pcm24: 24,
  pcm32: 32,
  float32: 32,
  float64: 64,
};

/** Deterministic channels that hit -1, 0 and +1 and differ from each other. */
function testChannels(count: number, frames: number): Float32Array[] {
  return Array.from({ length: count }, (_, c) => {
    const channel = Float32Array.from(
      { length: frames },
      (_, i) => 0.999 * Math.sin((i * (c + 1)) / 5.7 + c),
    );
    channel.set([-1, 0, 1], 0);
    return channel;
  });
}

/** A RIFF chunk; `size` overrides the declared size, `pad: false` leaves out the pad byte after odd bodies. */
interface Chunk {
  id: string;
  body: Uint8Array;
  size?: number;
  pad?: boolean;
}

function chunk(
  id: string,
  body: Uint8Array | number[] = [],
  options: { size?: number; pad?: boolean } = {},
): Chunk {
  return { id, body: Uint8Array.from(body), ...options };
}

function riff(chunks: readonly Chunk[], { magic = 'RIFF', form = 'WAVE' } = {}): Uint8Array {
  const parts: number[] = [...ascii(magic), 0, 0, 0, 0, ...ascii(form)];
  for (const { id, body, size = body.length, pad = true } of chunks) {
    parts.push(...ascii(id), ...uint32(size), ...body);
    if (pad && body.length % 2 === 1) parts.push(0);
  }
  const bytes = Uint8Array.from(parts);
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  return bytes;
}

/** The chunks encodeWav wrote (fmt, then data). */
function chunksOf(wav: Uint8Array): { fmt: Chunk; data: Chunk } {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const found: Record<string, Chunk> = {};
  for (let offset = 12; offset + 8 <= wav.length; ) {
    const id = String.fromCharCode(...wav.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    found[id] = chunk(id, wav.slice(offset + 8, offset + 8 + size));
    offset += 8 + size + (size % 2);
  }
  return { fmt: found['fmt '], data: found.data };
}

/** A copy of `bytes` with `edit` applied through a DataView. */
function patched(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

const ascii = (text: string) => Array.from(text, (ch) => ch.charCodeAt(0));
const uint32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];

/** 16-bit stereo at 16 kHz, 8 frames. fmt body starts at byte 20, data size at 40, samples at 44. */
const STEREO16 = encodeWav(testChannels(2, 8), 16000);
/** float32 stereo, 8 frames: fmt is 18 bytes, so samples start at 46. */
const STEREO_FLOAT = encodeWav(testChannels(2, 8), 16000, { encoding: 'float32' });
const FMT = { formatCode: 20, channels: 22, sampleRate: 24, blockAlign: 32, bitsPerSample: 34 } as const;

function errorOf(action: () => unknown): WavError {
  try {
    action();
  } catch (error) {
    if (error instanceof WavError) return error;
    throw new Error(`expected a WavError, got ${String(error)}`);
  }
  throw new Error('expected a WavError, got no error');
}

describe('decodeWav round trip', () => {
  const cases = ENCODINGS.flatMap((encoding) =>
    [8000, 44100, 192000].flatMap((rate) =>
      [1, 2, 6].flatMap((channels) =>
        [false, true].map((extensible) => ({ encoding, rate, channels, extensible })),
      ),
    ),
  );

  it.each(cases)(
    '$encoding, $rate Hz, $channels ch, extensible $extensible',
    ({ encoding, rate, channels, extensible }) => {
      const frames = 101; // odd, so 8-bit and 24-bit mono data chunks need a pad byte
      const original = testChannels(channels, frames);
      const decoded = decodeWav(encodeWav(original, rate, { encoding, extensible }));

      const isFloat = encoding.startsWith('float');
      expect(decoded.info).toEqual({
        formatCode: extensible ? 0xfffe : isFloat ? 3 : 1,
        formatName: `${isFloat ? 'IEEE float' : 'PCM'}${extensible ? ' (extensible)' : ''}`,
        sampleRate: rate,
        channels,
        bitsPerSample: BITS[encoding],
        frames,
        durationSeconds: frames / rate,
      });
      expect(decoded.channels).toHaveLength(channels);
      if (isFloat) {
        expect(decoded.channels).toEqual(original);
        return;
      }
      // The encoder rounds x · (2^(b-1) - 1) (half a step off at most); the decoder divides by 2^(b-1)
      // (|x| of a step more): together within 1.5 quantisation steps.
      const tolerance = 1.5 / 2 ** (BITS[encoding] - 1);
      for (let c = 0; c < channels; c++) {
        const worst = Math.max(...original[c].map((x, i) => Math.abs(x - decoded.channels[c][i])));
        expect(worst, `channel ${c}`).toBeLessThanOrEqual(tolerance);
        expect(Math.max(...decoded.channels[c].map(Math.abs))).toBeLessThanOrEqual(1);
      }
    },
  );

  it('scales integer PCM by 2^(bits-1): the most negative code is exactly -1', () => {
    const pcm16 = patched(STEREO16, (view) => view.setInt16(44, -32768, true));
    expect(decodeWav(pcm16).channels[0][0]).toBe(-1);
    // 24-bit samples start at byte 44, least significant byte first: 00 00 80 is -2^23.
    const pcm24 = encodeWav(new Float32Array([0]), 16000, { encoding: 'pcm24' });
    expect(decodeWav(patched(pcm24, (view) => view.setUint8(46, 0x80))).channels[0][0]).toBe(-1);
    const pcm8 = patched(encodeWav(new Float32Array([0, 0]), 16000, { encoding: 'pcm8' }), (view) =>
      view.setUint8(44, 0),
    );
    expect(decodeWav(pcm8).channels[0][0]).toBe(-1);
  });

  it('keeps float samples outside [-1, 1] as they are, up to ±1000', () => {
    const loud = Float32Array.from([1.5, -2.25, 0.5]);
    expect(decodeWav(encodeWav(loud, 16000, { encoding: 'float32' })).channels[0]).toEqual(loud);
    const wav64 = encodeWav(new Float32Array(3), 16000, { encoding: 'float64' });
    const values = patched(wav64, (view) => view.setFloat64(46, 900, true));
    expect(decodeWav(values).channels[0][0]).toBe(900);
  });

  it.each(['pcm16', 'pcm24', 'float32'] as const)(
    'reads %s from an ArrayBuffer and from an odd-offset view into a larger buffer',
    (encoding) => {
      const wav = encodeWav(testChannels(2, 50), 22050, { encoding });
      const expected = decodeWav(wav).channels;
      expect(decodeWav(wav.slice().buffer).channels).toEqual(expected);
      const host = new Uint8Array(wav.length + 7);
      host.set(wav, 3);
      const unaligned = host.subarray(3, 3 + wav.length);
      expect(decodeWav(unaligned).channels).toEqual(expected);
      expect(decodeWavMono(unaligned).samples).toEqual(decodeWavMono(wav).samples);
    },
  );

  it('rejects input that is not bytes with a TypeError', () => {
    expect(() => decodeWav('RIFF' as unknown as Uint8Array)).toThrow(
      /expected a Uint8Array or ArrayBuffer, got \[object String\]/,
    );
  });
});

describe('readWavInfo', () => {
  it('matches decodeWav’s info', () => {
    const wav = encodeWav(testChannels(6, 1000), 48000, { encoding: 'pcm24', extensible: true });
    expect(readWavInfo(wav)).toEqual(decodeWav(wav).info);
    expect(readWavInfo(wav).durationSeconds).toBeCloseTo(1000 / 48000, 12);
  });

  it('does not decode samples: a NaN in the data passes the header check', () => {
    const withNaN = patched(STEREO_FLOAT, (view) => view.setFloat32(46, Number.NaN, true));
    expect(readWavInfo(withNaN).frames).toBe(8);
    expect(errorOf(() => decodeWav(withNaN)).code).toBe('non_finite_sample');
  });
});

describe('decodeWavMono', () => {
  const cases = ENCODINGS.flatMap((encoding) => [2, 3, 6].map((channels) => ({ encoding, channels })));

  it.each(cases)(
    'is the mean of decodeWav’s channels for $encoding, $channels channels',
    ({ encoding, channels: count }) => {
      const wav = encodeWav(testChannels(count, 300), 44100, { encoding });
      const { info, channels } = decodeWav(wav);
      const mono = decodeWavMono(wav);
      expect(mono.info).toEqual(info);
      const mean = (i: number) => channels.reduce((sum, channel) => sum + channel[i], 0) / count;
      const worst = Math.max(...mono.samples.map((x, i) => Math.abs(x - mean(i))));
      expect(worst).toBeLessThan(1e-6); // float32 rounding of the partial sums
    },
  );

  it('returns the only channel of a mono file exactly', () => {
    const wav = encodeWav(testChannels(1, 300), 16000, { encoding: 'pcm24' });
    expect(decodeWavMono(wav).samples).toEqual(decodeWav(wav).channels[0]);
  });

  it('rejects what decodeWav rejects', () => {
    const withNaN = patched(STEREO_FLOAT, (view) => view.setFloat32(50, Number.NaN, true));
    expect(errorOf(() => decodeWavMono(withNaN)).message).toBe(
      'expected finite float samples, got NaN at frame 0 of channel 1',
    );
    expect(errorOf(() => decodeWavMono(STEREO16.slice(0, 50))).code).toBe('size_mismatch');
  });
});

describe('readPcm16 and downmixPcm16', () => {
  it.each([1, 2, 3])('give what decodeWavMono gives for 16-bit PCM, %i channel(s)', (count) => {
    const wav = encodeWav(testChannels(count, 301), 48000);
    const pcm = readPcm16(wav);
    expect(pcm?.info).toEqual(readWavInfo(wav));
    expect(pcm?.interleaved).toHaveLength(301 * count);
    const mono = new Float32Array(301).fill(5);
    downmixPcm16(pcm?.interleaved ?? new Int16Array(0), count, mono);
    expect(mono).toEqual(decodeWavMono(wav).samples);
  });

  it('read samples that start at an odd byte offset (after an odd-sized chunk) through an aligned copy', () => {
    const { fmt, data } = chunksOf(encodeWav(testChannels(2, 50), 16000));
    const wav = riff([fmt, chunk('bext', [1, 2, 3], { pad: false }), data]);
    const pcm = readPcm16(wav);
    expect(pcm?.interleaved.byteOffset).toBe(0);
    const mono = new Float32Array(50);
    downmixPcm16(pcm?.interleaved ?? new Int16Array(0), 2, mono);
    expect(mono).toEqual(decodeWavMono(wav).samples);
  });

  it('leave other encodings to decodeWavMono, and reject what it rejects', () => {
    expect(readPcm16(encodeWav(testChannels(2, 10), 16000, { encoding: 'pcm24' }))).toBeNull();
    expect(readPcm16(STEREO_FLOAT)).toBeNull();
    expect(errorOf(() => readPcm16(STEREO16.slice(0, 50))).code).toBe('size_mismatch');
  });

  it('refuse a frame count the samples do not make up', () => {
    expect(() => downmixPcm16(new Int16Array(5), 2, new Float32Array(2))).toThrow(
      'downmixPcm16: expected 2 frames of 2 channels, got 5 samples',
    );
  });
});

describe('chunk layout', () => {
  const original = testChannels(2, 33);
  const { fmt, data } = chunksOf(encodeWav(original, 16000));
  const expected = decodeWav(encodeWav(original, 16000)).channels;

  it.each([
    ['LIST before fmt', [chunk('LIST', ascii('INFOISFT\x05\x00\x00\x00test\x00\x00')), fmt, data]],
    ['fact between fmt and data', [fmt, chunk('fact', uint32(33)), data]],
    ['cue and LIST after data', [fmt, data, chunk('cue ', uint32(0)), chunk('LIST', ascii('adtl'))]],
    ['fmt after data', [data, chunk('JUNK', [1, 2, 3, 4]), fmt]],
    ['odd-sized chunks with their pad bytes', [chunk('abcd', [1, 2, 3]), fmt, chunk('wxyz', [9]), data]],
    ['odd-sized chunk without its pad byte', [fmt, chunk('bext', [1, 2, 3], { pad: false }), data]],
    ['empty chunks', [chunk('JUNK'), fmt, chunk('PAD '), chunk('JUNK'), data]],
    ['a second fmt chunk (the first wins)', [fmt, chunk('fmt ', new Uint8Array(16)), data]],
  ])('reads %s', (_, chunks) => {
    expect(decodeWav(riff(chunks)).channels).toEqual(expected);
  });

  it('ignores a wrong RIFF size field and anything after the data chunk', () => {
    const wav = riff([fmt, data]);
    const wrongSize = patched(wav, (view) => view.setUint32(4, 12345, true));
    const trailing = new Uint8Array([...wav, 0xde, 0xad, 0xbe, 0xef, 0xff]);
    expect(decodeWav(wrongSize).channels).toEqual(expected);
    expect(decodeWav(trailing).channels).toEqual(expected);
  });

  it('ignores the data chunk’s odd pad byte being absent at the end of the file', () => {
    const mono8 = encodeWav(Float32Array.from([0.5, -0.5, 0.25]), 8000, { encoding: 'pcm8' });
    expect(mono8.length % 2).toBe(0);
    const decoded = decodeWav(mono8.subarray(0, mono8.length - 1));
    expect(decoded.info.frames).toBe(3);
    expect(decoded.channels[0][2]).toBeCloseTo(0.25, 2);
  });

  it.each([0, 0xffffffff])('reads a streamed data size of %i to the end, whole frames only', (marker) => {
    const streamed = riff([fmt, chunk('data', data.body, { size: marker })]);
    expect(decodeWav(streamed).channels).toEqual(expected);
    // Two stray bytes: not a whole 4-byte stereo frame, so they are dropped.
    const ragged = new Uint8Array([...streamed, 1, 2]);
    expect(readWavInfo(ragged).frames).toBe(33);
    expect(decodeWav(ragged).channels).toEqual(expected);
    const both = patched(streamed, (view) => view.setUint32(4, 0xffffffff, true));
    expect(decodeWav(both).channels).toEqual(expected);
  });

  it('drops a trailing partial frame of a declared data size', () => {
    const ragged = riff([fmt, chunk('data', [...data.body, 7, 7, 7])]);
    expect(decodeWav(ragged).channels).toEqual(expected);
  });
});

describe('malformed files', () => {
  const { fmt, data } = chunksOf(STEREO16);
  const fmtWith = (offset: number, value: number, bytes = 2) =>
    patched(STEREO16, (view) =>
      bytes === 2 ? view.setUint16(offset, value, true) : view.setUint32(offset, value, true),
    );
  const extensible = encodeWav(testChannels(1, 4), 16000, { extensible: true });
  const subFormatAt = 20 + 24;

  const cases: readonly [string, Uint8Array, WavErrorCode, RegExp][] = [
    ['no bytes at all', new Uint8Array(0), 'empty', /expected a RIFF\/WAVE file, got 0 bytes/],
    [
      'an Ogg file',
      Uint8Array.from([...ascii('OggS'), 0, 2, ...new Array(30).fill(0)]),
      'not_riff',
      /got "OggS".*Ogg/,
    ],
    ['a WebM recording', Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 1, 0, 0, 0]), 'not_riff', /"\\x1A.*WebM/],
    ['an MP3 with an ID3 tag', Uint8Array.from([...ascii('ID3'), 4, 0, 0, 0, 0, 0, 0]), 'not_riff', /MP3/],
    ['a bare MP3 frame', Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0]), 'not_riff', /MP3/],
    ['big-endian RIFX', riff([fmt, data], { magic: 'RIFX' }), 'not_riff', /"RIFX".*big-endian/],
    ['an RF64 file', riff([fmt, data], { magic: 'RF64' }), 'not_riff', /RF64/],
    ['random text', Uint8Array.from(ascii('hello world, not audio')), 'not_riff', /got "hell"$/],
    [
      'a RIFF AVI',
      riff([], { form: 'AVI ' }),
      'not_wave',
      /expected RIFF form type "WAVE" at byte 8, got "AVI "/,
    ],
    ['a header cut at 8 bytes', STEREO16.slice(0, 8), 'truncated', /12-byte RIFF header, got 8 bytes/],
    ['a header cut at 2 bytes', STEREO16.slice(0, 2), 'truncated', /got 2 bytes/],
    [
      'a file cut inside fmt',
      STEREO16.slice(0, 30),
      'truncated',
      /chunk "fmt " at byte 12 declares 16 bytes but only 10/,
    ],
    [
      'a 14-byte fmt chunk',
      riff([chunk('fmt ', fmt.body.slice(0, 14)), data]),
      'truncated',
      /at least 16 bytes, got 14/,
    ],
    [
      'an extensible fmt chunk cut to 18 bytes',
      riff([chunk('fmt ', chunksOf(extensible).fmt.body.slice(0, 18)), data]),
      'truncated',
      /WAVE_FORMAT_EXTENSIBLE fmt chunk of at least 40 bytes, got 18/,
    ],
    [
      'a LIST chunk claiming more bytes than the file',
      riff([chunk('LIST', [1, 2, 3, 4], { size: 5000 }), fmt, data]),
      'truncated',
      /chunk "LIST" at byte 12 declares 5000 bytes but only \d+ remain/,
    ],
    [
      'a chunk size that would wrap a 32-bit offset',
      riff([chunk('JUNK', [0, 0], { size: 0xfffffff0 }), fmt, data]),
      'truncated',
      /declares 4294967280 bytes/,
    ],
    [
      'no fmt chunk',
      riff([chunk('LIST', [0, 0]), data]),
      'missing_fmt',
      /expected a "fmt " chunk, found chunks: "LIST", "data"/,
    ],
    ['no chunks at all', riff([]), 'missing_fmt', /found chunks: none/],
    [
      'no data chunk',
      riff([fmt, chunk('LIST', [0, 0])]),
      'missing_data',
      /expected a "data" chunk, found chunks: "fmt ", "LIST"/,
    ],
    [
      'MPEG Layer III',
      fmtWith(FMT.formatCode, 0x55),
      'unsupported_format',
      /format code 0x0055 \(MPEG Layer III\) is not supported/,
    ],
    ['Microsoft ADPCM', fmtWith(FMT.formatCode, 0x02), 'unsupported_format', /0x0002 \(Microsoft ADPCM\)/],
    [
      'A-law',
      fmtWith(FMT.formatCode, 0x06),
      'unsupported_format',
      /0x0006 \(A-law\).*expected PCM \(0x0001\)/,
    ],
    ['µ-law', fmtWith(FMT.formatCode, 0x07), 'unsupported_format', /0x0007 \(µ-law\)/],
    ['an unknown format code', fmtWith(FMT.formatCode, 0x1234), 'unsupported_format', /0x1234 \(unknown\)/],
    [
      'extensible with an A-law sub-format',
      patched(extensible, (view) => view.setUint16(subFormatAt, 0x06, true)),
      'unsupported_format',
      /WAVE_FORMAT_EXTENSIBLE sub-format 0x0006 \(A-law\)/,
    ],
    [
      'extensible with a foreign sub-format GUID',
      patched(extensible, (view) => view.setUint32(subFormatAt + 4, 0xd3110721, true)),
      'unsupported_format',
      /sub-format \{00000001-0721-d311-8000-00aa00389b71\} is not supported; expected PCM \{00000001-/,
    ],
    ['zero channels', fmtWith(FMT.channels, 0), 'bad_channels', /expected at least 1 channel, got 0/],
    [
      'a 4 kHz rate',
      fmtWith(FMT.sampleRate, 4000, 4),
      'bad_sample_rate',
      /from 8000 to 192000 Hz, got 4000 Hz/,
    ],
    ['a 384 kHz rate', fmtWith(FMT.sampleRate, 384000, 4), 'bad_sample_rate', /got 384000 Hz/],
    [
      '12-bit PCM',
      fmtWith(FMT.bitsPerSample, 12),
      'unsupported_bit_depth',
      /expected 8, 16, 24 or 32 bits per sample for PCM, got 12/,
    ],
    [
      '16-bit float',
      patched(STEREO_FLOAT, (view) => view.setUint16(FMT.bitsPerSample, 16, true)),
      'unsupported_bit_depth',
      /expected 32 or 64 bits per sample for IEEE float, got 16/,
    ],
    [
      'an inconsistent block align',
      fmtWith(FMT.blockAlign, 3),
      'bad_block_align',
      /expected block align 4 \(2 channels × 2 bytes\), got 3/,
    ],
    [
      'a data chunk cut short',
      STEREO16.slice(0, 44 + 20),
      'size_mismatch',
      /data chunk declares 32 bytes but only 20 follow it \(file cut short\?\).*0 or 0xFFFFFFFF/,
    ],
    [
      'a data chunk with no samples',
      riff([fmt, chunk('data')]),
      'empty',
      /4-byte frame of samples, got a 0-byte data chunk/,
    ],
    [
      'a data chunk shorter than one frame',
      riff([fmt, chunk('data', [1, 2, 3])]),
      'empty',
      /got a 3-byte data chunk/,
    ],
  ];

  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it.each(cases)('rejects %s', (_, bytes, code, message) => {
    const error = errorOf(() => decodeWav(bytes));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.name).toBe('WavError');
    // Everything here is visible in the header, so the cheap check already catches it.
    expect(errorOf(() => readWavInfo(bytes)).code).toBe(code);
  });

  const finite = (label: string) => `expected finite float samples, got ${label} at frame 3 of channel 1`;
  const inRange = (value: number) =>
    `expected float samples within ±1000 (full scale is ±1), got ${value} at frame 3 of channel 1`;
  it.each([
    [Number.NaN, 'float32', 'non_finite_sample', finite('NaN')],
    [Number.POSITIVE_INFINITY, 'float32', 'non_finite_sample', finite('Infinity')],
    [Number.NEGATIVE_INFINITY, 'float64', 'non_finite_sample', finite('-Infinity')],
    [3.2e37, 'float32', 'sample_out_of_range', inRange(Math.fround(3.2e37))],
    [-1e300, 'float64', 'sample_out_of_range', inRange(-1e300)],
    [1000.5, 'float32', 'sample_out_of_range', inRange(1000.5)],
  ] as const)('rejects a %s sample (%s), naming where it is', (value, encoding, code, message) => {
    const wav = encodeWav(testChannels(2, 8), 16000, { encoding });
    const bad = patched(wav, (view) =>
      encoding === 'float32'
        ? view.setFloat32(46 + 3 * 8 + 4, value, true)
        : view.setFloat64(46 + 3 * 16 + 8, value, true),
    );
    const error = errorOf(() => decodeWav(bad));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('stops on a flood of empty chunks and lists only the first few', () => {
    const flood = riff([fmt, ...Array.from({ length: 50_000 }, () => chunk('JUNK'))]);
    const error = errorOf(() => decodeWav(flood));
    expect(error.code).toBe('missing_data');
    expect(error.message).toMatch(/found chunks: "fmt ", "JUNK", .* and 49993 more$/);
  });
});

describe('robustness', () => {
  const { fmt, data } = chunksOf(encodeWav(testChannels(2, 20), 16000, { encoding: 'pcm24' }));
  const wav = riff([chunk('LIST', [1, 2, 3]), fmt, chunk('fact', uint32(20)), data, chunk('cue ', [0, 0])]);

  it('throws only WavErrors for every truncation of a file', () => {
    for (let length = 0; length < wav.length; length++) {
      try {
        decodeWav(wav.subarray(0, length));
      } catch (error) {
        expect(error, `cut at ${length} bytes`).toBeInstanceOf(WavError);
      }
    }
  });

  it('throws only WavErrors, or decodes, for thousands of random corruptions', () => {
    const random = createRandom(20261122);
    const codes = new Set<string>();
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = wav.slice();
      // Corrupt the header region most of the time: that is where the parser makes decisions.
      for (let edits = 1 + random.int(4); edits > 0; edits--) {
        bytes[random.int(random.next() < 0.8 ? 60 : bytes.length)] = random.int(256);
      }
      try {
        const { info, channels } = decodeWav(bytes);
        expect(channels).toHaveLength(info.channels);
        codes.add('decoded');
      } catch (error) {
        if (!(error instanceof WavError))
          throw new Error(`trial ${trial}: expected a WavError, got ${error}`);
        codes.add(error.code);
      }
    }
    expect(codes.size).toBeGreaterThan(5);
  });
});
