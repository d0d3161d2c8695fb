/**
 * The messages of `GET /v1/stream`, one zod schema each: the route validates what clients send with them, and
 * the route, the typed client (core/client/stream-client.ts) and the demo take the server's messages'
 * types from them.
 *
 * 1. The client opens a WebSocket to `/v1/stream` (`?model=`, `?attention=` as on /v1/classify) and sends a
 *    `start` text message: its sample rate, its sample format and the hop.
 * 2. The server answers `ready`, then the client sends mono audio as binary messages of any size (samples may
 *    split across messages), little-endian 16-bit PCM or 32-bit float.
 * 3. For every window of the model's input length every `hopSeconds` from the start (moved back by under
 *    80 ms onto the frame grid, sliding-windows.ts), as soon as its last sample is in, the server sends a
 *    `window` message. A `summary` text message asks for the running summary.
 * 4. `end` ends the stream: the server sends the last window, a final `summary`, and closes with 1000. A
 *    client that closes the socket instead gets nothing more.
 * Errors come as an `error` message, then a close with the code STREAM_CLOSE_CODES gives.
 */
import { z } from 'zod';
import { AttentionSchema, DimensionsSchema, MAX_HOP_SECONDS, MIN_HOP_SECONDS } from './classify-api.ts';
import { STREAM_CLOSE_CODES, type StreamErrorCode } from './stream-close-codes.ts';

/** Sample rates a stream may declare: those the decoders accept for uploads. */
export const MIN_STREAM_RATE = 8000;
export const MAX_STREAM_RATE = 192_000;
export const DEFAULT_HOP_SECONDS = 1;

export const StartMessageSchema = z.strictObject({
  type: z.literal('start'),
  sampleRate: z
    .number()
    .int({ error: (issue) => `expected sampleRate to be a whole number of Hz, got ${issue.input}` })
    .min(MIN_STREAM_RATE, {
      error: (issue) => `expected sampleRate ≥ ${MIN_STREAM_RATE} Hz, got ${issue.input}`,
    })
    .max(MAX_STREAM_RATE, {
      error: (issue) => `expected sampleRate ≤ ${MAX_STREAM_RATE} Hz, got ${issue.input}`,
    }),
  format: z.enum(['pcm16', 'float32'], {
    error: (issue) => `expected format 'pcm16' or 'float32', got ${JSON.stringify(issue.input)}`,
  }),
  hopSeconds: z
    .number()
    .min(MIN_HOP_SECONDS, {
      error: (issue) => `expected hopSeconds ≥ ${MIN_HOP_SECONDS}, got ${issue.input}`,
    })
    .max(MAX_HOP_SECONDS, {
      error: (issue) => `expected hopSeconds ≤ ${MAX_HOP_SECONDS}, got ${issue.input}`,
    })
    .default(DEFAULT_HOP_SECONDS),
});

/** What a client may send as text: `start` first, then `summary` or `end`. */
export const ClientMessageSchema = z.discriminatedUnion(
  'type',
  [
    StartMessageSchema,
    z.strictObject({ type: z.literal('summary') }),
    z.strictObject({ type: z.literal('end') }),
  ],
  { error: () => "expected a message whose type is 'start', 'summary' or 'end'" },
);

const ProbabilitiesSchema = z.record(z.string(), z.number());
const TopSchema = z.object({ label: z.string(), confidence: z.number() });

export const ReadyMessageSchema = z.object({
  type: z.literal('ready'),
  model: z.object({ id: z.string(), version: z.string() }),
  labels: z.array(z.string()).meta({
    description:
      "The labels answered over, in the model's output order: all of them, or those asked for with labels.",
  }),
  sampleRate: z.number(),
  format: z.enum(['pcm16', 'float32']),
  windowSeconds: z.number(),
  hopSeconds: z.number(),
  limits: z.object({
    maxSeconds: z.number(),
    maxBytes: z.number(),
    maxMessageBytes: z.number(),
    idleSeconds: z.number(),
  }),
});

export const WindowMessageSchema = z.object({
  type: z.literal('window'),
  index: z.number().int(),
  startSeconds: z.number(),
  endSeconds: z.number(),
  speechDetected: z.boolean(),
  speechSeconds: z.number(),
  probabilities: ProbabilitiesSchema.nullable(),
  top: TopSchema.nullable(),
  dimensions: DimensionsSchema.nullable(),
  attention: AttentionSchema.nullable(),
});

export const SummaryMessageSchema = z.object({
  type: z.literal('summary'),
  final: z.boolean(),
  receivedSeconds: z.number(),
  windows: z.number().int(),
  classifiedWindows: z.number().int(),
  probabilities: ProbabilitiesSchema.nullable(),
  top: TopSchema.nullable(),
  dimensions: DimensionsSchema.nullable(),
  aggregation: z.string(),
  /** Milliseconds of front end and network spent on the stream's windows so far. */
  computeMs: z.number(),
});

export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  error: z.object({
    code: z.enum(Object.keys(STREAM_CLOSE_CODES) as [StreamErrorCode, ...StreamErrorCode[]]),
    message: z.string(),
  }),
});

export const ServerMessageSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  WindowMessageSchema,
  SummaryMessageSchema,
  ErrorMessageSchema,
]);

export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;
export type WindowMessage = z.infer<typeof WindowMessageSchema>;
export type SummaryMessage = z.infer<typeof SummaryMessageSchema>;
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
