import {
  type ApiClient,
  ApiClientError,
  type ClassifyResponse,
  createApiClient,
} from '../../../core/client/api-client.ts';

/**
 * A classification with its probabilities and top label (the API gives null for both when it has none). A
 * streamed window has no timing of its own (null).
 */
export type Classified = Omit<ClassifyResponse, 'timing'> & {
  probabilities: Record<string, number>;
  top: NonNullable<ClassifyResponse['top']>;
  timing: ClassifyResponse['timing'] | null;
};

/** What one clip came back as; every failure keeps the words the user should see. */
export type ClassifyOutcome =
  | { kind: 'result'; response: Classified }
  | { kind: 'no-speech'; message: string }
  | { kind: 'too-short'; message: string }
  | { kind: 'server-error'; status: number; code: string; message: string }
  | { kind: 'unreachable'; message: string };

/** The API client for a base address; an empty base means the page's own origin. */
export function demoClient(base: string, origin: string, fetchImpl?: typeof fetch): ApiClient {
  return createApiClient({ baseUrl: base.trim() === '' ? origin : base.trim(), fetch: fetchImpl });
}

/**
 * Sends one WAV clip and sorts the answer into the outcomes the page distinguishes. The function answers
 * 200 without probabilities when a clip has no speech (`outcome: 'no_speech'`) or is too short
 * (`outcome: 'too_short'`); errors come as `{ error: { code, message } }`, whose message is kept verbatim.
 */
export async function classifyClip(
  api: ApiClient,
  wav: Uint8Array<ArrayBuffer>,
  /** A model id from GET /v1/models; the function's default when absent. */
  model?: string,
): Promise<ClassifyOutcome> {
  let response: ClassifyResponse;
  try {
    response = await api.classify(wav, { contentType: 'audio/wav', model });
  } catch (error) {
    if (error instanceof ApiClientError) {
      return { kind: 'server-error', status: error.status, code: error.code, message: error.message };
    }
    return {
      kind: 'unreachable',
      message: `could not reach the function at ${api.baseUrl} (${(error as Error).message})`,
    };
  }
  if (response.outcome === 'too_short') {
    return { kind: 'too-short', message: 'the clip was too short to classify' };
  }
  if (response.outcome === 'no_speech' || response.speechDetected === false) {
    return { kind: 'no-speech', message: 'no speech detected in this clip' };
  }
  if (response.probabilities === null || response.top === null || !Array.isArray(response.labels)) {
    return {
      kind: 'server-error',
      status: 200,
      code: 'unexpected_response',
      message: `expected a classification, got: ${JSON.stringify(response).slice(0, 200)}`,
    };
  }
  return { kind: 'result', response: response as Classified };
}
