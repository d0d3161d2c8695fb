/**
 * The FLAC decoder against the reference encoder (the flac CLI and sox, at test time, from WAVs made here), against
 * the test writer (flac-writer.ts: stream features the CLI never writes), against ASED and TurEV-DB clips when the
 * shared corpora are present, and against broken input: cut, corrupted, lying.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_RATE, decodeAudio, readAudioInfo } from '../../../core/audio/decode.ts';
import {
  decodeFlac,
  decodeFlacMono,
  FLAC_FORMAT_CODE,
  FlacError,
  type FlacErrorCode,
  isFlac,
  readFlacInfo,
} from '../../../core/audio/flac.ts';
import { resample } from '../../../core/audio/resample.ts';
import { decodeWav, readWavInfo } from '../../../core/audio/wav.ts';
import { createRandom } from '../../../training/random.ts';
import { id3v2, type SubframePlan, writeFlac } from './flac-writer.ts';

const hasFlac = spawnSync('flac', ['--version']).status === 0;
const hasSox = spawnSync('sox', ['--version']).status === 0;
const flacNote = hasFlac ? '' : ' (skipped: the flac CLI is not installed; apt-get install flac)';

const SHARED = process.env.SER_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
const ASED = join(SHARED, 'datasets', 'ased');
const TUREV = join(SHARED, 'datasets', 'turev', 'Sound Source');

let scratch = '';
let fileCount = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'flac-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Integer samples per channel. */
type Channels = Int32Array[];

/** A PCM WAV of integer samples (8-bit as unsigned offset binary, the rest signed little-endian). */
function pcmWav(channels: Channels, sampleRate: number, bits: 8 | 16 | 24 | 32): Uint8Array {
  const bytes = bits / 8;
  const frames = channels[0].length;
  const extensible = channels.length > 2 || bits > 16;
  const fmtSize = extensible ? 40 : 16;
  const dataSize = frames * channels.length * bytes;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + dataSize + (dataSize % 2));
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? 0xfffe : 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels.length * bytes, true);
  view.setUint16(32, channels.length * bytes, true);
  view.setUint16(34, bits, true);
  if (extensible) {
    view.setUint16(36, 22, true);
    view.setUint16(38, bits, true);
    view.setUint32(40, 2 ** channels.length - 1, true); // the first N speaker positions
    view.setUint16(44, 1, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
  }
  const data = 12 + 8 + fmtSize;
  ascii(data, 'data');
  view.setUint32(data + 4, dataSize, true);
  let at = data + 8;
  for (let frame = 0; frame < frames; frame++) {
    for (const channel of channels) {
      const value = channel[frame];
      if (bits === 8) view.setUint8(at, value + 128);
      else if (bits === 16) view.setInt16(at, value, true);
      else if (bits === 24) {
        view.setUint8(at, value & 0xff);
        view.setUint8(at + 1, (value >> 8) & 0xff);
        view.setUint8(at + 2, (value >> 16) & 0xff);
      } else view.setInt32(at, value, true);
      at += bytes;
    }
  }
  return out;
}

/**
 * A test signal that exercises every subframe type: full-scale noise (VERBATIM), a harmonic tone (LPC), the tone
 * on a coarse grid (wasted bits), digital silence (CONSTANT), a low hiss. Extreme values appear at the start.
 * Stereo: the right channel follows the left (so the encoder picks side coding) except in the noise.
 */
function testSignal(frames: number, bits: number, channelCount: number, seed = 1): Channels {
  const random = createRandom(seed);
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  const grid = 2 ** Math.min(4, bits - 2);
  const clamp = (value: number) => Math.max(min, Math.min(max, Math.round(value)));
  const tone = (i: number, c: number) => {
    let value = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) {
      value += Math.sin((2 * Math.PI * 0.011 * (1 + 0.1 * c) * harmonic * i) / (1 + 0.0001 * i)) / harmonic;
    }
    return 0.4 * max * value;
  };
  const channels = Array.from({ length: channelCount }, () => new Int32Array(frames));
  for (let i = 0; i < frames; i++) {
    const at = i / frames;
    for (let c = 0; c < channelCount; c++) {
      let value: number;
      if (at < 0.2) value = min + random.next() * (max - min + 1);
      else if (at < 0.45) value = tone(i, c === 0 ? 0 : 0.3) + (c > 0 ? 30 * random.next() : 0);
      else if (at < 0.75) value = grid * Math.round(tone(i, c) / grid);
      else if (at < 0.9) value = 0;
      else value = random.int(7) - 3;
      channels[c][i] = clamp(value);
    }
  }
  channels[0][0] = max;
  channels[0][1] = min;
  return channels;
}

