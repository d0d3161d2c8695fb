import { z } from 'zod';

/**
 * `?labels=`: a comma-separated subset of the model's labels to answer over (core/serving/label-subset.ts);
 * absent means all of them. Which labels exist is checked against the model once it is known.
 */
export const labelsParameter = () =>
  z
    .string()
    .regex(/^[a-z]+(,[a-z]+)*$/, {
      error: (issue) =>
        `expected labels as a comma-separated list like 'angry,happy,sad', got '${issue.input}'`,
    })
    .transform((value) => value.split(','))
    .optional()
    .meta({
      type: 'string',
      description:
        "Answer over these of the model's labels only (at least two; GET /v1/models lists them): their " +
        'probabilities renormalised to sum to 1, the top label among them, arousal and valence from them. For ' +
        'a client whose categories are fewer than the model’s; leave-one-corpus-out scores held-out corpora the ' +
        'same way.',
      example: 'angry,happy,neutral,sad',
    });
