import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app.ts';
import type { ModelStore } from '../runtime/model-store.ts';

export const HealthResponseSchema = z
  .object({
    status: z.literal('ok').openapi({ description: 'Always ok when the Worker answers.' }),
    models: z.number().int().openapi({ description: 'How many models are served.' }),
  })
  .openapi('Health');

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: answers without touching the models',
  responses: {
    200: {
      description: 'The Worker is up',
      content: { 'application/json': { schema: HealthResponseSchema } },
    },
  },
});

export function registerHealthRoute(app: OpenAPIHono<AppEnv>, store: ModelStore): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, models: store.list().length }, 200));
}
