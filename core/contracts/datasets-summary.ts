import { z } from 'zod';

/**
 * `models/datasets.json`: what the data page shows about each corpus. Generated from the corpus loaders
 * (training/corpora) by the training side; the site only reads it. Counts are of the files actually used.
 */
export const DatasetsSummarySchema = z.object({
  /** ISO 8601 time the summary was generated. */
  generatedAt: z.string(),
  corpora: z
    .array(
      z.object({
        /** Corpus id as in run records, e.g. `ravdess`. */
        id: z.string(),
        /** Display name, e.g. `RAVDESS (speech)`. */
        name: z.string(),
        licence: z.string(),
        /** Files per canonical label, in the order to display. */
        classes: z.array(z.object({ label: z.string(), count: z.number().int().nonnegative() })).min(1),
        /** Every speaker with their file count; gender null where the corpus does not say. */
        speakers: z
          .array(
            z.object({
              id: z.string(),
              gender: z.enum(['female', 'male']).nullable(),
              count: z.number().int().nonnegative(),
            }),
          )
          .min(1),
        /** Clip durations in seconds, and a histogram with `counts.length + 1` bin edges. */
        durations: z
          .object({
            total: z.number().nonnegative(),
            min: z.number().nonnegative(),
            median: z.number().nonnegative(),
            max: z.number().nonnegative(),
            histogram: z.object({
              edges: z.array(z.number()).min(2),
              counts: z.array(z.number().int().nonnegative()).min(1),
            }),
          })
          .refine((d) => d.histogram.edges.length === d.histogram.counts.length + 1, {
            message:
              'expected durations.histogram.edges to have one more entry than durations.histogram.counts',
          }),
        /** Anything a reader should know, e.g. "this copy is cut to 2.0 s". */
        notes: z.array(z.string()).default([]),
      }),
    )
    .min(1),
});

export type DatasetsSummary = z.infer<typeof DatasetsSummarySchema>;
export type CorpusSummary = DatasetsSummary['corpora'][number];
