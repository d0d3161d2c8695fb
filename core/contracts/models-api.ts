/** The contract of `GET /v1/models`: the served models as the API lists them. */
import { z } from 'zod';
import { ModelMetricSchema } from './model-metadata.ts';

export const ModelSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    architecture: z.string(),
    labels: z.array(z.string()).meta({ description: 'In the order of the output units.' }),
    parameters: z.number().int(),
    hasAttention: z.boolean().meta({ description: 'Whether attention=1 returns attention weights.' }),
    compiled: z.boolean().meta({
      description:
        'Whether the network runs compiled to the inference kernels (fast, no tfjs); otherwise it runs on tfjs.',
    }),
    compileNote: z.string().meta({
      description: "'compiled', or why not: 'not compiled: <reason>', 'tfjs' when compiling is off.",
    }),
    input: z.object({
      mediaTypes: z.array(z.string()),
      sampleRate: z
        .number()
        .meta({ description: 'Clips are mixed to mono and resampled to this rate (Hz).' }),
      minDurationSeconds: z.number(),
      maxDurationSeconds: z.number(),
      maxBodyBytes: z.number().int(),
      featureSet: z.string(),
      inputFrames: z
        .number()
        .int()
        .meta({ description: 'Clips are centre-cropped or padded to this many frames.' }),
      inputSeconds: z.number(),
    }),
    metrics: z
      .array(ModelMetricSchema)
      .meta({ description: 'Published with the model; each names the protocol that produced it.' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Model' });

export const ModelsResponseSchema = z
  .object({
    default: z.string().nullable().meta({ description: 'Model used when the model query is absent.' }),
    models: z.array(ModelSchema),
  })
  .meta({ id: 'Models' });

export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