/** Runs a command in the scratch folder; fails the test with its stderr. */
function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: scratch, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`expected ${command} ${args.join(' ')} to succeed, got: ${result.stderr}`);
}

/** The WAV and its FLAC made by `flac` with the given options. */
function flacCli(wav: Uint8Array, ...options: string[]): Uint8Array {
  const name = `clip-${fileCount++}`;
  writeFileSync(join(scratch, `${name}.wav`), wav);
  run('flac', ['--silent', '--force', ...options, '-o', `${name}.flac`, `${name}.wav`]);
  return new Uint8Array(readFileSync(join(scratch, `${name}.flac`)));
}

/** What decodeFlac must give for integer channels: each sample over 2^(bits-1), rounded once to float32. */
function expected(channels: Channels, bits: number): Float32Array[] {
  const scale = 2 ** (1 - bits);
  return channels.map((channel) => Float32Array.from(channel, (value) => value * scale));
}

function expectSame(actual: Float32Array[], reference: Float32Array[]): void {
  expect(actual.length).toBe(reference.length);
  for (let c = 0; c < reference.length; c++) {
    expect(actual[c].length, `channel ${c} length`).toBe(reference[c].length);
    const first = actual[c].findIndex((value, i) => value !== reference[c][i]);
    expect(first, `channel ${c}: first differing sample`).toBe(-1);
  }
}

/** The FlacError a call throws (failing when it throws anything else or nothing). */
function flacError(call: () => unknown): FlacError {
  try {
    call();
  } catch (error) {
    if (error instanceof FlacError) return error;
    throw new Error(`expected a FlacError, got ${String(error)}`);
  }
  throw new Error('expected a FlacError, got a successful decode');
}

