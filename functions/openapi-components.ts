/**
 * The API's contracts (core/contracts/*-api.ts) are plain zod: their OpenAPI descriptions and examples are zod's
 * own `.meta()`, and a schema that is a component of the document says its name there (`.meta({ id })`). The
 * generator behind @hono/zod-openapi reads `.meta()`, but uses `id` as a component's name (a `$ref`) only for a
 * schema it also holds in its own registry: this puts each named contract there, once, before the document is
 * made.
 */
import { zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorEnvelopeSchema } from '../core/contracts/api-errors.ts';
import {
  AnalysisSchema,
  AttentionSchema,
  ClassifyResponseSchema,
  DimensionsSchema,
  WindowSchema,
} from '../core/contracts/classify-api.ts';
import { HealthMemorySchema, HealthResponseSchema } from '../core/contracts/health-api.ts';
import { ModelSchema, ModelsResponseSchema } from '../core/contracts/models-api.ts';

const COMPONENTS: z.ZodType[] = [
  ErrorEnvelopeSchema,
  AnalysisSchema,
  AttentionSchema,
  ClassifyResponseSchema,
  DimensionsSchema,
  WindowSchema,
  HealthMemorySchema,
  HealthResponseSchema,
  ModelSchema,
  ModelsResponseSchema,
];

export function registerComponents(): void {
  for (const schema of COMPONENTS) {
    if (schema.meta()?.id === undefined) throw new Error('expected every component schema to name itself');
    if (zodToOpenAPIRegistry.get(schema) === undefined) zodToOpenAPIRegistry.add(schema, {});
  }
}
