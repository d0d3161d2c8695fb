/** Shared by the workerd suites: the app on the fixture models, and request helpers. */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../core/contracts/api-errors.ts';
import type { ClassifyResponse } from '../../core/contracts/classify-api.ts';
import { createApp } from '../../functions/app.ts';
import { audioKernelBytes, prepareWorkerAudio } from '../../functions/runtime/worker-audio.ts';
import {
  compileWorkerNetwork,
  networkKernelBytes,
  prepareWorkerBackend,
} from '../../functions/runtime/worker-backend.ts';
import { bundledModels } from '../fixtures/models/bundled.ts';

export { env };

// Uploads decode and give features as in the Worker entry (functions/index.ts): through the front end's wasm loops.
prepareWorkerAudio();

/** The real app factory serving the tiny fixture models as the Worker does: compiled, tfjs's WASM backend beside. */
export const app = createApp({
  models: bundledModels,
  prepareBackend: prepareWorkerBackend,
  compileNetwork: compileWorkerNetwork,
  kernelBytes: () => audioKernelBytes() + networkKernelBytes(),
});

export const ALLOWED_ORIGIN = 'http://localhost:4321';
export const REFUSED_ORIGIN = 'https://evil.example';

export function call(path: string, init?: RequestInit): Promise<Response> {
  return Promise.resolve(app.request(path, init, env));
}

export interface ClassifyRequest {
  query?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** POST /v1/classify with a raw body (Content-Type audio/wav unless told otherwise; null sends none). */
export function postClassify(
  body: Uint8Array | string | ReadableStream<Uint8Array> | null,
  request: ClassifyRequest = {},
): Promise<Response> {
  const headers = new Headers(request.headers);
  const contentType = request.contentType === undefined ? 'audio/wav' : request.contentType;
  if (contentType !== null) headers.set('content-type', contentType);
  const query = request.query ? `?${request.query}` : '';
  // A copy types the bytes as BodyInit (encodeWav returns a Uint8Array over ArrayBufferLike).
  const payload = body instanceof Uint8Array ? new Uint8Array(body) : body;
  return call(`/v1/classify${query}`, { method: 'POST', body: payload, headers });
}

export function speechWav(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(env.SPEECH_WAV.slice(0));
}

export async function expectClassification(response: Response): Promise<ClassifyResponse> {
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body as ClassifyResponse;
}

/** Asserts the error envelope, its status and code, and returns the message. */
export async function expectError(response: Response, status: number, code: string): Promise<string> {
  const text = await response.text();
  expect(`${response.status} ${text}`).toMatch(new RegExp(`^${status} `));
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorEnvelope;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}
