import { z } from 'zod';

/** The static-assets binding (`[assets] binding = "ASSETS"` in wrangler.toml). */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/** The Worker's bindings: `[vars]` from wrangler.toml (strings) and the assets binding. */
export interface WorkerEnv {
  MAX_BODY_BYTES?: string;
  MAX_DURATION_SECONDS?: string;
  MIN_DURATION_SECONDS?: string;
  /** Comma-separated origins allowed by CORS, e.g. `https://ser.example,http://localhost:4321`. */
  ALLOWED_ORIGINS?: string;
  ASSETS?: AssetsBinding;
}

/** Limits and CORS policy the app enforces, parsed from `[vars]`. */
export interface ServeConfig {
  maxBodyBytes: number;
  maxDurationSeconds: number;
  minDurationSeconds: number;
  allowedOrigins: readonly string[];
}

const positive = (name: string) =>
  z.coerce
    .number({ error: `expected ${name} to be a number` })
    .positive({ error: (issue) => `expected ${name} to be positive, got ${issue.input}` });

const VarsSchema = z
  .object({
    MAX_BODY_BYTES: positive('MAX_BODY_BYTES').int(),
    MAX_DURATION_SECONDS: positive('MAX_DURATION_SECONDS'),
    MIN_DURATION_SECONDS: positive('MIN_DURATION_SECONDS'),
    ALLOWED_ORIGINS: z.string().default(''),
  })
  .refine((vars) => vars.MIN_DURATION_SECONDS < vars.MAX_DURATION_SECONDS, {
    message: 'expected MIN_DURATION_SECONDS to be below MAX_DURATION_SECONDS',
  });

/** Parses `[vars]`; a misconfigured deployment fails loudly instead of serving with unknown limits. */
export function readServeConfig(env: WorkerEnv): ServeConfig {
  const parsed = VarsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`wrangler [vars]: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const vars = parsed.data;
  return {
    maxBodyBytes: vars.MAX_BODY_BYTES,
    maxDurationSeconds: vars.MAX_DURATION_SECONDS,
    minDurationSeconds: vars.MIN_DURATION_SECONDS,
    allowedOrigins: vars.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  };
}
