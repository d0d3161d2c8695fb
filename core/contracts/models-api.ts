/** The contract of `GET /v1/models`: the served models as the API lists them. */
import { z } from '@hono/zod-openapi';
import { ModelMetricSchema } from './model-metadata.ts';

const ModelSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    architecture: z.string(),
    labels: z.array(z.string()).openapi({ description: 'In the order of the output units.' }),
    parameters: z.number().int(),
    hasAttention: z.boolean().openapi({ description: 'Whether attention=1 returns attention weights.' }),
    compiled: z.boolean().openapi({
      description:
        'Whether the network runs compiled to the inference kernels (fast, no tfjs); otherwise it runs on tfjs.',
    }),
    compileNote: z.string().openapi({
      description: "'compiled', or why not: 'not compiled: <reason>', 'tfjs' when compiling is off.",
    }),
    input: z.object({
      mediaTypes: z.array(z.string()),
      sampleRate: z
        .number()
        .openapi({ description: 'Clips are mixed to mono and resampled to this rate (Hz).' }),
      minDurationSeconds: z.number(),
      maxDurationSeconds: z.number(),
      maxBodyBytes: z.number().int(),
      featureSet: z.string(),
      inputFrames: z
        .number()
        .int()
        .openapi({ description: 'Clips are centre-cropped or padded to this many frames.' }),
      inputSeconds: z.number(),
    }),
    metrics: z
      .array(ModelMetricSchema)
      .openapi({ description: 'Published with the model; each names the protocol that produced it.' }),
    createdAt: z.string(),
  })
  .openapi('Model');

export const ModelsResponseSchema = z
  .object({
    default: z.string().nullable().openapi({ description: 'Model used when the model query is absent.' }),
    models: z.array(ModelSchema),
  })
  .openapi('Models');

export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
