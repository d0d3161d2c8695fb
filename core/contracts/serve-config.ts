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
  /** GET /v1/stream: seconds of audio, bytes and bytes per message a session may carry; idle seconds. */
  MAX_STREAM_SECONDS?: string;
  MAX_STREAM_BYTES?: string;
  MAX_STREAM_MESSAGE_BYTES?: string;
  STREAM_IDLE_SECONDS?: string;
  ASSETS?: AssetsBinding;
}

/** A stream's limits (GET /v1/stream). */
export interface StreamLimits {
  maxSeconds: number;
  maxBytes: number;
  maxMessageBytes: number;
  idleSeconds: number;
}

/** Limits and CORS policy the app enforces, parsed from `[vars]`. */
export interface ServeConfig {
  maxBodyBytes: number;
  maxDurationSeconds: number;
  minDurationSeconds: number;
  allowedOrigins: readonly string[];
  stream: StreamLimits;
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
    // Defaults for deployments whose wrangler.toml predates streaming.
    MAX_STREAM_SECONDS: positive('MAX_STREAM_SECONDS').default(600),
    MAX_STREAM_BYTES: positive('MAX_STREAM_BYTES')
      .int()
      .default(128 * 2 ** 20),
    MAX_STREAM_MESSAGE_BYTES: positive('MAX_STREAM_MESSAGE_BYTES')
      .int()
      .default(2 ** 20),
    STREAM_IDLE_SECONDS: positive('STREAM_IDLE_SECONDS').default(15),
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
    stream: {
      maxSeconds: vars.MAX_STREAM_SECONDS,
      maxBytes: vars.MAX_STREAM_BYTES,
      maxMessageBytes: vars.MAX_STREAM_MESSAGE_BYTES,
      idleSeconds: vars.STREAM_IDLE_SECONDS,
    },
  };
}
