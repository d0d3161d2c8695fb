/**
 * How well arousal and valence, as the API reads them off the labels (core/serving/dimensions.ts), agree
 * with held-out data: for the served model's record (its own cross-validation) and its recipe's
 * leave-one-corpus-out records, the true label's place on the plane against the predicted label's, over every
 * test clip of the record's confusion matrix. The README (npm run results) and the site's API page show it.
 */

import type { RunRecord } from '../contracts/run-record.ts';
import { type Dimensions, labelDimensions } from '../serving/dimensions.ts';
import { recipeOf } from './held-out-corpora.ts';

export interface DimensionAgreement {
  /** Pearson correlation between the true label's value and the predicted label's, over the clips. */
  arousal: number;
  valence: number;
  /** Mean absolute difference between them (the plane runs −1…1). */
  arousalError: number;
  valenceError: number;
  clips: number;
}

/**
 * How well the mapping, applied to the model's top labels, agrees with the true labels' places on the plane,
 * from a confusion matrix of held-out clips (rows true, columns predicted, in `labels` order). Null when a
 * label is not in the table or the matrix is empty.
 */
export function dimensionAgreement(
  labels: readonly string[],
  counts: readonly (readonly number[])[],
): DimensionAgreement | null {
  const points = labelDimensions(labels);
  if (points === null) return null;
  const pairs: { weight: number; truth: Dimensions; predicted: Dimensions }[] = [];
  counts.forEach((row, truth) => {
    row.forEach((weight, predicted) => {
      if (weight > 0) pairs.push({ weight, truth: points[truth], predicted: points[predicted] });
    });
  });
  const clips = pairs.reduce((sum, pair) => sum + pair.weight, 0);
  if (clips === 0) return null;
  const measure = (axis: keyof Dimensions) => {
    const mean = (pick: (pair: (typeof pairs)[number]) => number) =>
      pairs.reduce((sum, pair) => sum + pair.weight * pick(pair), 0) / clips;
    const meanTruth = mean((pair) => pair.truth[axis]);
    const meanPredicted = mean((pair) => pair.predicted[axis]);
    const covariance = mean(
      (pair) => (pair.truth[axis] - meanTruth) * (pair.predicted[axis] - meanPredicted),
    );
    const spread = Math.sqrt(
      mean((pair) => (pair.truth[axis] - meanTruth) ** 2) *
        mean((pair) => (pair.predicted[axis] - meanPredicted) ** 2),
    );
    return {
      correlation: spread > 0 ? covariance / spread : 0,
      error: mean((pair) => Math.abs(pair.truth[axis] - pair.predicted[axis])),
    };
  };
  const arousal = measure('arousal');
  const valence = measure('valence');
  return {
    arousal: arousal.correlation,
    valence: valence.correlation,
    arousalError: arousal.error,
    valenceError: valence.error,
    clips,
  };
}

export interface DimensionAgreementRow extends DimensionAgreement {
  model: string;
  /** The protocol in words: the record's own, or the held-out corpus. */
  heldOut: string;
}

export function servedDimensionAgreement(
  records: readonly RunRecord[],
  servedId: string,
): DimensionAgreementRow[] {
  const rows: DimensionAgreementRow[] = [];
  const ofRecipe = records
    .filter((record) => record.id === servedId || recipeOf(record.id) === servedId)
    .sort((a, b) => (a.id === servedId ? -1 : b.id === servedId ? 1 : a.id.localeCompare(b.id)));
  for (const record of ofRecipe) {
    const { labels, counts } = record.summary.confusion;
    const agreement = dimensionAgreement(labels, counts);
    if (agreement === null) continue;
    const heldOut =
      record.task.heldOutCorpus === undefined
        ? `${record.task.protocol} (unseen speakers)`
        : `${record.task.heldOutCorpus} (unseen corpus)`;
    rows.push({ model: record.id, heldOut, ...agreement });
  }
  return rows;
}

/** The README's table of those rows. */
export function renderDimensionAgreementTable(rows: readonly DimensionAgreementRow[]): string {
  if (rows.length === 0) return '_No run record of the served model with a confusion matrix yet._';
  const header = [
    'record',
    'held out',
    'clips',
    'arousal r',
    'valence r',
    'arousal mean abs. error',
    'valence mean abs. error',
  ];
  const body = rows.map((row) => [
    `[${row.model}](models/${row.model}/MODEL_CARD.md)`,
    row.heldOut,
    String(row.clips),
    row.arousal.toFixed(2),
    row.valence.toFixed(2),
    row.arousalError.toFixed(2),
    row.valenceError.toFixed(2),
  ]);
  return [header, header.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
