import { z } from 'zod';

const SPELLINGS = ['0', '1', 'false', 'true'] as const;

/** An on/off query parameter: 1 or true, 0 or false; absent is off. */
export const queryFlag = (name: string) =>
  z
    .enum(SPELLINGS, {
      error: (issue) => `expected ${name} to be 0, 1, true or false, got '${issue.input}'`,
    })
    .optional()
    .transform((value) => value === '1' || value === 'true')
    .meta({ type: 'string', enum: [...SPELLINGS] });
