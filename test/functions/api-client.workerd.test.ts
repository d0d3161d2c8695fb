import { describe, expect, it } from 'vitest';
import { ApiClientError, createApiClient } from '../../core/client/api-client.ts';
import { app, env, speechWav } from '../workers/harness.ts';

const requests: { url: string; contentType: string | null }[] = [];
const api = createApiClient({
  baseUrl: 'http://worker.test',
  fetch: async (input, init) => {
    const request = new Request(input, init);
    requests.push({ url: request.url, contentType: request.headers.get('content-type') });
    return app.request(request, undefined, env);
  },
});

describe('the typed API client', () => {
  it('classifies a WAV clip, sending its query options', async () => {
    const answer = await api.classify(speechWav(), { segment: 1, attention: true });
    expect(answer.outcome).toBe('classified');
    expect(answer.timeline?.length).toBeGreaterThan(1);
    expect(requests.at(-1)).toEqual({
      url: 'http://worker.test/v1/classify?segment=1&attention=1',
      contentType: 'audio/wav',
    });
  });

  it('sends the labels to answer over', async () => {
    const answer = await api.classify(speechWav(), { labels: ['sad', 'happy'] });
    expect(answer.labels).toEqual(['happy', 'sad']);
    expect(requests.at(-1)?.url).toBe('http://worker.test/v1/classify?labels=sad%2Chappy');
  });

  it('lists the models and reports health', async () => {
    const models = await api.models();
    expect(models.models.map((model) => model.id)).toContain('tiny-blstm');
    expect(await api.health()).toMatchObject({ status: 'ok' });
  });

  it('throws the error envelope as an ApiClientError with its status and code', async () => {
    const error = await api.classify(new Uint8Array([1, 2, 3]), { model: 'nope' }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({ status: 404, code: 'unknown_model' });
    expect(error.message).toMatch(/^expected one of tiny-blstm, tiny-cnn, got 'nope'$/);
  });

  it('labels FLAC bytes audio/flac', async () => {
    const flac = new Uint8Array([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 0]);
    const error = await api.classify(flac).catch((caught) => caught);
    expect(requests.at(-1)?.contentType).toBe('audio/flac');
    expect(error).toMatchObject({ status: 400, code: 'malformed_audio' });
  });
});
