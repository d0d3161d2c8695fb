/**
 * Every error code the API can answer with and the HTTP status it always carries, without zod or Hono: the
 * site's API page lists them, and the envelope's schema (api-errors.ts) takes its codes from here.
 */
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
