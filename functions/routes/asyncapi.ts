/**
 * `GET /asyncapi.json`: the WebSocket protocol of `GET /v1/stream` as an AsyncAPI 3.0 document, its message
 * payloads the JSON Schemas of the very zod schemas the route validates with (core/contracts/stream-protocol.ts),
 * so the document cannot drift from what the server accepts and sends. The server entry is the host that was asked.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { STREAM_CLOSE_CODES } from '../../core/contracts/stream-close-codes.ts';
import { ClientMessageSchema, ServerMessageSchema } from '../../core/contracts/stream-protocol.ts';
import type { AppEnv } from '../app-env.ts';

const DESCRIPTIONS: Record<string, string> = {
  start: 'First message: the audio format and the hop between windows.',
  summary: 'Client: ask for the running aggregate. Server: the aggregate over the classified windows so far.',
  end: 'No more audio: the server sends the last window and a final summary, then closes with 1000.',
  ready: "The stream is open: the model, its labels, the grid and the session's limits.",
  window: 'One window of the model input length, classified as soon as its audio is complete.',
  error: 'What went wrong; the socket then closes with the code in x-close-codes.',
};

/** One AsyncAPI message per member of a discriminated union, named by its `type`. */
function messagesOf(union: z.ZodDiscriminatedUnion): [string, object][] {
  return union.options.map((option) => {
    const type = String((option as z.ZodObject).shape.type.value);
    const payload = z.toJSONSchema(option as z.ZodType, { io: 'input', unrepresentable: 'any' });
    delete (payload as { $schema?: string }).$schema;
    return [
      type,
      { name: type, contentType: 'application/json', summary: DESCRIPTIONS[type] ?? type, payload },
    ];
  });
}

export function asyncApiDocument(origin: URL): object {
  const client = messagesOf(ClientMessageSchema as z.ZodDiscriminatedUnion);
  const server = messagesOf(ServerMessageSchema as z.ZodDiscriminatedUnion);
  const audio = {
    name: 'audio',
    contentType: 'application/octet-stream',
    summary: "Mono little-endian samples in the start message's format, any number per message.",
    payload: { type: 'string', format: 'binary' },
  };
  const messages = Object.fromEntries([
    ...client.map(([type, message]) => [`client-${type}`, message]),
    ['client-audio', audio],
    ...server.map(([type, message]) => [`server-${type}`, message]),
  ]);
  const refs = (prefix: string) =>
    Object.keys(messages)
      .filter((name) => name.startsWith(prefix))
      .map((name) => ({ $ref: `#/channels/stream/messages/${name}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Open SER streaming API',
      version: '1.0.0',
      description:
        'Live speech emotion recognition over one WebSocket: GET /v1/stream (see /openapi.json for the ' +
        'upgrade request and its query). Send start, then binary audio; every hop the server answers the ' +
        'window that has just completed, with the same windows and answers as POST /v1/classify?hop=.',
      license: { name: 'MIT' },
    },
    servers: {
      this: {
        host: origin.host,
        protocol: origin.protocol === 'https:' ? 'wss' : 'ws',
        description: 'The deployment that served this document',
      },
    },
    channels: {
      stream: {
        address: '/v1/stream',
        messages,
        'x-close-codes': STREAM_CLOSE_CODES,
      },
    },
    operations: {
      send: { action: 'send', channel: { $ref: '#/channels/stream' }, messages: refs('client-') },
      receive: { action: 'receive', channel: { $ref: '#/channels/stream' }, messages: refs('server-') },
    },
  };
}

export function registerAsyncApiRoute(app: OpenAPIHono<AppEnv>): void {
  app.get('/asyncapi.json', (c) => c.json(asyncApiDocument(new URL(c.req.url))));
}
