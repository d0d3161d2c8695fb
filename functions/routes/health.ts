import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import {
  type HealthMemory,
  HealthQuerySchema,
  HealthResponseSchema,
} from '../../core/contracts/health-api.ts';
import type { ModelStore } from '../../core/serving/model-store.ts';
import type { AppEnv } from '../app-env.ts';
import { errorDoc, INTERNAL_ERROR_DOC } from '../errors.ts';

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
export function readHealthMemory(kernelBytes: number): HealthMemory {
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
    kernelBytes,
  };
}

export function registerHealthRoute(
  app: OpenAPIHono<AppEnv>,
  store: ModelStore,
  kernelBytes: () => number,
): void {
  app.openapi(healthRoute, (c) => {
    const body = { status: 'ok' as const, models: store.list().length };
    return c.json(
      c.req.valid('query').memory ? { ...body, memory: readHealthMemory(kernelBytes()) } : body,
      200,
    );
  });
}
