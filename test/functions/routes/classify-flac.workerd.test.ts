/**
 * FLAC uploads to POST /v1/classify, inside workerd: the same clip as FLAC classifies as it does as WAV, under
 * either FLAC media type, raw or in multipart; broken, unsupported and too long FLAC get the same 4xx as WAV.
 * The FLAC is made by the tests' own writer (test/core/audio/flac-writer.ts): no CLI inside workerd.
 */
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.ts';
import { writeFlac } from '../../core/audio/flac-writer.ts';
import {
  call,
  env,
  expectClassification,
  expectError,
  postClassify,
  speechWav,
} from '../../workers/harness.ts';

/** The committed speech clip (16 kHz mono 16-bit WAV) as FLAC, with writer options. */
function speechFlac(options: Partial<Parameters<typeof writeFlac>[1]> = {}): Uint8Array<ArrayBuffer> {
  const { info, channels } = decodeWav(speechWav());
  const samples = Array.from(channels[0], (value) => Math.round(value * 32768));
  const flac = writeFlac([samples], {
    sampleRate: info.sampleRate,
    bitsPerSample: 16,
    plan: () => ({ subframes: { type: 'fixed', order: 2, partitionOrder: 4 } }),
    ...options,
  });
  return new Uint8Array(flac);
}

const maxDuration = Number(env.MAX_DURATION_SECONDS);

describe('POST /v1/classify with FLAC', () => {
  it.each(['audio/flac', 'audio/x-flac', 'audio/wav', 'application/octet-stream; x=1'])(
    'classifies the FLAC clip as the WAV one, sent as %s',
    async (contentType) => {
      const wav = await expectClassification(await postClassify(speechWav()));
      const flac = await expectClassification(await postClassify(speechFlac(), { contentType }));
      expect(flac.durationSeconds).toBe(wav.durationSeconds);
      expect(flac.probabilities).toEqual(wav.probabilities);
    },
  );

  it('accepts FLAC as the file field of multipart/form-data', async () => {
    const wav = await expectClassification(await postClassify(speechWav()));
    const form = new FormData();
    form.append('file', new File([speechFlac()], 'speech.flac', { type: 'audio/flac' }));
    const flac = await expectClassification(await call('/v1/classify', { method: 'POST', body: form }));
    expect(flac.probabilities).toEqual(wav.probabilities);
  });

  it('answers 400 malformed_audio with the decoder message for a corrupt or cut FLAC', async () => {
    const corrupt = speechFlac();
    corrupt[corrupt.length - 1] ^= 0x10; // the last frame's CRC-16
    expect(
      await expectError(await postClassify(corrupt, { contentType: 'audio/flac' }), 400, 'malformed_audio'),
    ).toMatch(/to have CRC-16 0x[0-9A-F]{4}, got 0x[0-9A-F]{4} \(corrupt data\)/);
    const cut = speechFlac().subarray(0, 5000);
    expect(
      await expectError(await postClassify(cut, { contentType: 'audio/flac' }), 400, 'malformed_audio'),
    ).toMatch(/in channel 0 of frame \d+, got the end of the data \(file cut short\?\)$/);
  });

  it('answers 415 unsupported_encoding for a bit depth FLAC does not allow', async () => {
    const flac = speechFlac();
    // STREAMINFO bits per sample minus 1 (low bit of byte 20, top nibble of 21): 3 bits.
    flac[20] &= 0xfe;
    flac[21] = (flac[21] & 0x0f) | 0x20;
    expect(
      await expectError(await postClassify(flac, { contentType: 'audio/flac' }), 415, 'unsupported_encoding'),
    ).toBe('expected 4 to 32 bits per sample, got 3');
  });

  it('answers 413 for FLAC past MAX_DURATION_SECONDS, declared or not', async () => {
    const seconds = maxDuration + 1;
    const silence = new Array(seconds * 8000).fill(0);
    const options = {
      sampleRate: 8000,
      bitsPerSample: 16,
      blockSizes: [4096],
      plan: () => ({ subframes: { type: 'constant' as const } }),
    };
    const declared = writeFlac([silence], options);
    expect(
      await expectError(await postClassify(declared, { contentType: 'audio/flac' }), 413, 'audio_too_long'),
    ).toBe(`expected at most ${maxDuration} s of audio, got ${seconds} s`);
    const undeclared = writeFlac([silence], { ...options, totalSamples: 0 });
    expect(
      await expectError(await postClassify(undeclared, { contentType: 'audio/flac' }), 413, 'audio_too_long'),
    ).toMatch(
      new RegExp(`^expected at most ${maxDuration * 8000} samples per channel \\(${maxDuration} s\\)`),
    );
  });
});
