import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import type { HealthResponse } from '../../core/contracts/health-api.ts';
import type { ModelsResponse } from '../../core/contracts/models-api.ts';
import { STREAM_CLOSE_CODES } from '../../core/contracts/stream-close-codes.ts';
import { MAX_STREAM_RATE, MIN_STREAM_RATE } from '../../core/contracts/stream-protocol.ts';
import { createApp } from '../../functions/app.ts';
import { initWasmBackend } from '../../functions/runtime/wasm-backend.ts';
import { silence, speechLike, whiteNoise } from '../fixtures/audio/synthetic.ts';
import { bundledModels } from '../fixtures/models/bundled.ts';
import expected from '../fixtures/models/expected-speech.json' with { type: 'json' };
import {
  ALLOWED_ORIGIN,
  call,
  env,
  expectClassification,
  expectError,
  postClassify,
  REFUSED_ORIGIN,
  speechWav,
} from '../workers/harness.ts';

// Workerd (wasm backend) against Node (cpu backend) for the same model and clip.
const TOLERANCE = 1e-4;

function expectClose(actual: readonly number[], reference: readonly number[]): void {
  expect(actual.length).toBe(reference.length);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - reference[i])));
  expect(worst).toBeLessThan(TOLERANCE);
}

describe('GET /healthz', () => {
  it('answers ok with the number of served models', async () => {
    const response = await call('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', models: 2 });
  });

  it("adds tfjs's and the kernels' memory with memory=1: compiled models classify without bringing tfjs up", async () => {
    const memory = async () => {
      const response = await call('/healthz?memory=1');
      expect(response.status).toBe(200);
      const body = (await response.json()) as HealthResponse;
      expect(body).toMatchObject({ status: 'ok', models: 2 });
      return body.memory;
    };
    await expectClassification(await postClassify(speechWav()));
    const warm = await memory();
    expect(warm).toEqual({
      backend: null,
      tensors: 0,
      tensorBytes: 0,
      wasmBytes: null,
      kernelBytes: expect.any(Number),
    });
    // The network, LSTM, resampler and feature kernels' memories: at least a page each, then steady.
    expect(warm?.kernelBytes).toBeGreaterThanOrEqual(4 * 65536);
    await expectClassification(await postClassify(speechWav(), { query: 'attention=1&segment=1' }));
    expect(await memory()).toEqual(warm);
    expect((await call('/healthz?memory=0').then((response) => response.json())) as object).toEqual({
      status: 'ok',
      models: 2,
    });
  });

  it('refuses a memory value other than 0, 1, true or false', async () => {
    expect(await expectError(await call('/healthz?memory=yes'), 400, 'invalid_query')).toBe(
      "expected memory to be 0, 1, true or false, got 'yes'",
    );
  });
});

describe('GET /v1/models', () => {
  it('lists the served models with labels, input requirements from [vars] and published metrics', async () => {
    const response = await call('/v1/models');
    expect(response.status).toBe(200);
    const body = (await response.json()) as ModelsResponse;
    expect(body.default).toBe('tiny-blstm');
    expect(body.models.map((model) => model.id)).toEqual(['tiny-blstm', 'tiny-cnn']);
    const [blstm, cnn] = body.models;
    expect(blstm.labels).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(blstm.hasAttention).toBe(true);
    expect(cnn.hasAttention).toBe(false);
    // The Worker compiles both at start-up.
    expect(body.models.map(({ compiled, compileNote }) => [compiled, compileNote])).toEqual([
      [true, 'compiled'],
      [true, 'compiled'],
    ]);
    expect(blstm.parameters).toBe(2781);
    expect(blstm.input).toEqual({
      mediaTypes: [
        'audio/wav',
        'audio/x-wav',
        'audio/wave',
        'audio/flac',
        'audio/x-flac',
        'application/octet-stream',
        'multipart/form-data',
      ],
      sampleRate: 16000,
      minDurationSeconds: Number(env.MIN_DURATION_SECONDS),
      maxDurationSeconds: Number(env.MAX_DURATION_SECONDS),
      maxBodyBytes: Number(env.MAX_BODY_BYTES),
      featureSet: 'logmel40',
      inputFrames: 125,
      inputSeconds: (124 * 256) / 16000,
    });
    expect(blstm.metrics[0]).toMatchObject({ protocol: 'none', ua: 0.25 });
  });
});

