/**
 * The contract of models/ensembles.json (written by `npm run ensemble -- … --record`, read by the README's table
 * and the site's results page), free of tfjs and Node APIs.
 */
import { z } from 'zod';

const FoldScoresSchema = z.strictObject({ id: z.string(), ua: z.array(z.number().min(0).max(1)) });

/** What `npm run ensemble -- … --record` keeps in models/ensembles.json, one entry per set of members. */
export const EnsembleReportSchema = z.strictObject({
  protocol: z.string(),
  labels: z.array(z.string()),
  /** Test clips per fold. */
  testClips: z.array(z.number().int().nonnegative()),
  /** Unweighted accuracy per fold of each member, then of their ensemble. */
  members: z.array(FoldScoresSchema).min(2),
  ensemble: FoldScoresSchema,
});

export type EnsembleReport = z.infer<typeof EnsembleReportSchema>;
export type FoldScores = EnsembleReport['ensemble'];

/** Mean and sample standard deviation (n − 1) of fold scores. */
export const meanStd = (values: readonly number[]) => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(
    values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length - 1),
  );
  return { mean, std };
};

/** True when the ensemble beat every member on every fold. */
export const beatsEveryMember = (report: EnsembleReport) =>
  report.ensemble.ua.every((ua, fold) => report.members.every((member) => ua > member.ua[fold]));
