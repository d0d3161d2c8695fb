import { z } from 'zod';

const LABELS_PATTERN = /^[a-z]+(,[a-z]+)*$/;

/**
 * `?labels=`: a comma-separated subset of the model's labels to answer over (core/serving/label-subset.ts);
 * absent means all of them. Which labels exist is checked against the model once it is known.
 */
export const labelsParameter = () =>
  z
    .string()
    .regex(LABELS_PATTERN, {
      error: (issue) =>
        `expected labels as a comma-separated list like 'angry,happy,sad', got '${issue.input}'`,
    })
    .transform((value) => value.split(','))
    .optional()
    .meta({
      type: 'string',
      pattern: LABELS_PATTERN.source,
      description:
        "Comma-separated, each once, at least two of the model's labels (GET /v1/models lists them), in any " +
        'order: the answer is over these only, their probabilities renormalised to sum to 1, the top label among ' +
        "them, arousal and valence from them, labels in the model's order. An unknown or repeated label is a 400. " +
        'For a client whose categories are fewer than the model’s; leave-one-corpus-out scores held-out corpora ' +
        'the same way.',
      example: 'angry,happy,neutral,sad',
    });
