import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every error code the API can answer with, and the HTTP status each one always carries. */
export const ERROR_STATUS = {
  malformed_audio: 400,
  empty_body: 400,
  malformed_multipart: 400,
  missing_file: 400,
  incomplete_body: 400,
  invalid_query: 400,
  unknown_model: 404,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  audio_too_long: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  upgrade_required: 426,
  audio_too_short: 422,
  no_speech: 422,
  internal_error: 500,
  no_models: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The one error envelope: `{ error: { code, message } }`. */
export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ description: 'Stable machine-readable code.' }),
      message: z.string().openapi({ description: 'What was expected and what was found.' }),
    }),
  })
  .openapi('Error');

export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** An OpenAPI response whose body is the error envelope. */
export const errorDoc = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorEnvelopeSchema } },
});

/** Documented on every operation: what an unexpected failure looks like. */
export const INTERNAL_ERROR_DOC = errorDoc(
  'internal_error: an unexpected failure; the message reveals nothing internal (the cause is in the Worker log)',
);

/** An error meant for the client: thrown anywhere in a request, rendered by `renderError`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
}

// Hono's own exceptions (e.g. from its middleware) mapped onto the envelope by status.
const CODE_FOR_HTTP_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_query',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
};

/** Builds the envelope response; CORS headers already set on the context are kept. */
export function errorResponse(c: Context, code: ErrorCode, message: string): Response {
  const body: ErrorEnvelope = { error: { code, message } };
  return c.json(body, ERROR_STATUS[code]);
}

/**
 * `app.onError`: client errors keep their code and message; anything unexpected becomes a 500 whose message
 * reveals nothing internal (the cause is logged).
 */
export function renderError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return errorResponse(c, error.code, error.message);
  if (error instanceof HTTPException) {
    const code = CODE_FOR_HTTP_STATUS[error.status];
    if (code !== undefined) return errorResponse(c, code, error.message);
  }
  // Named by route, not by one handler: any route's failure ends here.
  console.error(`${c.req.method} ${c.req.path}: unhandled error`, error);
  return errorResponse(c, 'internal_error', 'the server failed to handle this request');
}
