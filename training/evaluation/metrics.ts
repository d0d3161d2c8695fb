/** Counts of (true, predicted) pairs. */
export interface ConfusionMatrix {
  /** Label order of both the rows and the columns. */
  labels: string[];
  /** counts[trueIndex][predictedIndex]: rows are true labels, columns predictions. */
  counts: number[][];
}

export interface ClassMetrics {
  label: string;
  /** TP / predicted; null when the class was never predicted. */
  precision: number | null;
  /** TP / support; null when the class is absent from the test set. */
  recall: number | null;
  /** 2TP / (2TP + FP + FN); null when the class is absent from the test set. */
  f1: number | null;
  /** Test items whose true label is this class. */
  support: number;
  /** Test items predicted as this class. */
  predicted: number;
}

/**
 * Scores of one test set. A class absent from the test set (support 0) has null recall and F1 and is left out
 * of UA and macro-F1, which average over the classes present; predictions of it still count as errors (lower
 * WA and the recall of the true classes). This matches scikit-learn's balanced accuracy and keeps a fold
 * without, say, any `calm` item from scoring 0 on a class it could not be tested on.
 */
export interface Metrics {
  total: number;
  /** Weighted accuracy: correct / total (plain accuracy). */
  wa: number;
  /** Unweighted average recall: mean per-class recall over the classes present. */
  ua: number;
  /** Mean per-class F1 over the classes present. */
  macroF1: number;
  perClass: ClassMetrics[];
  confusion: ConfusionMatrix;
}

function checkIndices(name: string, values: readonly number[], classes: number) {
  values.forEach((value, position) => {
    if (!Number.isInteger(value) || value < 0 || value >= classes) {
      throw new RangeError(
        `expected ${name}[${position}] to be a label index in [0, ${classes}), got ${value}`,
      );
    }
  });
}

export function confusionMatrix(
  labels: readonly string[],
  truth: readonly number[],
  predicted: readonly number[],
): ConfusionMatrix {
  if (labels.length < 2) throw new RangeError(`expected at least 2 labels, got ${labels.length}`);
  if (truth.length !== predicted.length) {
    throw new RangeError(
      `expected as many predictions as true labels (${truth.length}), got ${predicted.length}`,
    );
  }
  checkIndices('truth', truth, labels.length);
  checkIndices('predicted', predicted, labels.length);
  const counts = labels.map(() => labels.map(() => 0));
  truth.forEach((actual, i) => {
    counts[actual][predicted[i]]++;
  });
  return { labels: [...labels], counts };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Scores from a confusion matrix (see Metrics for how absent classes count). */
export function metricsFromConfusion(confusion: ConfusionMatrix): Metrics {
  const { labels, counts } = confusion;
  const total = counts.flat().reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new RangeError('expected at least one test item, got 0');
  const perClass = labels.map((label, c): ClassMetrics => {
    const tp = counts[c][c];
    const support = counts[c].reduce((sum, count) => sum + count, 0);
    const predicted = counts.reduce((sum, row) => sum + row[c], 0);
    const present = support > 0;
    return {
      label,
      precision: predicted > 0 ? tp / predicted : null,
      recall: present ? tp / support : null,
      // predicted + support = 2TP + FP + FN.
      f1: present ? (2 * tp) / (predicted + support) : null,
      support,
      predicted,
    };
  });
  const present = perClass.filter((metrics) => metrics.support > 0);
  const correct = labels.reduce((sum, _, c) => sum + counts[c][c], 0);
  return {
    total,
    wa: correct / total,
    ua: mean(present.map((metrics) => metrics.recall as number)),
    macroF1: mean(present.map((metrics) => metrics.f1 as number)),
    perClass,
    confusion,
  };
}

/** Scores probabilities ([clips × labels] row-major) by their argmax against the truth (label indices). */
export function evaluateProbabilities(
  labels: readonly string[],
  truth: readonly number[],
  probabilities: Float32Array,
): Metrics {
  const classes = labels.length;
  const predicted = truth.map((_, i) => {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    return row.indexOf(Math.max(...row));
  });
  return evaluate(labels, truth, predicted);
}

/** Scores predictions (label indices) against the truth (label indices) for the given label order. */
export function evaluate(
  labels: readonly string[],
  truth: readonly number[],
  predicted: readonly number[],
): Metrics {
  return metricsFromConfusion(confusionMatrix(labels, truth, predicted));
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  /** How many values (folds) it summarises. */
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new RangeError('expected at least one value to summarise, got 0');
  const m = mean(values);
  const squares = values.reduce((sum, value) => sum + (value - m) ** 2, 0);
  return { mean: m, std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0, n: values.length };
}

/** Cross-validation result: mean ± std across folds, and the confusion matrix summed over all test sets. */
export interface FoldSummary {
  folds: number;
  wa: MeanStd;
  ua: MeanStd;
  macroF1: MeanStd;
  /** Per class over the folds where it was present (recall, F1) or predicted (precision); null if never. */
  perClass: {
    label: string;
    precision: MeanStd | null;
    recall: MeanStd | null;
    f1: MeanStd | null;
    support: number;
  }[];
  confusion: ConfusionMatrix;
}

export function summariseFolds(folds: readonly Metrics[]): FoldSummary {
  if (folds.length === 0) throw new RangeError('expected at least one fold to summarise, got 0');
  const labels = folds[0].confusion.labels;
  folds.forEach((fold, index) => {
    const order = fold.confusion.labels.join(',');
    if (order !== labels.join(',')) {
      throw new RangeError(`expected fold ${index} to use labels [${labels.join(', ')}], got [${order}]`);
    }
  });
  const defined = (values: (number | null)[]) => {
    const present = values.filter((value): value is number => value !== null);
    return present.length > 0 ? meanStd(present) : null;
  };
  return {
    folds: folds.length,
    wa: meanStd(folds.map((fold) => fold.wa)),
    ua: meanStd(folds.map((fold) => fold.ua)),
    macroF1: meanStd(folds.map((fold) => fold.macroF1)),
    perClass: labels.map((label, c) => ({
      label,
      precision: defined(folds.map((fold) => fold.perClass[c].precision)),
      recall: defined(folds.map((fold) => fold.perClass[c].recall)),
      f1: defined(folds.map((fold) => fold.perClass[c].f1)),
      support: folds.reduce((sum, fold) => sum + fold.perClass[c].support, 0),
    })),
    confusion: {
      labels: [...labels],
      counts: labels.map((_, row) =>
        labels.map((_, col) => folds.reduce((sum, f) => sum + f.confusion.counts[row][col], 0)),
      ),
    },
  };
}

/**
 * Scores a fold's test side from the model's probabilities ([clips × labels]). Leaving a corpus out, only the labels
 * the held-out corpus has can be predicted: the question that corpus asks, fixed before its clips are seen. Under a
 * speaker protocol every label of the model can be, as for a served clip: a test speaker who never acted disgust
 * is still scored against the model's disgust answers.
 */
export function scoreTestFold(
  labels: readonly string[],
  truth: readonly number[],
  probabilities: Float32Array,
  onlyLabelsPresent: boolean,
): Metrics {
  if (onlyLabelsPresent) {
    const classes = labels.length;
    const present = new Set(truth);
    for (let i = 0; i < probabilities.length; i++) if (!present.has(i % classes)) probabilities[i] = -1;
  }
  return evaluateProbabilities(labels, truth, probabilities);
}
