import type { ServeConfig, WorkerEnv } from '../core/contracts/serve-config.ts';

/**
 * Hono typing shared by the app and its routes: the Worker's bindings and what middleware puts on the context.
 * Its own module, so the routes need not import the app that imports them.
 */
export interface AppEnv {
  Bindings: WorkerEnv;
  Variables: { config: ServeConfig };
}
