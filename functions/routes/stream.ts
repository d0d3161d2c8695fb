import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { labelsParameter } from '../../core/contracts/labels-parameter.ts';
import { modelParameter } from '../../core/contracts/model-parameter.ts';
import { queryFlag } from '../../core/contracts/query-flag.ts';
import type { StreamLimits } from '../../core/contracts/serve-config.ts';
import { STREAM_CLOSE_CODES, type StreamErrorCode } from '../../core/contracts/stream-close-codes.ts';
import {
  ClientMessageSchema,
  type ServerMessage,
  type SummaryMessage,
  type WindowMessage,
} from '../../core/contracts/stream-protocol.ts';
import type { ClassifiedWindow } from '../../core/serving/classify-clip.ts';
import {
  dimensionsJson,
  named,
  round,
  slidingAggregation,
  topOf,
  windowJson,
} from '../../core/serving/clip-answer.ts';
import { type LabelSubset, restrictWindow } from '../../core/serving/label-subset.ts';
import type { ModelStore, ServedModel } from '../../core/serving/model-store.ts';
import { createStreamSession, StreamError, type StreamSession } from '../../core/serving/stream-session.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError, errorDoc, INTERNAL_ERROR_DOC } from '../errors.ts';
import { openSocketPair, type ServerSocket, upgradeResponse } from '../runtime/worker-websocket.ts';
import { findLabels } from './find-labels.ts';
import { findModel } from './find-model.ts';

export const StreamQuerySchema = z.object({
  model: modelParameter(),
  labels: labelsParameter(),
  attention: queryFlag('attention').openapi({
    description: '1 or true: each window message carries attention weights (models with an attention layer).',
  }),
});

export const streamRoute = createRoute({
  method: 'get',
  path: '/v1/stream',
  operationId: 'stream',
  summary: 'Classify live audio over a WebSocket, window by window',
  description:
    'Upgrade to a WebSocket (Upgrade: websocket). Send a text message ' +
    '`{"type":"start","sampleRate":48000,"format":"pcm16"|"float32","hopSeconds":1}` (hopSeconds optional, ' +
    '0.25–60, default 1), wait for `{"type":"ready",…}`, then send mono little-endian samples as binary ' +
    'messages of any size. For each window of the model input length every hopSeconds from the start (each ' +
    'start moved back by under 80 ms onto the frames it shares with its neighbours), the ' +
    'server sends `{"type":"window",index,startSeconds,endSeconds,speechDetected,speechSeconds,probabilities,' +
    'top,dimensions,attention}` as soon as the window is complete: the same windows and answers as POST ' +
    '/v1/classify?hop= on the same audio. `{"type":"summary"}` asks for the running aggregate; `{"type":"end"}` ' +
    'ends the stream (last window, a final summary, close 1000). Errors: `{"type":"error","error":{code,' +
    'message}}`, then close 1003 (audio before start), 1007 (malformed message or samples), 1008 (second ' +
    'start, MAX_STREAM_SECONDS of audio or twice that on the clock, MAX_STREAM_BYTES, or STREAM_IDLE_SECONDS ' +
    'without audio), 1009 (a message ' +
    'over MAX_STREAM_MESSAGE_BYTES) or 1011 (internal). Limits come from [vars] and are repeated in `ready`. ' +
    'Flow: messages are handled one at a time, in order, each to the end (audio synchronously) before the next, ' +
    'so the Worker holds no backlog of its own; audio sent faster than real time (a whole file at once) is ' +
    'classified as fast as it comes, and MAX_STREAM_BYTES and MAX_STREAM_SECONDS bound what one stream costs. ' +
    'Every message, as AsyncAPI 3.0: GET /asyncapi.json.',
  request: { query: StreamQuerySchema },
  responses: {
    101: { description: 'Switching Protocols: the WebSocket is open.' },
    400: errorDoc('A bad query value (labels the model lacks among them)'),
    404: errorDoc('Unknown model'),
    426: errorDoc('Not a WebSocket upgrade request'),
    500: INTERNAL_ERROR_DOC,
    503: errorDoc('No model is published yet'),
  },
});

export function registerStreamRoute(app: OpenAPIHono<AppEnv>, store: ModelStore): void {
  app.openapi(streamRoute, async (c) => {
    const query = c.req.valid('query');
    const upgrade = c.req.header('upgrade');
    if (upgrade?.toLowerCase() !== 'websocket') {
      throw new ApiError(
        'upgrade_required',
        `expected a WebSocket upgrade (Upgrade: websocket), got ${upgrade === undefined ? 'none' : `'${upgrade}'`}`,
      );
    }
    const entry = findModel(store, query.model);
    const subset = findLabels(entry.metadata, query.labels);
    const served = await store.load(entry.metadata.id);
    const { client, server } = openSocketPair();
    server.accept();
    driveStream(server, served, {
      subset,
      attention: query.attention,
      minSeconds: c.var.config.minDurationSeconds,
      limits: c.var.config.stream,
    });
    // The 101 response is not JSON: Hono's typed handler expects one, so the raw response is cast.
    return upgradeResponse(client) as never;
  });
}

class ProtocolError extends Error {
  readonly code: StreamErrorCode;

