/**
 * Issue #12: what real clients send. Methods a route does not take, a trailing slash, boolean spellings,
 * uploads cut off mid-body, float WAVs with absurd values and clipped speech each get a clear answer.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { call, expectClassification, expectError, postClassify, speechWav } from '../workers/harness.ts';

describe('methods and paths', () => {
  it.each([
    ['GET', '/v1/classify', 'POST'],
    ['PUT', '/v1/classify', 'POST'],
    ['DELETE', '/v1/models', 'GET'],
    ['POST', '/healthz', 'GET'],
    ['POST', '/openapi.json', 'GET'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await call(path, { method });
    const message = await expectError(response, 405, 'method_not_allowed');
    expect(message).toBe(`expected ${allow} on ${path}, got ${method}`);
    expect(response.headers.get('allow')).toBe(allow);
  });

  it('classifies at /v1/classify/ (trailing slash) as at /v1/classify', async () => {
    const plain = await expectClassification(await postClassify(speechWav()));
    const response = await call('/v1/classify/', {
      method: 'POST',
      body: speechWav(),
      headers: { 'content-type': 'audio/wav' },
    });
    const slashed = await expectClassification(response);
    expect(slashed.probabilities).toEqual(plain.probabilities);
  });

  it('serves /v1/models/ too', async () => {
    expect((await call('/v1/models/')).status).toBe(200);
  });
});

describe('query flags', () => {
  it.each([
    ['attention=true', 'attention=1'],
    ['attention=false', 'attention=0'],
    ['strict=true', 'strict=1'],
  ])('takes %s as %s', async (spelled, canonical) => {
    const a = await expectClassification(await postClassify(speechWav(), { query: spelled }));
    const b = await expectClassification(await postClassify(speechWav(), { query: canonical }));
    expect({ ...a, timing: null }).toEqual({ ...b, timing: null });
  });

  it('still refuses other spellings, naming the accepted ones', async () => {
    const message = await expectError(
      await postClassify(speechWav(), { query: 'attention=yes' }),
      400,
      'invalid_query',
    );
    expect(message).toBe("expected attention to be 0, 1, true or false, got 'yes'");
  });
});

describe('bodies', () => {
  it('answers an upload cut off mid-body with a 400, not a 500', async () => {
    const bytes = speechWav();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          controller.enqueue(bytes.subarray(0, 20_000));
          sent = true;
        } else {
          controller.error(new Error('connection reset'));
        }
      },
    });
    const message = await expectError(await postClassify(body), 400, 'incomplete_body');
    expect(message).toMatch(/^expected the whole request body, but reading it failed after \d+ bytes/);
  });

  it('refuses a float WAV with absurd sample values (speech × 1e37)', async () => {
    const { samples } = decodeAudio(speechWav());
    const absurd = encodeWav(
      samples.map((x) => x * 1e37),
      16000,
      { encoding: 'float32' },
    );
    const message = await expectError(await postClassify(absurd), 400, 'malformed_audio');
    expect(message).toMatch(/^expected float samples within ±1000 \(full scale is ±1\), got/);
  });

  it('classifies speech that is clipped (30 % of the samples at full scale) as speech', async () => {
    const { samples } = decodeAudio(speechWav());
    const sorted = Float32Array.from(samples, Math.abs).sort();
    const gain = 1 / sorted[Math.floor(0.7 * sorted.length)];
    const clipped = samples.map((x) => Math.max(-1, Math.min(1, x * gain)));
    const atFullScale = clipped.filter((x) => Math.abs(x) >= 1).length / clipped.length;
    expect(atFullScale).toBeGreaterThan(0.29);
    const result = await expectClassification(await postClassify(encodeWav(clipped, 16000)));
    expect(result.outcome).toBe('classified');
  });
});

describe('formats', () => {
  it('sniffs an application/octet-stream body: WAV classified', async () => {
    const result = await expectClassification(
      await postClassify(speechWav(), { contentType: 'application/octet-stream' }),
    );
    expect(result.outcome).toBe('classified');
  });

  it.each([
    ['an Ogg Opus file', 'OggS\u0000\u0002', 'audio/ogg', 'Ogg (Opus, Vorbis or FLAC in Ogg)'],
    ['an MP3 as octet-stream', 'ID3\u0004\u0000', 'application/octet-stream', 'MP3 with an ID3 tag'],
    [
      'a WebM recording labelled WAV',
      '\u001aE\u00df\u00a3\u0001',
      'audio/wav',
      'WebM or Matroska (a browser recording)',
    ],
  ])('refuses %s with 415, naming what was found', async (_, start, contentType, name) => {
    const body = Uint8Array.from([...start].map((char) => char.charCodeAt(0)).concat(Array(64).fill(0)));
    const response = await postClassify(body, { contentType });
    if (contentType === 'audio/ogg') {
      const message = await expectError(response, 415, 'unsupported_media_type');
      expect(message).toContain('application/octet-stream');
      return;
    }
    const message = await expectError(response, 415, 'unsupported_media_type');
    expect(message).toContain(`got ${name}: convert it first`);
  });

  it('names an Ogg file sent as octet-stream', async () => {
    const body = Uint8Array.from([...'OggS'].map((char) => char.charCodeAt(0)).concat(Array(64).fill(0)));
    const message = await expectError(
      await postClassify(body, { contentType: 'application/octet-stream' }),
      415,
      'unsupported_media_type',
    );
    expect(message).toBe(
      'expected WAV or FLAC audio, got Ogg (Opus, Vorbis or FLAC in Ogg): convert it first, e.g. `ffmpeg -i input output.flac` or `sox input output.wav`',
    );
  });
});