function expectFlacError(call: () => unknown, code: FlacErrorCode, message?: RegExp | string): FlacError {
  const error = flacError(call);
  expect(error.code, error.message).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

/** Offsets of the frames of a stream written by writeFlac or flac, found by walking the metadata. */
function firstFrameOffset(bytes: Uint8Array): number {
  let offset = 4;
  for (;;) {
    const last = bytes[offset] & 0x80;
    const length = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
    offset += 4 + length;
    if (last) return offset;
  }
}

/** STREAMINFO's total-samples field set to `total` (the block starts at byte 8). */
function withTotal(bytes: Uint8Array, total: number): Uint8Array {
  const copy = bytes.slice();
  const at = 8 + 13;
  copy[at] = (copy[at] & 0xf0) | Math.floor(total / 2 ** 32);
  new DataView(copy.buffer).setUint32(at + 1, total % 2 ** 32);
  return copy;
}

describe('decodeFlac against the flac CLI', () => {
  const cases = [
    { name: '16-bit mono 16 kHz', bits: 16, channels: 1, rate: 16000 },
    { name: '16-bit stereo 44.1 kHz', bits: 16, channels: 2, rate: 44100 },
    { name: '24-bit stereo 48 kHz', bits: 24, channels: 2, rate: 48000 },
    { name: '8-bit mono 8 kHz', bits: 8, channels: 1, rate: 8000 },
  ] as const;
  const levels = [0, 1, 2, 3, 4, 5, 6, 7, 8];

  for (const { name, bits, channels: count, rate } of cases) {
    it.skipIf(!hasFlac).each(levels)(`decodes ${name} from flac -%i bit for bit${flacNote}`, (level) => {
      // 23 456 frames: no multiple of any block size the levels use (1152, 4096).
      const channels = testSignal(23456, bits, count, level + 1);
      const flac = flacCli(pcmWav(channels, rate, bits), `-${level}`);
      const decoded = decodeFlac(flac);
      expectSame(decoded.channels, expected(channels, bits));
      expect(decoded.info).toMatchObject({
        formatCode: FLAC_FORMAT_CODE,
        formatName: 'FLAC',
        sampleRate: rate,
        channels: count,
        bitsPerSample: bits,
        frames: 23456,
        declaredFrames: 23456,
        durationSeconds: 23456 / rate,
      });
    });
  }

  it.skipIf(!hasFlac).each([
    ['11.025 kHz (rate given in Hz in each header)', 11025, 2],
    ['12 kHz (rate given in kHz in each header)', 12000, 1],
    ['22.05 kHz', 22050, 1],
    ['32 kHz', 32000, 2],
    ['96 kHz', 96000, 2],
    ['192 kHz', 192000, 1],
  ])(`decodes %s${flacNote}`, (_, rate, count) => {
    const channels = testSignal(5000, 16, count, rate);
    expectSame(decodeFlac(flacCli(pcmWav(channels, rate, 16), '--lax')).channels, expected(channels, 16));
  });

  it.skipIf(!hasFlac).each([
    ['192', ['-b', '192']],
    ['576', ['-b', '576']],
    ['1000 (16-bit size in the header)', ['-b', '1000']],
    ['255 (8-bit size in the header)', ['--lax', '-b', '255']],
    ['65535, LPC order 32, precision 15', ['--lax', '-b', '65535', '-l', '32', '-q', '15']],
    ['4608 with exhaustive model search and partition order 8', ['-b', '4608', '-e', '-r', '8']],
  ])(`decodes block size %s${flacNote}`, (_, options) => {
    const channels = testSignal(70001, 24, 2, 9);
    expectSame(decodeFlac(flacCli(pcmWav(channels, 48000, 24), ...options)).channels, expected(channels, 24));
  });

  it.skipIf(!hasFlac)(
    `decodes 32-bit audio (LPC sums far beyond 2^31, 33-bit side channels)${flacNote}`,
    () => {
      const channels = testSignal(9000, 32, 2, 5);
      for (const level of ['-0', '-5', '-8']) {
        expectSame(decodeFlac(flacCli(pcmWav(channels, 48000, 32), level)).channels, expected(channels, 32));
      }
    },
  );

  it.skipIf(!hasFlac)(`decodes six independent channels${flacNote}`, () => {
    const channels = testSignal(6000, 16, 6, 6);
    const flac = flacCli(pcmWav(channels, 48000, 16), '-5');
    expectSame(decodeFlac(flac).channels, expected(channels, 16));
    const mono = decodeFlacMono(flac).samples;
    const mean = Float32Array.from(
      { length: 6000 },
      (_, i) => channels.reduce((sum, channel) => sum + channel[i], 0) / 6 / 32768,
    );
    expect(mono).toEqual(mean);
  });

  it.skipIf(!hasSox)('decodes what sox writes (libFLAC through sox, compression 0 and 8)', () => {
    const channels = testSignal(12345, 16, 2, 11);
    writeFileSync(join(scratch, 'sox.wav'), pcmWav(channels, 22050, 16));
    for (const level of ['0', '8']) {
      run('sox', ['sox.wav', '-C', level, `sox-${level}.flac`]);
      const flac = readFileSync(join(scratch, `sox-${level}.flac`));
      expectSame(decodeFlac(flac).channels, expected(channels, 16));
    }
  });

  it.skipIf(!hasFlac)(
    'decodes the last, shorter block: 48 000 samples in blocks of 4096 (the 2944-sample tail of an ASED clip)',
    () => {
      const channels = testSignal(48000, 16, 1, 12);
      const flac = flacCli(pcmWav(channels, 16000, 16), '-5', '-b', '4096');
      const { samples, info } = decodeFlacMono(flac);
      expect(info.frames).toBe(48000);
      expect(samples).toEqual(expected(channels, 16)[0]);
    },
  );

  it.skipIf(!hasFlac)('skips an ID3v2 tag before the stream and an ID3v1 tag after it', () => {
    const channels = testSignal(3000, 16, 1, 13);
    const flac = flacCli(pcmWav(channels, 16000, 16), '-5');
    const tagged = new Uint8Array([
      ...id3v2(300),
      ...flac,
      ...new TextEncoder().encode('TAG'),
      ...new Uint8Array(125),
    ]);
    expect(isFlac(tagged)).toBe(true);
    expect(readFlacInfo(tagged)).toEqual(readFlacInfo(flac));
    expectSame(decodeFlac(tagged).channels, expected(channels, 16));
  });

  it.skipIf(!hasFlac)('skips PADDING, SEEKTABLE, VORBIS_COMMENT and PICTURE blocks', () => {
    const channels = testSignal(3000, 16, 2, 14);
    writeFileSync(join(scratch, 'cover.png'), new Uint8Array(50));
    const flac = flacCli(
      pcmWav(channels, 16000, 16),
      '-T',
      'TITLE=test',
      '-S',
      '1000x',
      '-P',
      '4096',
      '--picture=3|image/png|cover|1x1x24/0|cover.png',
    );
    expectSame(decodeFlac(flac).channels, expected(channels, 16));
  });
});

describe('decodeFlac against the test writer', () => {
  const stereo16 = testSignal(5000, 16, 2, 21);

  it.each(['independent', 'left/side', 'right/side', 'mid/side'] as const)(
    'restores %s stereo, at 16 and 32 bits (a 33-bit side channel)',
    (assignment) => {
      for (const bits of [16, 32]) {
        const channels = bits === 16 ? stereo16 : testSignal(3000, 32, 2, 22);
        // 5-bit Rice parameters for 32 bits: with 4-bit ones every residual would take millions of bits.
        const subframes: SubframePlan[] = [
          { type: 'fixed', order: 2, riceBits: bits === 16 ? 4 : 5 },
          { type: 'fixed', order: 1, riceBits: 5 },
        ];
        const flac = writeFlac(
          Array.from(channels, (c) => Array.from(c)),
          {
            sampleRate: 16000,
            bitsPerSample: bits,
            plan: () => ({ assignment, subframes }),
          },
        );
        expectSame(decodeFlac(flac).channels, expected(channels, bits));
      }
    },
  );

  it('reads every subframe type, with and without wasted bits', () => {
    // 4 wasted bits: every sample a multiple of 16.
    const values = Array.from(testSignal(4096, 16, 1, 23)[0], (value) => 16 * Math.trunc(value / 16));
    const plans: SubframePlan[] = [
      { type: 'verbatim' },
      { type: 'verbatim', wasted: 4 },
      ...[0, 1, 2, 3, 4].map((order) => ({ type: 'fixed' as const, order })),
      { type: 'fixed', order: 3, wasted: 2, partitionOrder: 4 },
      { type: 'lpc', coefficients: [3000, -1000], precision: 13, shift: 11 },
      { type: 'lpc', coefficients: [1], precision: 2, shift: 0, wasted: 4 },
      {
        type: 'lpc',
        coefficients: Array.from({ length: 32 }, (_, j) => (j % 2 ? -1 : 1) * (512 >> (j % 8))),
        shift: 9,
      },
    ];
    for (const plan of plans) {
      const flac = writeFlac([values], {
        sampleRate: 16000,
        bitsPerSample: 16,
        plan: () => ({ subframes: plan }),
      });
      expectSame(decodeFlac(flac).channels, [Float32Array.from(values, (value) => value / 32768)]);
    }
    const constant = writeFlac([new Array(1000).fill(-48)], {
      sampleRate: 16000,
      bitsPerSample: 16,
      plan: () => ({ subframes: { type: 'constant', wasted: 4 } }),
    });
    expect(decodeFlac(constant).channels[0]).toEqual(new Float32Array(1000).fill(-48 / 32768));
  });

  it('reads escaped residual partitions, with 4- and 5-bit parameters and 0-bit escapes', () => {
    const values = Array.from(testSignal(4096, 24, 1, 24)[0]);
    // A ramp: its FIXED order 2 residual is all zero, so the partitions escape with 0 bits.
    const ramp = Array.from({ length: 4096 }, (_, i) => 100 * i - 200000);
    for (const riceBits of [4, 5] as const) {
      for (const signal of [values, ramp]) {
        const flac = writeFlac([signal], {
          sampleRate: 48000,
          bitsPerSample: 24,
          plan: () => ({ subframes: { type: 'fixed', order: 2, escape: true, riceBits, partitionOrder: 3 } }),
        });
        expectSame(decodeFlac(flac).channels, [Float32Array.from(signal, (value) => value / 2 ** 23)]);
      }
    }
  });

  it('decodes 24-bit LPC whose prediction sums pass 2^31 (15-bit coefficients, order 12)', () => {
    const values = Array.from(testSignal(4096, 24, 1, 25)[0]);
    const coefficients = [16383, -16384, 16383, -16384, 12000, -9000, 7000, -5000, 3000, -2000, 1000, -500];
    const flac = writeFlac([values], {
      sampleRate: 48000,
      bitsPerSample: 24,
      plan: () => ({ subframes: { type: 'lpc', coefficients, precision: 15, shift: 14, riceBits: 5 } }),
    });
    expectSame(decodeFlac(flac).channels, [Float32Array.from(values, (value) => value / 2 ** 23)]);
  });

  it('decodes a variable block size stream (sample numbers in the headers, sizes 17 to 65536)', () => {
    const channels = testSignal(100000, 16, 2, 26);
    const flac = writeFlac(
      Array.from(channels, (c) => Array.from(c)),
      {
        sampleRate: 44100,
        bitsPerSample: 16,
        variable: true,
        blockSizes: [17, 4096, 16, 192, 1000, 255, 65536, 1152, 4608],
        plan: (frame) => ({
          assignment: (['independent', 'mid/side', 'left/side', 'right/side'] as const)[frame % 4],
        }),
      },
    );
    const decoded = decodeFlac(flac);
    expect(decoded.info.frames).toBe(100000);
    expectSame(decoded.channels, expected(channels, 16));
  });

  it.each([4, 7, 12, 20])('decodes %i-bit audio', (bits) => {
    const channels = testSignal(3000, bits, 1, bits);
    const flac = writeFlac([Array.from(channels[0])], {
      sampleRate: 8000,
      bitsPerSample: bits,
      bitsFromStreamInfo: bits < 8,
    });
    expect(decodeFlac(flac).info.bitsPerSample).toBe(bits);
    expectSame(decodeFlac(flac).channels, expected(channels, bits));
  });

  it.each(['streaminfo', 'khz', 'hz', 'tens'] as const)(
    'reads the sample rate given as %s in frame headers',
    (rateCode) => {
      const values = Array.from(testSignal(2000, 16, 1, 27)[0]);
      const flac = writeFlac([values], { sampleRate: 32000, bitsPerSample: 16, rateCode });
      expect(decodeFlac(flac).channels[0]).toEqual(Float32Array.from(values, (value) => value / 32768));
    },
  );

  it('decodes a stream that does not declare its length, and holds it to maxFrames', () => {
    const values = Array.from(testSignal(10000, 16, 1, 28)[0]);
    const flac = writeFlac([values], { sampleRate: 16000, bitsPerSample: 16, totalSamples: 0 });
    expect(readFlacInfo(flac)).toMatchObject({ frames: 0, declaredFrames: 0, durationSeconds: 0 });
    const decoded = decodeFlac(flac);
    expect(decoded.info).toMatchObject({ frames: 10000, declaredFrames: 0, durationSeconds: 10000 / 16000 });
    expect(decoded.channels[0]).toEqual(Float32Array.from(values, (value) => value / 32768));
    expect(decodeFlac(flac, { maxFrames: 10000 }).info.frames).toBe(10000);
    expectFlacError(
      () => decodeFlac(flac, { maxFrames: 9999 }),
      'too_long',
      /at most 9999 samples per channel/,
    );
  });

  it('refuses a declared length beyond maxFrames before decoding', () => {
    const flac = writeFlac([new Array(5000).fill(0)], { sampleRate: 16000, bitsPerSample: 16 });
    expectFlacError(
      () => decodeFlac(flac, { maxFrames: 4800 }),
      'too_long',
      'expected at most 4800 samples per channel (0.3 s), but the stream declares 5000 (0.313 s)',
    );
  });

  it('stops a decompression bomb (tiny CONSTANT frames, no declared length) at maxFrames', () => {
    // 30 frames of 65 536 silent samples: 2 million samples (two minutes) from about 400 bytes.
    const flac = writeFlac([new Array(30 * 65536).fill(0)], {
      sampleRate: 16000,
      bitsPerSample: 16,
      blockSizes: [65536],
      totalSamples: 0,
      plan: () => ({ subframes: { type: 'constant' } }),
    });
    expect(flac.length).toBeLessThan(600);
    expectFlacError(() => decodeFlacMono(flac, { maxFrames: 60 * 16000 }), 'too_long');
  });
});

describe('broken FLAC', () => {
  const small = testSignal(3000, 16, 2, 31);
  const smallFlac = writeFlac(
    Array.from(small, (c) => Array.from(c)),
    {
      sampleRate: 16000,
      bitsPerSample: 16,
      blockSizes: [512],
      plan: (frame) => ({
        assignment: frame % 2 ? 'mid/side' : 'independent',
        subframes: [
          { type: 'lpc', coefficients: [2, -1], precision: 4, shift: 0, partitionOrder: 2 },
          { type: 'fixed', order: frame % 5 },
        ],
      }),
    },
  );
  const smallExpected = expected(small, 16);

  it('names what it found when the input is not FLAC', () => {
    expectFlacError(() => decodeFlac(new Uint8Array(0)), 'empty', 'expected a FLAC stream, got 0 bytes');
    expectFlacError(
      () => decodeFlac(pcmWav(small, 16000, 16)),
      'not_flac',
      'expected a FLAC stream starting with "fLaC", got "RIFF" (looks like a WAV file)',
    );
    expectFlacError(() => decodeFlac(new TextEncoder().encode('fLa')), 'truncated', /"fLaC" marker/);
    expect(isFlac(pcmWav(small, 16000, 16))).toBe(false);
    expect(isFlac(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0xff, 0, 0, 0]))).toBe(false);
    expect(() => isFlac('fLaC' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('checks STREAMINFO', () => {
    /** smallFlac with bytes replaced: [offset, value] pairs. STREAMINFO's body starts at byte 8. */
    const patched = (...changes: [number, number][]) => {
      const copy = smallFlac.slice();
      for (const [at, value] of changes) copy[at] = value;
      return copy;
    };
    const b20 = smallFlac[20];
    expectFlacError(() => readFlacInfo(patched([4, 0x84])), 'bad_streaminfo', /STREAMINFO \(type 0\)/);
    expectFlacError(
      () => readFlacInfo(patched([7, 33])),
      'bad_streaminfo',
      'expected a 34-byte STREAMINFO block, got 33 bytes',
    );
    // The sample rate is bytes 18, 19 and the top nibble of 20.
    expectFlacError(
      () => readFlacInfo(patched([18, 0], [19, 0], [20, b20 & 0x0f])),
      'bad_streaminfo',
      /got 0 Hz/,
    );
    expectFlacError(
      () => readFlacInfo(patched([18, 0xff], [19, 0xff], [20, b20 | 0xf0])),
      'unsupported',
      'expected a sample rate from 8000 to 192000 Hz, got 1048575 Hz',
    );
    // Bits per sample minus 1: the low bit of byte 20 and the top nibble of 21.
    expectFlacError(
      () => readFlacInfo(patched([20, b20 & 0xfe], [21, (smallFlac[21] & 0x0f) | 0x20])),
      'unsupported',
      'expected 4 to 32 bits per sample, got 3',
    );
  });

  it('requires exactly the declared number of samples', () => {
    expect(decodeFlac(smallFlac).info.frames).toBe(3000);
    expectFlacError(
      () => decodeFlac(withTotal(smallFlac, 3001)),
      'truncated',
      'expected 3001 samples per channel (STREAMINFO), got 3000 before the data ended (file cut short?)',
    );
    expectFlacError(
      () => decodeFlac(withTotal(smallFlac, 2999)),
      'sample_count_mismatch',
      /expected 2999 samples/,
    );
    // A hostile declared length does not allocate: the data ends long before.
    expectFlacError(() => decodeFlac(withTotal(smallFlac, 2 ** 36 - 1)), 'truncated');
  });

  it('gives a FlacError, or all the samples, for every way of cutting the file short', () => {
    for (let length = 0; length < smallFlac.length; length++) {
      const error = flacError(() => decodeFlac(smallFlac.subarray(0, length)));
      expect(['empty', 'truncated'], `cut at ${length}: ${error.message}`).toContain(error.code);
    }
    // Cut at a frame boundary with no declared length: the frames present, and nothing invented.
    const streamed = withTotal(smallFlac, 0);
    const frameStart = firstFrameOffset(streamed);
    let boundaries = 0;
    for (let length = frameStart + 1; length <= streamed.length; length++) {
      let decoded: Float32Array[];
      try {
        decoded = decodeFlac(streamed.subarray(0, length)).channels;
      } catch (error) {
        expect(error).toBeInstanceOf(FlacError);
        continue;
      }
      boundaries++;
      expect(decoded[0].length % 512 === 0 || decoded[0].length === 3000).toBe(true);
      expectSame(
        decoded,
        smallExpected.map((channel) => channel.subarray(0, decoded[0].length)),
      );
    }
    expect(boundaries).toBe(Math.ceil(3000 / 512));
  });

  it('throws only FlacErrors for thousands of random byte corruptions, and decodes only intact audio', () => {
    const random = createRandom(2024);
    for (const source of [smallFlac, withTotal(smallFlac, 0)]) {
      for (let trial = 0; trial < 2000; trial++) {
        const corrupt = source.slice();
        const at = random.int(corrupt.length);
        const value = (corrupt[at] + 1 + random.int(255)) & 0xff;
        corrupt[at] = value;
        let decoded: Float32Array[];
        try {
          decoded = decodeFlac(corrupt).channels;
        } catch (error) {
          if (!(error instanceof FlacError)) throw new Error(`byte ${at} = ${value}: ${String(error)}`);
          continue;
        }
        // Only bytes nothing depends on may change without an error: STREAMINFO's frame sizes and MD5.
        expect(at, `byte ${at} changed to ${value} and the stream still decoded`).toBeLessThan(
          firstFrameOffset(source),
        );
        expectSame(decoded, smallExpected);
      }
    }
  });

  it('catches corrupt frames by their CRCs', () => {
    const frameStart = firstFrameOffset(smallFlac);
    // The coded frame number of the first frame (byte 4 of its header) is covered by the header's CRC-8.
    const header = smallFlac.slice();
    header[frameStart + 4] ^= 0x01;
    expectFlacError(() => decodeFlac(header), 'crc_mismatch', /frame header at byte \d+ to have CRC-8/);
    // One flipped bit in the audio data of each frame: the frame's CRC-16 (or, rarely, a parse error first).
    const random = createRandom(7);
    const codes = new Map<string, number>();
    for (let trial = 0; trial < 300; trial++) {
      const corrupt = smallFlac.slice();
      const at = frameStart + 8 + random.int(smallFlac.length - frameStart - 8);
      corrupt[at] ^= 1 << random.int(8);
      const { code } = flacError(() => decodeFlac(corrupt));
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get('crc_mismatch') ?? 0).toBeGreaterThan(240);
    // The footer itself.
    const footer = smallFlac.slice();
    footer[footer.length - 1] ^= 0x80;
    expectFlacError(
      () => decodeFlac(footer),
      'crc_mismatch',
      /expected frame 5 at byte \d+ to have CRC-16 0x[0-9A-F]{4}, got 0x[0-9A-F]{4}/,
    );
  });

  it('refuses frames that are missing or disagree with STREAMINFO', () => {
    const values = Array.from(small[0]);
    const offsets: number[] = [];
    const flac = writeFlac([values], {
      sampleRate: 16000,
      bitsPerSample: 16,
      blockSizes: [1000],
      frameOffsets: offsets,
    });
    const withoutSecond = new Uint8Array([...flac.subarray(0, offsets[1]), ...flac.subarray(offsets[2])]);
    expectFlacError(
      () => decodeFlac(withTotal(withoutSecond, 0)),
      'bad_frame_header',
      /expected frame number 1 in the frame at byte \d+, got 2 \(frames missing or out of order\)/,
    );
    const twoChannels = flac.slice();
    twoChannels[20] = (twoChannels[20] & 0xf1) | (1 << 1);
    expectFlacError(
      () => decodeFlac(twoChannels),
      'bad_frame_header',
      /expected the STREAMINFO 2 channels, got 1/,
    );
    const otherRate = flac.slice();
    // 32 000 Hz = 0x07D00: bytes 18, 19 and the top nibble of 20.
    otherRate.set([0x07, 0xd0, otherRate[20] & 0x0f], 18);
    expectFlacError(
      () => decodeFlac(otherRate),
      'bad_frame_header',
      /expected the STREAMINFO sample rate 32000 Hz, got 16000 Hz/,
    );
    const otherBits = writeFlac([values], { sampleRate: 16000, bitsPerSample: 16 });
    otherBits[21] = (otherBits[21] & 0x0f) | (7 << 4); // 24 bits in STREAMINFO, frames say 16
    otherBits[20] |= 1;
    expectFlacError(
      () => decodeFlac(otherBits),
      'bad_frame_header',
      /expected the STREAMINFO 24 bits per sample, got 16/,
    );
  });
});

describe('decodeAudio and readAudioInfo with FLAC', () => {
  it('gives the same samples from FLAC as from the WAV it came from', () => {
    const mono = testSignal(16000, 16, 1, 41);
    const monoWav = pcmWav(mono, 16000, 16);
    const monoFlac = writeFlac([Array.from(mono[0])], { sampleRate: 16000, bitsPerSample: 16 });
    expect(decodeAudio(monoFlac).samples).toEqual(decodeAudio(monoWav).samples);
    expect(readAudioInfo(monoFlac)).toMatchObject({
      ...readWavInfo(monoWav),
      formatCode: FLAC_FORMAT_CODE,
      formatName: 'FLAC',
    });

    const stereo = testSignal(44100, 16, 2, 42);
    const stereoFlac = writeFlac(
      Array.from(stereo, (c) => Array.from(c)),
      {
        sampleRate: 44100,
        bitsPerSample: 16,
        plan: () => ({ assignment: 'mid/side' }),
      },
    );
    const decoded = decodeAudio(stereoFlac);
    expect(decoded.sampleRate).toBe(DEFAULT_TARGET_RATE);
    expect(decoded.info).toMatchObject({ formatName: 'FLAC', sampleRate: 44100, channels: 2, frames: 44100 });
    const { channels } = decodeWav(pcmWav(stereo, 44100, 16));
    const mean = channels[0].map((value, i) => (value + channels[1][i]) / 2);
    expect(decoded.samples).toEqual(resample(mean, 44100, 16000));
  });

  it('holds FLAC to maxSeconds and throws FlacErrors unchanged', () => {
    const flac = writeFlac([new Array(16000).fill(5)], {
      sampleRate: 16000,
      bitsPerSample: 16,
      totalSamples: 0,
    });
    expect(decodeAudio(flac, { maxSeconds: 1 }).samples.length).toBe(16000);
    expectFlacError(() => decodeAudio(flac, { maxSeconds: 0.5 }), 'too_long');
    const cut = writeFlac([new Array(16000).fill(5)], { sampleRate: 16000, bitsPerSample: 16 }).subarray(
      0,
      100,
    );
    expectFlacError(() => decodeAudio(cut), 'truncated');
    expectFlacError(() => readAudioInfo(new TextEncoder().encode('fLaC')), 'truncated');
  });
});

/** Up to `count` FLAC files from each subfolder of `root`, spread over the folder. */
function corpusClips(root: string, count: number): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const files = readdirSync(join(root, entry.name))
        .filter((name) => name.endsWith('.flac'))
        .sort();
      const step = Math.max(1, Math.floor(files.length / count));
      return files
        .filter((_, i) => i % step === 0)
        .slice(0, count)
        .map((name) => join(root, entry.name, name));
    });
}

describe.each([
  ['ASED', ASED, 2],
  ['TurEV-DB', TUREV, 3],
])('%s clips against sox', (_, root, perFolder) => {
  const present = existsSync(root) && hasSox;
  it.skipIf(!present)(
    `decodes every sample as sox does${present ? '' : ' (skipped: shared corpus or sox absent, set SER_SHARED_DIR)'}`,
    () => {
      const clips = corpusClips(root, perFolder);
      expect(clips.length).toBeGreaterThanOrEqual(10);
      for (const clip of clips) {
        const raw = spawnSync('sox', [clip, '-t', 's16', '-'], { maxBuffer: 1 << 26 }).stdout;
        const reference = new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
        const { info, channels } = decodeFlac(readFileSync(clip));
        expect(info.frames * info.channels, clip).toBe(reference.length);
        expect(info.declaredFrames, clip).toBe(info.frames);
        const interleaved = new Int16Array(reference.length);
        for (let c = 0; c < info.channels; c++) {
          for (let i = 0; i < info.frames; i++) interleaved[i * info.channels + c] = channels[c][i] * 32768;
        }
        expect(
          interleaved.findIndex((value, i) => value !== reference[i]),
          clip,
        ).toBe(-1);
      }
    },
  );
});
