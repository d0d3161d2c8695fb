import { describe, expect, it } from 'vitest';
import { classifyClip, demoClient } from '../../../../site/src/demo/classify-client.ts';

const wav = new Uint8Array(44);
const classification = {
  model: { id: 'tiny-blstm', version: '0.0.1' },
  labels: ['angry', 'happy'],
  outcome: 'classified',
  speechDetected: true,
  durationSeconds: 3,
  probabilities: { angry: 0.2, happy: 0.8 },
  top: { label: 'happy', confidence: 0.8 },
};

/** A fetch that records its request and answers with a fixed status and body. */
function answering(status: number, body: unknown) {
  const requests: { url: string; init?: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    requests.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { fetchImpl, requests };
}

describe('demoClient', () => {
  it('defaults to the page origin and accepts another base', async () => {
    const page = answering(200, classification);
    await classifyClip(demoClient('', 'http://localhost:4321', page.fetchImpl), wav);
    expect(page.requests[0].url).toBe('http://localhost:4321/v1/classify');
    const other = answering(200, classification);
    await classifyClip(demoClient(' http://127.0.0.1:8787 ', 'http://x', other.fetchImpl), wav);
    expect(other.requests[0].url).toBe('http://127.0.0.1:8787/v1/classify');
  });
});

describe('classifyClip', () => {
  it('posts the WAV with Content-Type audio/wav and returns the classification', async () => {
    const { fetchImpl, requests } = answering(200, classification);
    const outcome = await classifyClip(demoClient('http://f', 'http://page', fetchImpl), wav);
    expect(outcome).toEqual({ kind: 'result', response: classification });
    expect(requests[0].init?.method).toBe('POST');
    expect(new Headers(requests[0].init?.headers).get('content-type')).toBe('audio/wav');
    expect(requests[0].init?.body).toBe(wav);
  });

  it('reports no speech when the function says so, with or without probabilities', async () => {
    const noSpeech = {
      ...classification,
      outcome: 'no_speech',
      speechDetected: false,
      probabilities: null,
      top: null,
    };
    expect(
      (await classifyClip(demoClient('http://f', 'http://page', answering(200, noSpeech).fetchImpl), wav))
        .kind,
    ).toBe('no-speech');
    const briefShape = { ...classification, speechDetected: false };
    expect(
      (await classifyClip(demoClient('http://f', 'http://page', answering(200, briefShape).fetchImpl), wav))
        .kind,
    ).toBe('no-speech');
  });

  it('reports a clip too short to classify', async () => {
    const tooShort = { ...classification, outcome: 'too_short', probabilities: null, top: null };
    expect(
      (await classifyClip(demoClient('http://f', 'http://page', answering(200, tooShort).fetchImpl), wav))
        .kind,
    ).toBe('too-short');
  });

  it('keeps the server error message exactly as the server wrote it', async () => {
    const envelope = { error: { code: 'malformed_audio', message: "expected a 'RIFF' header, got 'OggS'" } };
    expect(
      await classifyClip(demoClient('http://f', 'http://page', answering(400, envelope).fetchImpl), wav),
    ).toEqual({
      kind: 'server-error',
      status: 400,
      code: 'malformed_audio',
      message: "expected a 'RIFF' header, got 'OggS'",
    });
  });

  it('describes a non-envelope error body by its status and text', async () => {
    const outcome = await classifyClip(
      demoClient('http://f', 'http://page', answering(502, 'Bad gateway').fetchImpl),
      wav,
    );
    expect(outcome).toMatchObject({ kind: 'server-error', status: 502, code: 'http_502' });
    expect(outcome.kind === 'server-error' && outcome.message).toContain('Bad gateway');
  });

  it('treats a network failure as an unreachable function, naming the address', async () => {
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const outcome = await classifyClip(demoClient('http://127.0.0.1:9', 'http://page', refused), wav);
    expect(outcome.kind).toBe('unreachable');
    expect(outcome.kind === 'unreachable' && outcome.message).toBe(
      'could not reach the function at http://127.0.0.1:9 (Failed to fetch)',
    );
  });

  it('flags a 200 that is not a classification', async () => {
    const outcome = await classifyClip(
      demoClient('http://f', 'http://page', answering(200, { hello: 'world' }).fetchImpl),
      wav,
    );
    expect(outcome).toMatchObject({ kind: 'server-error', code: 'unexpected_response' });
  });
});
