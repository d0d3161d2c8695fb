/**
 * The scores a served model publishes (metadata.json `metrics`, GET /v1/models): its own run's, and its recipe's
 * leave-one-corpus-out runs, one per held-out corpus, which say what to expect from a studio, microphone and
 * language it never heard. `npm run results` refreshes the latter from the run records.
 */
import type { ModelMetric } from '../core/contracts/model-metadata.ts';
import type { HeldOutRecipe } from '../core/results/held-out-corpora.ts';

export const HELD_OUT_PROTOCOL = 'leave-one-corpus-out';

/** `metrics` with the leave-one-corpus-out ones replaced by `recipe`'s runs (none without a recipe). */
export function withHeldOutMetrics(
  metrics: readonly ModelMetric[],
  recipe: HeldOutRecipe | undefined,
): ModelMetric[] {
  const own = metrics.filter((metric) => metric.protocol !== HELD_OUT_PROTOCOL);
  const heldOut = (recipe?.runs ?? []).map((run) => ({
    corpus: run.corpus,
    protocol: HELD_OUT_PROTOCOL,
    ua: run.ua,
    wa: run.wa,
    macroF1: run.macroF1,
    labels: run.labels,
  }));
  return [...own, ...heldOut];
}
