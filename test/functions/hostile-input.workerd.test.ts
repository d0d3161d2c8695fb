/**
 * Hostile and broken requests to POST /v1/classify: each must get its own 4xx status and error code, never a
 * 500, never a classification.
 */
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { speechLike } from '../fixtures/audio/synthetic.ts';
import { call, env, expectError, postClassify, speechWav } from '../workers/harness.ts';

interface ForgedWav {
  riff?: string;
  form?: string;
  formatCode?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  blockAlign?: number;
  fmtSize?: number;
  /** Declared size of the data chunk (default: the real size of `data`). */
  dataSize?: number;
  data?: Uint8Array;
  /** Bytes of chunks placed before fmt. */
  before?: Uint8Array;
}

/** A WAV header built field by field, so each field can lie. */
function forgeWav(forged: ForgedWav = {}): Uint8Array {
  const channels = forged.channels ?? 1;
  const bitsPerSample = forged.bitsPerSample ?? 16;
  const data = forged.data ?? new Uint8Array(16000 * 2);
  const fmtSize = forged.fmtSize ?? 16;
  const before = forged.before ?? new Uint8Array(0);
  const out = new Uint8Array(12 + before.length + 8 + fmtSize + 8 + data.length);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  };
  ascii(0, forged.riff ?? 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, forged.form ?? 'WAVE');
  out.set(before, 12);
  const fmt = 12 + before.length;
  ascii(fmt, 'fmt ');
  view.setUint32(fmt + 4, fmtSize, true);
  if (fmtSize >= 16) {
    const sampleRate = forged.sampleRate ?? 16000;
    const blockAlign = forged.blockAlign ?? (channels * bitsPerSample) / 8;
    view.setUint16(fmt + 8, forged.formatCode ?? 1, true);
    view.setUint16(fmt + 10, channels, true);
    view.setUint32(fmt + 12, sampleRate, true);
    view.setUint32(fmt + 16, sampleRate * blockAlign, true);
    view.setUint16(fmt + 20, blockAlign, true);
    view.setUint16(fmt + 22, bitsPerSample, true);
  }
  const dataHeader = fmt + 8 + fmtSize;
  ascii(dataHeader, 'data');
  view.setUint32(dataHeader + 4, forged.dataSize ?? data.length, true);
  out.set(data, dataHeader + 8);
  return out;
}

function floatWav(values: number[], encoding: 'float32' | 'float64'): Uint8Array {
  const wav = encodeWav(new Float32Array(values.length), 16000, { encoding });
  const view = new DataView(wav.buffer);
  const dataStart = wav.length - values.length * (encoding === 'float32' ? 4 : 8);
  for (const [i, value] of values.entries()) {
    if (encoding === 'float32') view.setFloat32(dataStart + 4 * i, value, true);
    else view.setFloat64(dataStart + 8 * i, value, true);
  }
  return wav;
}

function multipart(parts: string, boundary = 'XyZ'): Promise<Response> {
  return postClassify(parts.replaceAll('\n', '\r\n'), {
    contentType: `multipart/form-data; boundary=${boundary}`,
  });
}

const maxBodyBytes = Number(env.MAX_BODY_BYTES);
const maxDuration = Number(env.MAX_DURATION_SECONDS);
const ONE_HOUR_PCM16 = 3600 * 16000 * 2;
const mp3Bytes = Uint8Array.from([
  0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xff, 0xfb, 0x90, 0x64,
]);
const speechClip = () => encodeWav(speechLike(2).signal, 16000);

interface HostileCase {
  name: string;
  send: () => Promise<Response>;
  status: number;
  code: string;
  /** Part of the message that proves the right check fired. */
  says?: string | RegExp;
}