describe('GET /asyncapi.json', () => {
  it("describes the stream's messages with the schemas the route validates against", async () => {
    const response = await call('/asyncapi.json');
    expect(response.status).toBe(200);
    /** A JSON Schema, read only as far as the checks below go. */
    type Schema = { properties: Record<string, Schema>; enum?: string[]; minimum?: number; maximum?: number };
    const document = (await response.json()) as {
      asyncapi: string;
      servers: { this: { host: string; protocol: string } };
      channels: { stream: { address: string; messages: Record<string, { payload: Schema }> } };
      operations: Record<string, { action: string; messages: { $ref: string }[] }>;
    };
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.servers.this.protocol).toMatch(/^wss?$/);
    const { address, messages } = document.channels.stream;
    expect(address).toBe('/v1/stream');
    expect(Object.keys(messages).sort()).toEqual([
      'client-audio',
      'client-end',
      'client-start',
      'client-summary',
      'server-error',
      'server-ready',
      'server-summary',
      'server-window',
    ]);
    const start = messages['client-start'].payload;
    expect(start.properties.sampleRate).toMatchObject({ minimum: MIN_STREAM_RATE, maximum: MAX_STREAM_RATE });
    expect(start.properties.format.enum).toEqual(['pcm16', 'float32']);
    expect(messages['server-error'].payload.properties.error.properties.code.enum).toEqual(
      Object.keys(STREAM_CLOSE_CODES),
    );
    for (const [name, operation] of Object.entries(document.operations)) {
      const prefix = operation.action === 'send' ? 'client-' : 'server-';
      expect(operation.messages.length, name).toBeGreaterThan(0);
      for (const { $ref } of operation.messages) expect($ref).toContain(`/messages/${prefix}`);
    }
  });
});

describe('GET /openapi.json and /docs', () => {
  it('generates OpenAPI 3.1 from the zod schemas of every route', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: object }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/healthz',
      '/v1/classify',
      '/v1/models',
      '/v1/stream',
    ]);
    const classify = document.paths['/v1/classify'].post;
    expect(classify.parameters?.map((parameter) => parameter.name)).toEqual([
      'model',
      'labels',
      'segment',
      'hop',
      'attention',
      'strict',
    ]);
    expect(Object.keys(classify.responses)).toEqual(['200', '400', '404', '413', '415', '422', '500', '503']);
    const health = document.paths['/healthz'].get;
    expect(health.parameters?.map((parameter) => parameter.name)).toEqual(['memory']);
    expect(Object.keys(health.responses)).toEqual(['200', '400', '500']);
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(operations.map((operation) => (operation as { operationId?: string }).operationId)).toEqual([
      'health',
      'listModels',
      'classify',
      'stream',
    ]);
    const stream = document.paths['/v1/stream'].get;
    expect(stream.parameters?.map((parameter) => parameter.name)).toEqual(['model', 'labels', 'attention']);
    expect(Object.keys(stream.responses)).toEqual(['101', '400', '404', '426', '500', '503']);
    for (const operation of operations) expect(Object.keys(operation.responses)).toContain('500');
    expect((document as unknown as { servers: unknown }).servers).toEqual([
      { url: '/', description: 'This deployment' },
    ]);
    expect((document as unknown as { info: { license: unknown } }).info.license).toEqual({
      name: 'MIT',
      identifier: 'MIT',
    });
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Classification',
        'Error',
        'Model',
        'Models',
        'Health',
        'HealthMemory',
        'TimelineWindow',
      ]),
    );
    // Arousal and valence say where they come from and where their agreement with held-out clips is shown.
    const { Dimensions } = document.components.schemas as Record<string, { description?: string }>;
    expect(Dimensions.description).toContain('NRC VAD Lexicon v1');
    expect(Dimensions.description).toContain('/api/#dimension-agreement');
  });

  it('serves a readable HTML page of the same document', async () => {
    const response = await call('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<code>POST /v1/classify</code>');
    expect(html).toContain('<code>GET /v1/models</code>');
    expect(html).toContain('<code>no_speech</code>');
    // The site's navigation, and a form that posts a clip without any script.
    for (const href of ['/', '/data/', '/api/', '/demo/']) expect(html).toContain(`<a href="${href}">`);
    expect(html).toMatch(
      /<form method="post" action="\/v1\/classify\?segment=3" enctype="multipart\/form-data">/,
    );
    expect(html).toContain('<input type="file" name="file"');
  });

  it('classifies what the docs page form posts', async () => {
    const form = new FormData();
    form.append('file', new File([speechWav()], 'clip.wav', { type: 'audio/wav' }));
    const result = await expectClassification(
      await call('/v1/classify?segment=3', { method: 'POST', body: form }),
    );
    expect(result.timeline?.length).toBe(1);
  });
});

