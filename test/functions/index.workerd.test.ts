import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { bundledModels } from '../../functions/model/bundled-models.ts';
import { app, env, expectError } from '../workers/harness.ts';

// The deployed entry (functions/index.ts) serves whatever `npm run models:bundle` generated.
const published = bundledModels.registry?.models ?? [];

describe('the Worker entry', () => {
  it('answers /healthz with the bundled models', async () => {
    const response = await SELF.fetch('http://worker.test/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', models: published.length });
  });

  it('lists the bundled registry on /v1/models', async () => {
    const response = await SELF.fetch('http://worker.test/v1/models');
    const body = (await response.json()) as { default: string | null; models: { id: string }[] };
    expect(body.default).toBe(bundledModels.registry?.default ?? null);
    expect(body.models.map((model) => model.id)).toEqual(published);
  });

  it('answers classify requests: 503 no_models until a model is published', async () => {
    const response = await SELF.fetch('http://worker.test/v1/classify', {
      method: 'POST',
      headers: { 'content-type': 'audio/wav' },
      body: new Uint8Array(env.SPEECH_WAV),
    });
    if (published.length === 0) await expectError(response, 503, 'no_models');
    else expect(response.status).toBe(200);
  });

  it('keeps unknown API paths as JSON errors', async () => {
    await expectError(await SELF.fetch('http://worker.test/v1/unknown'), 404, 'not_found');
  });
});

describe('site paths reaching the Worker', () => {
  const site = { fetch: async (request: Request) => new Response(`site:${new URL(request.url).pathname}`) };

  it('hands GET requests outside the API to the static assets', async () => {
    const response = await app.request('/demo/', {}, { ...env, ASSETS: site });
    expect(await response.text()).toBe('site:/demo/');
  });

  it('never hands API paths or non-GET requests to the assets', async () => {
    await expectError(await app.request('/v1/missing', {}, { ...env, ASSETS: site }), 404, 'not_found');
    await expectError(
      await app.request('/demo/', { method: 'POST' }, { ...env, ASSETS: site }),
      404,
      'not_found',
    );
  });
});