const cases: HostileCase[] = [
  // Media types
  {
    name: 'no Content-Type',
    send: () => postClassify(speechClip(), { contentType: null }),
    status: 415,
    code: 'unsupported_media_type',
    says: 'got none',
  },
  {
    name: 'text/plain',
    send: () => postClassify('hello', { contentType: 'text/plain' }),
    status: 415,
    code: 'unsupported_media_type',
    says: 'got text/plain',
  },
  {
    name: 'application/json',
    send: () => postClassify('{"audio":"AAAA"}', { contentType: 'application/json' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'audio/mpeg',
    send: () => postClassify(mp3Bytes, { contentType: 'audio/mpeg' }),
    status: 415,
    code: 'unsupported_media_type',
    says: 'got audio/mpeg',
  },
  {
    name: 'application/x-www-form-urlencoded',
    send: () => postClassify('file=abc', { contentType: 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  // Bodies that are not WAV
  {
    name: 'zero-length body',
    send: () => postClassify(new Uint8Array(0)),
    status: 400,
    code: 'empty_body',
    says: 'got 0 bytes',
  },
  {
    name: 'MP3 bytes labelled audio/wav',
    send: () => postClassify(mp3Bytes),
    status: 415,
    code: 'unsupported_media_type',
    says: 'MP3',
  },
  {
    name: 'Ogg bytes labelled audio/wav',
    send: () => postClassify(new TextEncoder().encode('OggS\u0000\u0002 not really')),
    status: 415,
    code: 'unsupported_media_type',
    says: 'Ogg',
  },
  {
    name: 'random non-audio bytes',
    send: () => postClassify(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)),
    status: 400,
    code: 'malformed_audio',
  },
  {
    name: 'an HTML page',
    send: () => postClassify('<!doctype html><html></html>'),
    status: 400,
    code: 'malformed_audio',
    says: 'expected a RIFF/WAVE file',
  },
  // Truncated and forged headers
  {
    name: '"RIFF" alone',
    send: () => postClassify(new TextEncoder().encode('RIFF')),
    status: 400,
    code: 'malformed_audio',
    says: '12-byte RIFF header',
  },
  {
    name: 'RIFF header without chunks',
    send: () => postClassify(forgeWav().slice(0, 12)),
    status: 400,
    code: 'malformed_audio',
    says: 'expected a "fmt " chunk',
  },
  {
    name: 'form type WAVX',
    send: () => postClassify(forgeWav({ form: 'WAVX' })),
    status: 400,
    code: 'malformed_audio',
    says: '"WAVE"',
  },
  {
    name: 'big-endian RIFX',
    send: () => postClassify(forgeWav({ riff: 'RIFX' })),
    status: 400,
    code: 'malformed_audio',
    says: 'RIFX',
  },
  {
    name: 'fmt chunk of 8 bytes',
    send: () => postClassify(forgeWav({ fmtSize: 8 })),
    status: 400,
    code: 'malformed_audio',
    says: 'at least 16 bytes',
  },
  {
    name: 'cut inside the fmt chunk',
    send: () => postClassify(forgeWav().slice(0, 30)),
    status: 400,
    code: 'malformed_audio',
  },
  {
    name: 'chunk before fmt declaring 4 GB',
    send: () =>
      postClassify(forgeWav({ before: Uint8Array.from([0x4c, 0x49, 0x53, 0x54, 0xf0, 0xff, 0xff, 0xff]) })),
    status: 400,
    code: 'malformed_audio',
    says: 'declares',
  },
  {
    name: 'data chunk declaring an hour over 1 s of samples',
    send: () => postClassify(forgeWav({ dataSize: ONE_HOUR_PCM16 })),
    status: 400,
    code: 'malformed_audio',
    says: `declares ${ONE_HOUR_PCM16} bytes`,
  },
  {
    name: 'header only, no samples',
    send: () => postClassify(forgeWav({ data: new Uint8Array(0), dataSize: 2 })),
    status: 400,
    code: 'malformed_audio',
  },
  {
    name: 'zero channels',
    send: () => postClassify(forgeWav({ channels: 0, blockAlign: 2 })),
    status: 400,
    code: 'malformed_audio',
    says: 'got 0',
  },
  {
    name: '65535 channels and one frame of data',
    send: () => postClassify(forgeWav({ channels: 65535, data: new Uint8Array(64) })),
    status: 400,
    code: 'malformed_audio',
  },
  {
    name: 'sample rate 0',
    send: () => postClassify(forgeWav({ sampleRate: 0 })),
    status: 400,
    code: 'malformed_audio',
    says: 'got 0 Hz',
  },
  {
    name: 'sample rate 4 GHz',
    send: () => postClassify(forgeWav({ sampleRate: 0xffffffff })),
    status: 400,
    code: 'malformed_audio',
    says: 'sample rate',
  },
  {
    name: 'wrong block align',
    send: () => postClassify(forgeWav({ blockAlign: 3 })),
    status: 400,
    code: 'malformed_audio',
    says: 'block align',
  },
  {
    name: '12-bit PCM',
    send: () => postClassify(forgeWav({ bitsPerSample: 12, blockAlign: 2 })),
    status: 400,
    code: 'malformed_audio',
    says: 'got 12',
  },
  // Encodings the decoder does not read
  {
    name: 'MP3 inside WAV (format 0x0055)',
    send: () => postClassify(forgeWav({ formatCode: 0x0055 })),
    status: 415,
    code: 'unsupported_encoding',
    says: 'MPEG Layer III',
  },
  {
    name: 'A-law WAV (format 0x0006)',
    send: () => postClassify(forgeWav({ formatCode: 0x0006, bitsPerSample: 8 })),
    status: 415,
    code: 'unsupported_encoding',
    says: 'A-law',
  },
  {
    name: 'IMA ADPCM WAV (format 0x0011)',
    send: () => postClassify(forgeWav({ formatCode: 0x0011, bitsPerSample: 4, blockAlign: 256 })),
    status: 415,
    code: 'unsupported_encoding',
  },
  {
    name: 'extensible WAV with an unknown sub-format',
    send: () => {
      const wav = encodeWav(new Float32Array(16000), 16000, { extensible: true });
      wav[44] = 0x55; // sub-format GUID's first bytes: not PCM or float
      return postClassify(wav);
    },
    status: 415,
    code: 'unsupported_encoding',
    says: 'sub-format',
  },
  // Sample values
  {
    name: 'NaN float32 samples',
    send: () => postClassify(floatWav([0.1, Number.NaN, 0.2], 'float32')),
    status: 400,
    code: 'malformed_audio',
    says: 'NaN',
  },
  {
    name: 'Infinity float64 samples',
    send: () => postClassify(floatWav([0.1, Number.POSITIVE_INFINITY], 'float64')),
    status: 400,
    code: 'malformed_audio',
    says: 'Infinity',
  },
  // Durations and sizes
  {
    name: 'a 1-sample clip (strict)',
    send: () => postClassify(encodeWav(Float32Array.of(0.5), 16000), { query: 'strict=1' }),
    status: 422,
    code: 'audio_too_short',
    says: 'got 0.0000625 s',
  },
  {
    name: 'a real clip past MAX_DURATION_SECONDS within the byte limit',
    send: () =>
      postClassify(encodeWav(new Float32Array((maxDuration + 1) * 8000), 8000, { encoding: 'pcm8' })),
    status: 413,
    code: 'audio_too_long',
    says: `got ${maxDuration + 1} s`,
  },
  {
    name: 'a streamed-size WAV (0xFFFFFFFF) holding more than MAX_DURATION_SECONDS',
    send: () =>
      postClassify(
        forgeWav({
          data: new Uint8Array((maxDuration + 2) * 8000),
          sampleRate: 8000,
          bitsPerSample: 8,
          dataSize: 0xffffffff,
        }),
      ),
    status: 413,
    code: 'audio_too_long',
  },
  {
    name: 'a body larger than MAX_BODY_BYTES',
    send: () => postClassify(new Uint8Array(maxBodyBytes + 1)),
    status: 413,
    code: 'body_too_large',
    says: `at most ${maxBodyBytes} bytes`,
  },
  {
    name: 'a streamed body without Content-Length growing past MAX_BODY_BYTES',
    send: () => {
      const chunk = new Uint8Array(1 << 20);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > maxBodyBytes) controller.close();
          else {
            controller.enqueue(chunk);
            sent += chunk.length;
          }
        },
      });
      return postClassify(body);
    },
    status: 413,
    code: 'body_too_large',
    says: 'bytes read',
  },
  // Multipart
  {
    name: 'multipart without a file field',
    send: () => multipart('--XyZ\nContent-Disposition: form-data; name="note"\n\nhi\n--XyZ--\n'),
    status: 400,
    code: 'missing_file',
    says: "got fields 'note'",
  },
  {
    name: 'multipart with file as a text field',
    send: () => multipart('--XyZ\nContent-Disposition: form-data; name="file"\n\nnot a file\n--XyZ--\n'),
    status: 400,
    code: 'missing_file',
    says: 'text field',
  },
  {
    name: 'multipart with an image file',
    send: () =>
      multipart(
        '--XyZ\nContent-Disposition: form-data; name="file"; filename="a.png"\nContent-Type: image/png\n\n\u0089PNG\n--XyZ--\n',
      ),
    status: 415,
    code: 'unsupported_media_type',
    says: 'got image/png',
  },
  {
    name: 'multipart with an empty file',
    send: () =>
      multipart(
        '--XyZ\nContent-Disposition: form-data; name="file"; filename="a.wav"\nContent-Type: audio/wav\n\n\n--XyZ--\n',
      ),
    status: 400,
    code: 'empty_body',
  },
  {
    name: 'multipart whose boundary never appears',
    send: () => multipart('just some bytes', 'NeverThere'),
    status: 400,
    code: 'malformed_multipart',
  },
  {
    name: 'multipart Content-Type without a boundary',
    send: () => postClassify('--a\r\n\r\n--a--', { contentType: 'multipart/form-data' }),
    status: 400,
    code: 'malformed_multipart',
  },
  // Query values
  {
    name: 'unknown model',
    send: () => postClassify(speechClip(), { query: 'model=emotion-9000' }),
    status: 404,
    code: 'unknown_model',
    says: "got 'emotion-9000'",
  },
  {
    name: 'model id with path traversal',
    send: () => postClassify(speechClip(), { query: 'model=../../etc/passwd' }),
    status: 400,
    code: 'invalid_query',
    says: 'model id',
  },
  {
    name: 'hop=abc',
    send: () => postClassify(speechClip(), { query: 'hop=abc' }),
    status: 400,
    code: 'invalid_query',
    says: "expected hop to be a number of seconds, got 'abc'",
  },
  {
    name: 'hop=0.1 (more than 4 windows a second)',
    send: () => postClassify(speechClip(), { query: 'hop=0.1' }),
    status: 400,
    code: 'invalid_query',
    says: 'hop ≥ 0.25',
  },
  {
    name: 'hop=61',
    send: () => postClassify(speechClip(), { query: 'hop=61' }),
    status: 400,
    code: 'invalid_query',
    says: 'hop ≤ 60',
  },
  {
    name: 'hop and segment together',
    send: () => postClassify(speechClip(), { query: 'hop=1&segment=3' }),
    status: 400,
    code: 'invalid_query',
    says: 'expected segment or hop, got both',
  },
  {
    name: 'segment=abc',
    send: () => postClassify(speechClip(), { query: 'segment=abc' }),
    status: 400,
    code: 'invalid_query',
    says: "got 'abc'",
  },
  {
    name: 'segment=0',
    send: () => postClassify(speechClip(), { query: 'segment=0' }),
    status: 400,
    code: 'invalid_query',
    says: 'segment ≥ 1',
  },
  {
    name: 'segment=-3',
    send: () => postClassify(speechClip(), { query: 'segment=-3' }),
    status: 400,
    code: 'invalid_query',
  },
  {
    name: 'segment=Infinity',
    send: () => postClassify(speechClip(), { query: 'segment=Infinity' }),
    status: 400,
    code: 'invalid_query',
  },
  {
    name: 'segment=99999',
    send: () => postClassify(speechClip(), { query: 'segment=99999' }),
    status: 400,
    code: 'invalid_query',
    says: 'segment ≤',
  },
  {
    name: 'segment=1e3',
    send: () => postClassify(speechClip(), { query: 'segment=1e3' }),
    status: 400,
    code: 'invalid_query',
    says: "got '1e3'",
  },
  {
    name: 'attention=yes',
    send: () => postClassify(speechClip(), { query: 'attention=yes' }),
    status: 400,
    code: 'invalid_query',
    says: "expected attention to be 0, 1, true or false, got 'yes'",
  },
  {
    name: 'strict=2',
    send: () => postClassify(speechClip(), { query: 'strict=2' }),
    status: 400,
    code: 'invalid_query',
    says: 'strict',
  },
  // Methods and routes
  { name: 'GET /v1/classify', send: () => call('/v1/classify'), status: 405, code: 'method_not_allowed' },
  {
    name: 'PUT /v1/classify',
    send: () =>
      call('/v1/classify', { method: 'PUT', body: speechWav(), headers: { 'content-type': 'audio/wav' } }),
    status: 405,
    code: 'method_not_allowed',
  },
];

describe('hostile input to POST /v1/classify', () => {
  it('covers at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_, testCase) => {
    const message = await expectError(await testCase.send(), testCase.status, testCase.code);
    if (testCase.says !== undefined) expect(message).toMatch(testCase.says);
  });
});