  constructor(code: StreamErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

interface DriveOptions {
  /** The labels answered over. */
  subset: LabelSubset;
  attention: boolean;
  minSeconds: number;
  limits: StreamLimits;
}

/** Reads the client's messages, answers them, and closes the socket cleanly whatever happens. */
function driveStream(socket: ServerSocket, served: ServedModel, options: DriveOptions): void {
  const { limits, subset } = options;
  const { labels } = subset;
  let session: StreamSession | null = null;
  let hopSeconds = 0;
  let bytes = 0;
  let closed = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const encoder = new TextEncoder();

  const send = (message: ServerMessage) => socket.send(JSON.stringify(message));
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(idleTimer);
    clearTimeout(lifetimeTimer);
    socket.close(code, reason);
  };
  const fail = (code: StreamErrorCode, message: string) => {
    if (closed) return;
    send({ type: 'error', error: { code, message } });
    close(STREAM_CLOSE_CODES[code], code);
  };
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => fail('idle_timeout', `expected audio at least every ${limits.idleSeconds} s, got none`),
      limits.idleSeconds * 1000,
    );
  };
  // However the audio trickles in, a stream lasts at most twice its audio limit on the clock.
  const lifetimeTimer = setTimeout(
    () => fail('stream_too_long', `expected the stream to end within ${2 * limits.maxSeconds} s, got longer`),
    2 * limits.maxSeconds * 1000,
  );
  const windowMessage = (window: ClassifiedWindow, index: number): WindowMessage => ({
    type: 'window',
    index,
    ...windowJson(labels, restrictWindow(window, subset)),
  });
  let sent = 0;
  const sendWindows = (windows: readonly ClassifiedWindow[]) => {
    for (const window of windows) send(windowMessage(window, sent++));
  };
  const summary = (current: StreamSession, final: boolean): SummaryMessage => {
    const full = current.aggregate();
    const aggregate = full && subset.restrict(full);
    return {
      type: 'summary',
      final,
      receivedSeconds: round(current.receivedSeconds),
      windows: current.windows,
      classifiedWindows: current.classifiedWindows,
      probabilities: aggregate && named(labels, aggregate),
      top: aggregate && topOf(labels, aggregate),
      dimensions: aggregate && dimensionsJson(labels, aggregate),
      aggregation: slidingAggregation(hopSeconds),
      computeMs: round(current.times.featuresMs + current.times.inferenceMs, 3),
    };
  };
  const finish = (current: StreamSession) => {
    sendWindows(current.end());
    send(summary(current, true));
    close(1000, 'end');
  };

  const onText = (text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProtocolError(
        'malformed_message',
        `expected a JSON message, got ${JSON.stringify(text.slice(0, 40))}`,
      );
    }
    const result = ClientMessageSchema.safeParse(parsed);
    if (!result.success) {
      throw new ProtocolError(
        'malformed_message',
        result.error.issues.map((issue) => issue.message).join('; '),
      );
    }
    const message = result.data;
    if (message.type !== 'summary') armIdleTimer();
    if (message.type === 'start') {
      if (session !== null)
        throw new ProtocolError('already_started', "expected one 'start' message, got a second");
      session = createStreamSession(served, {
        sampleRate: message.sampleRate,
        format: message.format,
        hopSeconds: message.hopSeconds,
        attention: options.attention,
        minSeconds: options.minSeconds,
        maxSeconds: limits.maxSeconds,
      });
      hopSeconds = message.hopSeconds;
      send({
        type: 'ready',
        model: { id: served.metadata.id, version: served.metadata.version },
        labels: [...labels],
        sampleRate: message.sampleRate,
        format: message.format,
        windowSeconds: round(session.windowSeconds),
        hopSeconds,
        limits,
      });
      return;
    }
    if (session === null)
      throw new ProtocolError('malformed_message', `expected 'start' first, got '${message.type}'`);
    if (message.type === 'summary') send(summary(session, false));
    else finish(session);
  };

  const onBinary = (data: ArrayBuffer) => {
    if (session === null) {
      throw new ProtocolError(
        'audio_before_start',
        "expected a 'start' message before audio, got binary data",
      );
    }
    if (data.byteLength > 0) armIdleTimer();
    sendWindows(session.push(new Uint8Array(data)));
  };

  const handle = async (data: string | ArrayBuffer | Blob) => {
    if (closed) return;
    try {
      const size =
        typeof data === 'string'
          ? encoder.encode(data).length
          : data instanceof ArrayBuffer
            ? data.byteLength
            : data.size;
      if (size > limits.maxMessageBytes) {
        throw new ProtocolError(
          'message_too_large',
          `expected messages of at most ${limits.maxMessageBytes} bytes, got ${size}`,
        );
      }
      // Every message counts towards the stream's bytes; only audio (and start or end) keeps it from idling.
      bytes += size;
      if (bytes > limits.maxBytes) {
        throw new ProtocolError(
          'stream_too_large',
          `expected at most ${limits.maxBytes} bytes per stream, got more`,
        );
      }
      if (typeof data === 'string') onText(data);
      else onBinary(data instanceof ArrayBuffer ? data : await data.arrayBuffer());
    } catch (error) {
      if (error instanceof ProtocolError) fail(error.code, error.message);
      else if (error instanceof StreamError) fail(error.code, error.message);
      else {
        console.error('GET /v1/stream: unhandled error', error);
        fail('internal_error', 'the server failed to handle this stream');
      }
    }
  };
  // Binary messages may arrive as Blobs (read asynchronously), so messages are handled one after another.
  let queue = Promise.resolve();
  socket.addEventListener('message', (event) => {
    queue = queue.then(() => handle(event.data));
  });
  // A client that closes without `end` gets nothing more; its close is answered to end the handshake.
  socket.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    clearTimeout(idleTimer);
    clearTimeout(lifetimeTimer);
    socket.close(1000, 'closed by the client');
  });
  socket.addEventListener('error', () => {
    closed = true;
    clearTimeout(idleTimer);
    clearTimeout(lifetimeTimer);
  });
  armIdleTimer();
}
