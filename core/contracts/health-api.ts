/** The contract of `GET /healthz`. */
import { z } from '@hono/zod-openapi';
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
