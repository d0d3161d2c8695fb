import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { AppEnv } from '../app-env.ts';
import { errorDoc, INTERNAL_ERROR_DOC } from '../errors.ts';
import type { ModelStore } from '../runtime/model-store.ts';
import { queryFlag } from './query-flag.ts';

export const HealthQuerySchema = z.object({
  memory: queryFlag('memory').openapi({
    description: '1 or true: add the tfjs memory figures of this isolate (for load tests and leak checks).',
  }),
});

export const HealthMemorySchema = z
  .object({
    backend: z.string().nullable().openapi({
      description: 'The active tfjs backend; null until the first classification brings it up.',
    }),
    tensors: z.number().int().openapi({
      description: 'Live tfjs tensors (tf.memory().numTensors): the loaded weights, plus any leak.',
    }),
    tensorBytes: z.number().int().openapi({ description: 'Bytes held by those tensors.' }),
    wasmBytes: z.number().int().nullable().openapi({
      description: 'Size of the tfjs WASM heap (it grows, never shrinks); null while no WASM backend is up.',
    }),
  })
  .openapi('HealthMemory');

export const HealthResponseSchema = z
  .object({
    status: z.literal('ok').openapi({ description: 'Always ok when the Worker answers.' }),
    models: z.number().int().openapi({ description: 'How many models are served.' }),
    memory: HealthMemorySchema.optional().openapi({ description: 'Only with memory=1.' }),
  })
  .openapi('Health');

export type HealthMemory = z.infer<typeof HealthMemorySchema>;
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'health',
  summary: 'Liveness: answers without touching the models',
  request: { query: HealthQuerySchema },
  responses: {
    200: {
      description: 'The Worker is up',
      content: { 'application/json': { schema: HealthResponseSchema } },
    },
    400: errorDoc('A bad query value'),
    500: INTERNAL_ERROR_DOC,
  },
});

/**
 * Reads the isolate's tfjs memory without bringing a backend up: `tf.memory()` would initialise one, so it is
 * only called once the active backend exists; before that the engine's own counters are the same figures.
 */
export function readHealthMemory(): HealthMemory {
  const engine = tf.engine();
  const name = engine.backendName ?? null;
  const backend = name === null ? undefined : engine.registry[name];
  const { numTensors, numBytes } = backend === undefined ? engine.state : tf.memory();
  // BackendWasm keeps its Emscripten module as `wasm`; its HEAPU8 views the whole (growable) heap.
  const heap = (backend as { wasm?: { HEAPU8?: Uint8Array } } | undefined)?.wasm?.HEAPU8;
  return {
    backend: backend === undefined ? null : name,
    tensors: numTensors,
    tensorBytes: numBytes,
    wasmBytes: heap === undefined ? null : heap.buffer.byteLength,
  };
}

export function registerHealthRoute(app: OpenAPIHono<AppEnv>, store: ModelStore): void {
  app.openapi(healthRoute, (c) => {
    const body = { status: 'ok' as const, models: store.list().length };
    return c.json(c.req.valid('query').memory ? { ...body, memory: readHealthMemory() } : body, 200);
  });
}
