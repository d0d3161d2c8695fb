/**
 * A typed client for the classify API: one function per endpoint, the answers typed by the same zod schemas
 * that validate them on the server (imported as types only, so the client pulls in no server code). Runs
 * anywhere `fetch` does: browsers (the demo uses it), Node, Workers.
 *
 *   const api = createApiClient({ baseUrl: 'https://ser.example' });
 *   const answer = await api.classify(await readFile('clip.wav'), { segment: 3 });
 *   console.log(answer.top?.label, answer.analysis?.classifiedSeconds);
 */
import type { ErrorEnvelope } from '../contracts/api-errors.ts';
import type { ClassifyResponse } from '../contracts/classify-api.ts';
import type { HealthResponse } from '../contracts/health-api.ts';
import type { ModelsResponse } from '../contracts/models-api.ts';

export type { ClassifyResponse, HealthResponse, ModelsResponse };

export interface ApiClientOptions {
  /** Where the API is served, e.g. `https://ser.example` or `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface ClassifyOptions {
  /** A model id from `models()`; default: the server's default model. */
  model?: string;
  /** Answer over these of the model's labels only (at least two), renormalised; default: all of them. */
  labels?: readonly string[];
  /** Cut the clip into segments of this many seconds, each with its own result in `timeline`. */
  segment?: number;
  /** Classify a window of the model's input every this many seconds, as GET /v1/stream does (not with segment). */
  hop?: number;
  /** Attention weights over time, for models that have them. */
  attention?: boolean;
  /** A 422 error instead of a 200 answer for a clip that is too short or has no speech. */
  strict?: boolean;
  /** The body's media type; default: `audio/flac` when the bytes start with `fLaC`, else `audio/wav`. */
  contentType?: string;
}

/** An answer other than 2xx: the envelope's code and message, or what came back instead of one. */
export class ApiClientError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiClientError';
    this.status = status;
    this.code = code;
  }
}

export interface ApiClient {
  /** The address the client calls, as given. */
  readonly baseUrl: string;
  classify(audio: Uint8Array | ArrayBuffer | Blob, options?: ClassifyOptions): Promise<ClassifyResponse>;
  models(): Promise<ModelsResponse>;
  health(): Promise<HealthResponse>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mediaTypeOf(audio: Uint8Array | ArrayBuffer | Blob): string {
  if (audio instanceof Blob) return audio.type || 'audio/wav';
  const bytes = audio instanceof Uint8Array ? audio : new Uint8Array(audio);
  const flac = bytes[0] === 0x66 && bytes[1] === 0x4c && bytes[2] === 0x61 && bytes[3] === 0x43;
  return flac ? 'audio/flac' : 'audio/wav';
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const url = (path: string) => new URL(path, options.baseUrl).href;

  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await fetchImpl(url(path), init);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = isRecord(body) && isRecord(body.error) ? (body as ErrorEnvelope).error : undefined;
      throw new ApiClientError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    if (body === undefined) {
      throw new ApiClientError(
        response.status,
        'unexpected_response',
        `expected JSON from ${path}, got: ${text.slice(0, 200)}`,
      );
    }
    return body as T;
  }

  return {
    baseUrl: options.baseUrl,
    classify(audio, classifyOptions = {}) {
      const query = new URLSearchParams();
      if (classifyOptions.model !== undefined) query.set('model', classifyOptions.model);
      if (classifyOptions.labels !== undefined) query.set('labels', classifyOptions.labels.join(','));
      if (classifyOptions.segment !== undefined) query.set('segment', String(classifyOptions.segment));
      if (classifyOptions.hop !== undefined) query.set('hop', String(classifyOptions.hop));
      if (classifyOptions.attention) query.set('attention', '1');
      if (classifyOptions.strict) query.set('strict', '1');
      const search = query.size > 0 ? `?${query}` : '';
      return call<ClassifyResponse>(`/v1/classify${search}`, {
        method: 'POST',
        headers: { 'Content-Type': classifyOptions.contentType ?? mediaTypeOf(audio) },
        body: audio as BodyInit,
      });
    },
    models: () => call<ModelsResponse>('/v1/models'),
    health: () => call<HealthResponse>('/healthz'),
  };
}
