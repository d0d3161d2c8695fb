import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { readServeConfig, type ServeConfig } from '../core/contracts/serve-config.ts';
import type { ModelSource } from '../core/serving/model-source.ts';
import { createModelStore, type ModelStoreOptions } from '../core/serving/model-store.ts';
import type { AppEnv } from './app-env.ts';
import { ApiError, errorResponse, renderError } from './errors.ts';
import { registerAsyncApiRoute } from './routes/asyncapi.ts';
import { registerClassifyRoute } from './routes/classify.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerModelsRoute } from './routes/models.ts';
import { registerStreamRoute } from './routes/stream.ts';

export interface AppOptions {
  /** The served models: the generated bundle in production, a fixture in tests. */
  models: ModelSource;
  /** Makes the tfjs backend ready; called before the first model is built. */
  prepareBackend(): Promise<void>;
  /** Compiles each loaded network to the inference kernels (ModelStoreOptions); absent: tfjs runs them. */
  compileNetwork?: ModelStoreOptions['compileNetwork'];
  /** Bytes of the inference kernels' memories, for GET /healthz?memory=1; absent: 0 (none are used). */
  kernelBytes?(): number;
}

/**
 * The API as a Hono app: `POST /v1/classify`, `GET /v1/stream` (WebSocket), `GET /v1/models`, `GET /healthz`,
 * `GET /openapi.json`, `GET /asyncapi.json` (the stream's messages), `GET /docs`. Model metadata is validated here, once; the backend and networks start lazily on the first
 * classification. Every error, including unknown routes, is the JSON envelope and carries CORS headers.
 */
export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const store = createModelStore(options.models, {
    prepareBackend: options.prepareBackend,
    compileNetwork: options.compileNetwork,
  });
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError('invalid_query', result.error.issues.map((issue) => issue.message).join('; '));
      }
    },
  });
  app.onError(renderError);
  app.notFound((c) => {
    // A route's path with a trailing slash is that route; a route's path with another method is a 405.
    const { path, method } = c.req;
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const allowed = methodsOf(app, trimmed);
    if (trimmed !== path && allowed.includes(method)) {
      const url = new URL(c.req.url);
      url.pathname = trimmed;
      return app.fetch(new Request(url, c.req.raw), c.env);
    }
    if (allowed.length > 0 && !(method === 'HEAD' && allowed.includes('GET'))) {
      c.header('Allow', allowed.join(', '));
      return errorResponse(
        c,
        'method_not_allowed',
        `expected ${allowed.join(' or ')} on ${trimmed}, got ${method}`,
      );
    }
    // The assets layer answers site paths before the Worker runs; this covers setups where it does not
    // (run_worker_first everywhere, the vitest pool). API paths never fall through to the site.
    const sitePath = !c.req.path.startsWith('/v1/') && (c.req.method === 'GET' || c.req.method === 'HEAD');
    if (sitePath && c.env?.ASSETS) return c.env.ASSETS.fetch(c.req.raw);
    return errorResponse(c, 'not_found', `expected an API route, got ${c.req.method} ${c.req.path}`);
  });

  app.use('*', async (c, next) => {
    c.set('config', readServeConfig(c.env ?? {}));
    await next();
  });
  app.use(
    '*',
    cors({
      origin: (origin, c) => ((c.var.config as ServeConfig).allowedOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type'],
      exposeHeaders: ['Server-Timing'],
      maxAge: 86_400,
    }),
  );

  registerHealthRoute(app, store, options.kernelBytes ?? (() => 0));
  registerModelsRoute(app, store);
  registerClassifyRoute(app, store);
  registerStreamRoute(app, store);
  registerDocsRoutes(app);
  registerAsyncApiRoute(app);
  return app;
}

/** The methods the app has a route for at `path` (middleware, registered for every method, aside). */
function methodsOf(app: OpenAPIHono<AppEnv>, path: string): string[] {
  const methods = app.routes.filter((route) => route.path === path && route.method !== 'ALL');
  return [...new Set(methods.map((route) => route.method))];
}
