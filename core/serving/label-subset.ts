/**
 * Answers over a subset of a model's labels (`?labels=angry,happy,neutral,sad`): for a client whose own
 * categories are fewer than the model's. Each probability vector keeps the chosen labels' entries, renormalised
 * to sum to 1: the model's answer given that the clip is one of them. This is how leave-one-corpus-out scores a
 * held-out corpus (among the labels it shares with the training side), so its table says what such a client gets.
 *
 * Restricting the clip's aggregate is the same as restricting every window first: the aggregate is a renormalised
 * mean of log-probabilities, and renormalising a window subtracts one constant from all its log-probabilities
 * (exactly so while every probability is above the aggregate's floor, which the restriction applies too).
 */
import type { ClassifiedWindow, ClipClassification } from './classify-clip.ts';
import { PROBABILITY_FLOOR } from './timeline.ts';

export interface LabelSubset {
  /** The chosen labels, in the model's output order. */
  labels: readonly string[];
  /** The chosen labels' probabilities out of the model's, renormalised. */
  restrict(probabilities: Float32Array): Float32Array;
}

/** Why a requested subset cannot be answered; the message says what was expected and what came. */
export class LabelSubsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSubsetError';
  }
}

/** The subset of `modelLabels` named by `requested`; all of them (unchanged answers) when it is absent. */
export function labelSubset(modelLabels: readonly string[], requested?: readonly string[]): LabelSubset {
  if (requested === undefined) return { labels: modelLabels, restrict: (probabilities) => probabilities };
  const unknown = requested.filter((label) => !modelLabels.includes(label));
  if (unknown.length > 0) {
    throw new LabelSubsetError(
      `expected labels among the model's (${modelLabels.join(', ')}), got ${unknown.map((label) => `'${label}'`).join(', ')}`,
    );
  }
  const repeated = requested.filter((label, i) => requested.indexOf(label) !== i);
  if (repeated.length > 0) {
    throw new LabelSubsetError(`expected each label once, got '${repeated[0]}' more than once`);
  }
  if (requested.length < 2) {
    throw new LabelSubsetError(`expected at least 2 labels to choose between, got ${requested.length}`);
  }
  const indices = modelLabels.flatMap((label, i) => (requested.includes(label) ? [i] : []));
  return {
    labels: indices.map((i) => modelLabels[i]),
    restrict(probabilities) {
      // A float32 softmax can round the chosen labels' probabilities to 0: floored as the aggregate floors them.
      const kept = Float32Array.from(indices, (i) => Math.max(probabilities[i], PROBABILITY_FLOOR));
      const total = kept.reduce((sum, value) => sum + value, 0);
      return kept.map((value) => value / total);
    },
  };
}

/** A window with its probabilities restricted to the subset. */
export function restrictWindow(window: ClassifiedWindow, subset: LabelSubset): ClassifiedWindow {
  const { prediction } = window;
  if (prediction === null) return window;
  return {
    ...window,
    prediction: { ...prediction, probabilities: subset.restrict(prediction.probabilities) },
  };
}

/** A clip's classification, its aggregate, segments and windows restricted to the subset. */
export function restrictClassification(result: ClipClassification, subset: LabelSubset): ClipClassification {
  const restrict = (probabilities: Float32Array | null) => probabilities && subset.restrict(probabilities);
  return {
    ...result,
    probabilities: restrict(result.probabilities),
    segments: result.segments.map((segment) => ({
      ...segment,
      probabilities: restrict(segment.probabilities),
      windows: segment.windows.map((window) => restrictWindow(window, subset)),
    })),
  };
}
