import type { ClassifyOutcome } from './classify-client.ts';

/** One sent clip and what came back, placed on the session's time axis. */
export interface Cycle {
  index: number;
  startSeconds: number;
  endSeconds: number;
  outcome: ClassifyOutcome;
}

export interface SessionSummary {
  /** Clips sent, and those that came back with speech and probabilities. */
  clips: number;
  classified: number;
  labels: string[];
  /** Mean probability per label over the classified clips. */
  meanProbabilities: Record<string, number>;
  /** The label that was top most often (ties go to the higher mean probability); null with no classified clip. */
  mostFrequentTop: { label: string; count: number } | null;
}

/** Aggregates a finished session: only clips with speech and probabilities count towards the means. */
export function summarise(cycles: readonly Cycle[]): SessionSummary {
  const responses = cycles.flatMap((cycle) =>
    cycle.outcome.kind === 'result' ? [cycle.outcome.response] : [],
  );
  const labels = responses[0]?.labels ?? [];
  const meanProbabilities = Object.fromEntries(
    labels.map((label) => [
      label,
      responses.reduce((sum, response) => sum + (response.probabilities[label] ?? 0), 0) / responses.length,
    ]),
  );
  const topCounts = new Map<string, number>();
  for (const response of responses)
    topCounts.set(response.top.label, (topCounts.get(response.top.label) ?? 0) + 1);
  let mostFrequentTop: SessionSummary['mostFrequentTop'] = null;
  for (const [label, count] of topCounts) {
    const better =
      mostFrequentTop === null ||
      count > mostFrequentTop.count ||
      (count === mostFrequentTop.count &&
        (meanProbabilities[label] ?? 0) > (meanProbabilities[mostFrequentTop.label] ?? 0));
    if (better) mostFrequentTop = { label, count };
  }
  return { clips: cycles.length, classified: responses.length, labels, meanProbabilities, mostFrequentTop };
}
