/** The parts of a `POST /v1/classify` answer the demo uses (the function sends more, e.g. timing). */
export interface ClassifyResponse {
  model: { id: string; version: string };
  labels: string[];
  probabilities: Record<string, number>;
  top: { label: string; confidence: number };
  durationSeconds: number;
  speechDetected: boolean;
}

/** What one clip came back as; every failure keeps the words the user should see. */
export type ClassifyOutcome =
  | { kind: 'result'; response: ClassifyResponse }
  | { kind: 'no-speech'; message: string }
  | { kind: 'too-short'; message: string }
  | { kind: 'server-error'; status: number; code: string; message: string }
  | { kind: 'unreachable'; message: string };

/** The classify endpoint under a base address; an empty base means the page's own origin. */
export function classifyUrl(base: string, origin: string): string {
  return new URL('/v1/classify', base.trim() === '' ? origin : base.trim()).href;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isClassification(body: Record<string, unknown>): body is Record<string, unknown> & ClassifyResponse {
  const { labels, probabilities, top, model } = body;
  return (
    Array.isArray(labels) &&
    isRecord(probabilities) &&
    labels.every((label) => typeof label === 'string' && typeof probabilities[label] === 'number') &&
    isRecord(top) &&
    typeof top.label === 'string' &&
    typeof top.confidence === 'number' &&
    isRecord(model)
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends one WAV clip and sorts the answer into the outcomes the page distinguishes. The function answers
 * 200 without probabilities when a clip has no speech (`speechDetected: false`) or is too short
 * (`outcome: 'too_short'`); errors come as `{ error: { code, message } }`, whose message is kept verbatim.
 */
export async function classifyClip(
  url: string,
  wav: Uint8Array<ArrayBuffer>,
  fetchImpl: typeof fetch = fetch,
): Promise<ClassifyOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, { method: 'POST', headers: { 'Content-Type': 'audio/wav' }, body: wav });
    text = await response.text();
  } catch (error) {
    return {
      kind: 'unreachable',
      message: `could not reach the function at ${url} (${(error as Error).message})`,
    };
  }
  const body = parseJson(text);
  if (!response.ok) {
    const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message =
      typeof error?.message === 'string'
        ? error.message
        : `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 200)}`.trim();
    return { kind: 'server-error', status: response.status, code, message };
  }
  if (isRecord(body) && body.outcome === 'too_short') {
    return { kind: 'too-short', message: 'the clip was too short to classify' };
  }
  if (isRecord(body) && (body.speechDetected === false || body.outcome === 'no_speech')) {
    return { kind: 'no-speech', message: 'no speech detected in this clip' };
  }
  if (!isRecord(body) || !isClassification(body)) {
    return {
      kind: 'server-error',
      status: response.status,
      code: 'unexpected_response',
      message: `expected a classification from ${url}, got: ${text.slice(0, 200)}`,
    };
  }
  return { kind: 'result', response: body };
}
