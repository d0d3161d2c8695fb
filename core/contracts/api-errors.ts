/** The API's one error envelope, over the codes of api-error-codes.ts. */
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './api-error-codes.ts';

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The one error envelope: `{ error: { code, message } }`. */
export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).meta({ description: 'Stable machine-readable code.' }),
      message: z.string().meta({ description: 'What was expected and what was found.' }),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
