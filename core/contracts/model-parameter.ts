import { z } from 'zod';

/** `?model=`: a served model's id (GET /v1/models lists them); absent means the registry default. */
export const modelParameter = () =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, {
      error: (issue) => `expected a model id like 'blstm-v1', got '${issue.input}'`,
    })
    .optional()
    .meta({
      description: 'Model id from GET /v1/models; default: the registry default.',
      example: 'tiny-blstm',
    });
