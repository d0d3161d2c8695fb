/** The API's one error envelope, over the codes of api-error-codes.ts. */
import { z } from '@hono/zod-openapi';
import { ERROR_STATUS, type ErrorCode } from './api-error-codes.ts';

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