describe('POST /v1/classify on the espeak-ng clip', () => {
  it('gives the same probabilities, windows and attention in workerd as the same model in Node', async () => {
    const response = await postClassify(speechWav(), { query: 'attention=1' });
    const result = await expectClassification(response);
    const reference = expected['tiny-blstm'].clip;
    expect(result.model).toEqual({ id: 'tiny-blstm', version: '0.0.1' });
    expect(result.labels).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(result.outcome).toBe('classified');
    expect(result.speechDetected).toBe(true);
    expect(result.durationSeconds).toBeCloseTo(50437 / 16000, 3);
    expectClose(Object.values(result.probabilities ?? {}), reference.probabilities);
    const best = reference.probabilities.indexOf(Math.max(...reference.probabilities));
    expect(result.top).toEqual({
      label: result.labels[best],
      confidence: result.probabilities?.[result.labels[best]],
    });
    // 3.15 s of audio in windows of the model's 2 s input: the attention is per window, in the timeline.
    expect(result.attention).toBeNull();
    expect(result.analysis).toMatchObject({
      windowSeconds: 1.984,
      windows: reference.windows.length,
      classifiedWindows: reference.windows.filter((window) => window.probabilities !== null).length,
    });
    expect(result.timeline).toHaveLength(reference.windows.length);
    for (const [index, window] of (result.timeline ?? []).entries()) {
      const expectedWindow = reference.windows[index];
      expect(window.startSeconds).toBeCloseTo(expectedWindow.startSeconds, 4);
      expect(window.speechSeconds).toBeCloseTo(expectedWindow.speechSeconds, 4);
      expectClose(Object.values(window.probabilities ?? {}), expectedWindow.probabilities ?? []);
      expect(window.attention?.startSeconds).toBeCloseTo(expectedWindow.attention?.startSeconds ?? -1, 4);
      expectClose(window.attention?.weights ?? [], expectedWindow.attention?.weights ?? []);
    }
    expect(response.headers.get('server-timing')).toMatch(/inference;dur=[\d.]+/);
    expect(result.timing.totalMs).toBeGreaterThanOrEqual(result.timing.inferenceMs);
  });

  it('serves another model by id, without attention when it has none', async () => {
    const result = await expectClassification(
      await postClassify(speechWav(), { query: 'model=tiny-cnn&attention=1' }),
    );
    expect(result.model.id).toBe('tiny-cnn');
    expectClose(Object.values(result.probabilities ?? {}), expected['tiny-cnn'].clip.probabilities);
    expect(result.attention).toBeNull();
  });

  it('answers over the labels asked for: their probabilities renormalised, in the model order', async () => {
    const full = await expectClassification(await postClassify(speechWav()));
    const result = await expectClassification(await postClassify(speechWav(), { query: 'labels=sad,angry' }));
    expect(result.labels).toEqual(['angry', 'sad']);
    const renormalised = (probabilities: Record<string, number> | null) => {
      const total = (probabilities?.angry ?? 0) + (probabilities?.sad ?? 0);
      return [(probabilities?.angry ?? 0) / total, (probabilities?.sad ?? 0) / total];
    };
    expect(Object.keys(result.probabilities ?? {})).toEqual(['angry', 'sad']);
    expectClose(Object.values(result.probabilities ?? {}), renormalised(full.probabilities));
    expect(['angry', 'sad']).toContain(result.top?.label);
    expect(result.timeline).toHaveLength(full.timeline?.length ?? 0);
    for (const [index, window] of (result.timeline ?? []).entries()) {
      const fullWindow = full.timeline?.[index];
      if (window.probabilities === null) continue;
      expectClose(Object.values(window.probabilities), renormalised(fullWindow?.probabilities ?? null));
    }
  });

  it('keeps the labels asked for on a clip without speech', async () => {
    const wav = encodeWav([silence(2)], 16_000);
    const result = (await (await postClassify(wav, { query: 'labels=sad,angry' })).json()) as {
      labels: string[];
      outcome: string;
    };
    expect(result).toMatchObject({ labels: ['angry', 'sad'], outcome: 'no_speech' });
  });

  it.each([
    ['labels=angry', 'expected at least 2 labels to choose between, got 1'],
    ['labels=joy,sad', "expected labels among the model's (angry, happy, neutral, sad), got 'joy'"],
    ['labels=sad,sad', "expected each label once, got 'sad' more than once"],
    ['labels=Angry,sad', "expected labels as a comma-separated list like 'angry,happy,sad', got 'Angry,sad'"],
    ['labels=', "expected labels as a comma-separated list like 'angry,happy,sad', got ''"],
    ['labels=sad,', "expected labels as a comma-separated list like 'angry,happy,sad', got 'sad,'"],
    [
      'labels=sad,,angry',
      "expected labels as a comma-separated list like 'angry,happy,sad', got 'sad,,angry'",
    ],
    [
      'labels=sad,%20angry',
      "expected labels as a comma-separated list like 'angry,happy,sad', got 'sad, angry'",
    ],
  ])('refuses %s with 400', async (query, text) => {
    expect(await expectError(await postClassify(speechWav(), { query }), 400, 'invalid_query')).toContain(
      text,
    );
  });

  it('returns a timeline of 1 s segments matching Node segment by segment, and the clip from all of them', async () => {
    const result = await expectClassification(await postClassify(speechWav(), { query: 'segment=1' }));
    const reference = expected['tiny-blstm'].windows;
    expect(result.timeline?.map((window) => [window.startSeconds, window.endSeconds])).toEqual(
      reference.map((window) => [window.startSeconds, expect.closeTo(window.endSeconds, 4)]),
    );
    const classified = (result.timeline ?? []).filter((window) => window.probabilities !== null);
    expect(classified.length).toBeGreaterThan(0);
    for (const window of result.timeline ?? []) {
      const index = reference.findIndex((candidate) => candidate.startSeconds === window.startSeconds);
      if (window.probabilities === null) {
        expect(window.speechDetected).toBe(false);
        expect(window.top).toBeNull();
      } else {
        expect(window.speechDetected).toBe(true);
        expectClose(Object.values(window.probabilities), reference[index].probabilities);
      }
    }
    expectClose(Object.values(result.probabilities ?? {}), expected['tiny-blstm'].segmentedProbabilities);
    expect(result.attention).toBeNull();
  });

  it.each(['audio/x-wav', 'audio/wave', 'audio/wav; codecs=1'])(
    'accepts Content-Type %s',
    async (contentType) => {
      const result = await expectClassification(await postClassify(speechWav(), { contentType }));
      expectClose(Object.values(result.probabilities ?? {}), expected['tiny-blstm'].clip.probabilities);
    },
  );

  it('accepts the clip as the file field of multipart/form-data', async () => {
    const form = new FormData();
    form.append('note', 'hello');
    form.append('file', new File([speechWav()], 'speech.wav', { type: 'audio/wav' }));
    const result = await expectClassification(await call('/v1/classify', { method: 'POST', body: form }));
    expectClose(Object.values(result.probabilities ?? {}), expected['tiny-blstm'].clip.probabilities);
  });

  it('classifies the same utterance as 44.1 kHz stereo float (mixed down and resampled)', async () => {
    const { samples } = decodeAudio(speechWav(), { targetRate: 44100 });
    const wav = encodeWav([samples, samples], 44100, { encoding: 'float32' });
    const result = await expectClassification(await postClassify(wav));
    expect(result.outcome).toBe('classified');
    expect(result.durationSeconds).toBeCloseTo(50437 / 16000, 2);
  });

  it('serves every fixture model compiled: no tfjs backend and no tensor across requests', async () => {
    for (let i = 0; i < 5; i++) {
      await expectClassification(
        await postClassify(speechWav(), { query: i % 2 ? 'attention=1&segment=1' : '' }),
      );
      await expectClassification(await postClassify(speechWav(), { query: 'model=tiny-cnn' }));
    }
    expect(tf.engine().backendName).toBeUndefined();
    expect(tf.engine().state.numTensors).toBe(0);
  });
});

