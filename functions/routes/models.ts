import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type ModelsResponse, ModelsResponseSchema } from '../../core/contracts/models-api.ts';
import type { ModelStore } from '../../core/serving/model-store.ts';
import type { AppEnv } from '../app-env.ts';
import { INTERNAL_ERROR_DOC } from '../errors.ts';
import { AUDIO_MEDIA_TYPES, OCTET_STREAM } from './read-upload.ts';

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
