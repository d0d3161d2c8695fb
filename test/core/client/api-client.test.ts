import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../core/client/api-client.ts';
import { ClassifyQuerySchema } from '../../../core/contracts/classify-api.ts';

describe('createApiClient', () => {
  it('can send every query parameter POST /v1/classify takes, named as its schema names them', async () => {
    const urls: string[] = [];
    const api = createApiClient({
      baseUrl: 'http://h',
      fetch: (async (url: string) => {
        urls.push(url);
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch,
    });
    await api.classify(new Uint8Array(4), {
      model: 'm',
      labels: ['sad', 'angry'],
      segment: 3,
      hop: 1,
      attention: true,
      strict: true,
    });
    const query = new URL(urls[0]).searchParams;
    expect([...query.keys()].sort()).toEqual(Object.keys(ClassifyQuerySchema.shape).sort());
    expect(Object.fromEntries(query)).toEqual({
      model: 'm',
      labels: 'sad,angry',
      segment: '3',
      hop: '1',
      attention: '1',
      strict: '1',
    });
    // The schema takes what the client sends.
    expect(ClassifyQuerySchema.safeParse(Object.fromEntries(query)).success).toBe(true);
  });
});