describe('POST /v1/classify voice activity and duration outcomes', () => {
  it('classifies speech-like synthetic audio', async () => {
    const result = await expectClassification(await postClassify(encodeWav(speechLike(3).signal, 16000)));
    expect(result.outcome).toBe('classified');
    expect(result.speechDetected).toBe(true);
  });

  it.each([
    ['silence', silence(3)],
    ['white noise', whiteNoise(3, -20)],
  ])('says %s has no speech instead of inventing an emotion', async (_, signal) => {
    const result = await expectClassification(await postClassify(encodeWav(signal, 16000)));
    expect(result).toMatchObject({
      outcome: 'no_speech',
      speechDetected: false,
      probabilities: null,
      top: null,
    });
    expect(result.durationSeconds).toBe(3);
  });

  it.each([
    ['silence', silence(3)],
    ['white noise', whiteNoise(3, -20)],
  ])('answers 422 no_speech for %s with strict=1', async (_, signal) => {
    const message = await expectError(
      await postClassify(encodeWav(signal, 16000), { query: 'strict=1' }),
      422,
      'no_speech',
    );
    expect(message).toMatch(/^expected at least 0.1 s of speech, got 0(\.\d+)? s$/);
  });

  it('says a clip below MIN_DURATION_SECONDS is too short, or answers 422 with strict=1', async () => {
    const short = encodeWav(speechLike(0.3).signal, 16000);
    const result = await expectClassification(await postClassify(short));
    expect(result).toMatchObject({
      outcome: 'too_short',
      probabilities: null,
      top: null,
      durationSeconds: 0.3,
    });
    const message = await expectError(
      await postClassify(short, { query: 'strict=1' }),
      422,
      'audio_too_short',
    );
    expect(message).toBe(`expected at least ${env.MIN_DURATION_SECONDS} s of audio, got 0.3 s`);
  });
});

