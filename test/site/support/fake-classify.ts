import { decodeWav, WavError } from '../../../core/audio/wav.ts';
import type { ModelsResponse } from '../../../core/contracts/models-api.ts';
import type { RouteHandler } from './site-server.ts';

export const FAKE_LABELS = ['angry', 'happy', 'neutral', 'sad'];

/** What the fake function saw of each clip it was sent. */
export interface ReceivedClip {
  contentType: string | undefined;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  durationSeconds: number;
  rms: number;
}

const send = (response: Parameters<RouteHandler>[1], status: number, body: unknown) =>
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** The models the fake function lists, the first its default. */
export const FAKE_MODELS = ['fake-function', 'fake-function-noise'];

/** `GET /v1/models` of the fake function, in the API's shape. */
function fakeModels(): ModelsResponse {
  return {
    default: FAKE_MODELS[0],
    models: FAKE_MODELS.map((id) => ({
      id,
      version: '0.0.0',
      architecture: 'fake',
      labels: FAKE_LABELS,
      parameters: 0,
      hasAttention: false,
      compiled: true,
      compileNote: 'compiled',
      input: {
        mediaTypes: ['audio/wav'],
        sampleRate: 16_000,
        minDurationSeconds: 1,
        maxDurationSeconds: 60,
        maxBodyBytes: 10_000_000,
        featureSet: 'logmel40',
        inputFrames: 188,
        inputSeconds: 3,
      },
      metrics: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    })),
  };
}

/**
 * Stands in for the Worker's `POST /v1/classify` and `GET /v1/models` while it is not available: accepts only
 * what the demo must send (16 kHz mono 16-bit WAV with `Content-Type: audio/wav`), answers in the function's
 * response shape with probabilities that depend on the clip's loudness, and says "no speech" for near-silent
 * clips. A `model` query names the model that answers, as the function's does.
 */
export function fakeClassify(received: ReceivedClip[]): RouteHandler {
  return (request, response, body) => {
    if (request.method === 'GET' && request.url === '/v1/models') {
      send(response, 200, fakeModels());
      return true;
    }
    if (request.method !== 'POST' || !request.url?.startsWith('/v1/classify')) return false;
    const model = new URL(request.url, 'http://localhost').searchParams.get('model') ?? FAKE_MODELS[0];
    if (!FAKE_MODELS.includes(model)) {
      send(
        response,
        404,
        errorBody('unknown_model', `expected one of ${FAKE_MODELS.join(', ')}, got ${model}`),
      );
      return true;
    }
    const contentType = request.headers['content-type'];
    if (contentType !== 'audio/wav') {
      send(
        response,
        415,
        errorBody('unsupported_media_type', `expected Content-Type audio/wav, got ${contentType}`),
      );
      return true;
    }
    let decoded: ReturnType<typeof decodeWav>;
    try {
      decoded = decodeWav(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    } catch (error) {
      if (!(error instanceof WavError)) throw error;
      send(response, 400, errorBody('malformed_audio', error.message));
      return true;
    }
    const { info, channels } = decoded;
    const samples = channels[0];
    const rms = Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / Math.max(1, samples.length));
    received.push({ contentType, ...info, rms });
    if (info.sampleRate !== 16_000 || info.channels !== 1 || info.bitsPerSample !== 16) {
      const found = `${info.sampleRate} Hz, ${info.channels} channels, ${info.bitsPerSample}-bit`;
      send(response, 400, errorBody('malformed_audio', `expected 16 kHz mono 16-bit WAV, got ${found}`));
      return true;
    }
    const speechDetected = rms > 0.003;
    // Louder clips lean towards "angry", quieter ones towards "sad": arbitrary but deterministic.
    const loudness = Math.min(1, rms * 10);
    const raw = [0.2 + loudness, 0.5, 0.3, 0.2 + (1 - loudness)];
    const total = raw.reduce((sum, x) => sum + x, 0);
    const probabilities = Object.fromEntries(FAKE_LABELS.map((label, i) => [label, raw[i] / total]));
    const best = FAKE_LABELS.reduce((a, b) => (probabilities[b] > probabilities[a] ? b : a));
    send(response, 200, {
      model: { id: model, version: '0.0.0' },
      labels: FAKE_LABELS,
      outcome: speechDetected ? 'classified' : 'no_speech',
      speechDetected,
      // As the API does: the seconds of speech the answer rests on (here the whole clip's when it has speech).
      speechSeconds: speechDetected ? info.durationSeconds : 0,
      durationSeconds: info.durationSeconds,
      probabilities: speechDetected ? probabilities : null,
      top: speechDetected ? { label: best, confidence: probabilities[best] } : null,
      attention: null,
      timeline: null,
      timing: { decodeMs: 0, modelLoadMs: 0, featuresMs: 1, inferenceMs: 1, totalMs: 2 },
    });
    return true;
  };
}
