import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_STATUS, type ErrorCode } from '../core/contracts/api-error-codes.ts';
import { type ErrorEnvelope, ErrorEnvelopeSchema } from '../core/contracts/api-errors.ts';

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