describe('errors', () => {
  it('answers unknown routes with the envelope', async () => {
    expect(await expectError(await call('/v1/nothing'), 404, 'not_found')).toBe(
      'expected an API route, got GET /v1/nothing',
    );
  });

  it('answers an unknown model with 404 naming the served ones', async () => {
    const message = await expectError(
      await postClassify(speechWav(), { query: 'model=nope' }),
      404,
      'unknown_model',
    );
    expect(message).toBe("expected one of tiny-blstm, tiny-cnn, got 'nope'");
  });

  it('answers 503 no_models while the registry is empty', async () => {
    const empty = createApp({ models: { registry: null, models: {} }, prepareBackend: initWasmBackend });
    const response = await empty.request(
      '/v1/classify',
      { method: 'POST', body: speechWav(), headers: { 'content-type': 'audio/wav' } },
      env,
    );
    await expectError(response, 503, 'no_models');
    expect(await (await empty.request('/v1/models', {}, env)).json()).toEqual({ default: null, models: [] });
  });

  it('turns a server-side failure into a 500 envelope that leaks nothing, logging the cause', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = createApp({
      models: bundledModels,
      prepareBackend: () => Promise.reject(new Error('secret internal detail')),
    });
    const response = await broken.request(
      '/v1/classify',
      { method: 'POST', body: speechWav(), headers: { 'content-type': 'audio/wav' } },
      env,
    );
    const message = await expectError(response, 500, 'internal_error');
    expect(message).toBe('the server failed to handle this request');
    expect(logged).toHaveBeenCalledWith(
      'POST /v1/classify: unhandled error',
      expect.objectContaining({ message: 'secret internal detail' }),
    );
    logged.mockRestore();
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    call('/v1/classify', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight(ALLOWED_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(response.headers.get('access-control-max-age')).toBe('86400');
  });

  it('gives a refused origin no allow-origin header, on preflight and on the request', async () => {
    const response = await preflight(REFUSED_ORIGIN);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const get = await call('/v1/models', { headers: { origin: REFUSED_ORIGIN } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the listed origin on a classification and exposes Server-Timing', async () => {
    const response = await postClassify(speechWav(), { headers: { origin: ALLOWED_ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toBe('Server-Timing');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it.each([
    [
      '415',
      () => postClassify('x', { contentType: 'text/plain', headers: { origin: ALLOWED_ORIGIN } }),
      415,
      'unsupported_media_type',
    ],
    ['404', () => call('/v1/nope', { headers: { origin: ALLOWED_ORIGIN } }), 404, 'not_found'],
    [
      '422',
      () =>
        postClassify(encodeWav(silence(1), 16000), {
          query: 'strict=1',
          headers: { origin: ALLOWED_ORIGIN },
        }),
      422,
      'no_speech',
    ],
  ] as const)('puts the CORS headers on a %s error too', async (_, send, status, code) => {
    const response = await send();
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    await expectError(response, status, code);
  });
});
