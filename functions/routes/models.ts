import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { INTERNAL_ERROR_DOC } from '../errors.ts';
import { ModelMetricSchema } from '../model/metadata.ts';
import type { ModelStore } from '../runtime/model-store.ts';
import { AUDIO_MEDIA_TYPES, OCTET_STREAM } from './read-upload.ts';

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

export const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  operationId: 'listModels',
  summary: 'List the served models',
  responses: {
    200: {
      description: 'Served models, default first in the registry order',
      content: { 'application/json': { schema: ModelsResponseSchema } },
    },
    500: INTERNAL_ERROR_DOC,
  },
});

export function registerModelsRoute(app: OpenAPIHono<AppEnv>, store: ModelStore): void {
  app.openapi(modelsRoute, (c) => {
    const config = c.var.config;
    const body: ModelsResponse = {
      default: store.defaultId,
      models: store.list().map(({ metadata, extractor, runsCompiled, compileNote }) => ({
        id: metadata.id,
        version: metadata.version,
        architecture: metadata.architecture,
        labels: metadata.labels,
        parameters: metadata.parameters,
        hasAttention: metadata.attentionLayer !== null,
        compiled: runsCompiled,
        compileNote,
        input: {
          mediaTypes: [...AUDIO_MEDIA_TYPES, OCTET_STREAM, 'multipart/form-data'],
          sampleRate: extractor.config.sampleRate,
          minDurationSeconds: config.minDurationSeconds,
          maxDurationSeconds: config.maxDurationSeconds,
          maxBodyBytes: config.maxBodyBytes,
          featureSet: extractor.set,
          inputFrames: metadata.inputFrames,
          inputSeconds: ((metadata.inputFrames - 1) * extractor.config.hop) / extractor.config.sampleRate,
        },
        metrics: metadata.metrics,
        createdAt: metadata.createdAt,
      })),
    };
    return c.json(body, 200);
  });
}
