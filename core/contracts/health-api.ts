/** The contract of `GET /healthz`. */
import { z } from 'zod';
import { queryFlag } from './query-flag.ts';

export const HealthQuerySchema = z.object({
  memory: queryFlag('memory').meta({
    description:
      '1 or true: add the memory figures of this isolate: tfjs and the inference kernels (for load tests and leak checks).',
  }),
});

export const HealthMemorySchema = z
  .object({
    backend: z.string().nullable().meta({
      description: 'The active tfjs backend; null until the first classification brings it up.',
    }),
    tensors: z.number().int().meta({
      description: 'Live tfjs tensors (tf.memory().numTensors): the loaded weights, plus any leak.',
    }),
    tensorBytes: z.number().int().meta({ description: 'Bytes held by those tensors.' }),
    wasmBytes: z.number().int().nullable().meta({
      description: 'Size of the tfjs WASM heap (it grows, never shrinks); null while no WASM backend is up.',
    }),
    kernelBytes: z
      .number()
      .int()
      .meta({
        description:
          "Total size of the inference kernels' WebAssembly memories (network, LSTM, resampler, frame features): " +
          'the compiled networks and the front end run there (they grow, never shrink).',
      }),
  })
  .meta({ id: 'HealthMemory' });

export const HealthResponseSchema = z
  .object({
    status: z.literal('ok').meta({ description: 'Always ok when the Worker answers.' }),
    models: z.number().int().meta({ description: 'How many models are served.' }),
    /** Only with memory=1 (a wrapper's description would replace the component's $ref by a copy). */
    memory: HealthMemorySchema.optional(),
  })
  .meta({ id: 'Health' });

export type HealthMemory = z.infer<typeof HealthMemorySchema>;
export type HealthResponse = z.infer<typeof HealthResponseSchema>;
