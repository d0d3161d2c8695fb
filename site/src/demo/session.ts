import { aggregateWindows } from '../../../core/serving/timeline.ts';
import type { ClassifyOutcome } from './classify-client.ts';

/** One sent clip and what came back, placed on the session's time axis. */
export interface Cycle {
  index: number;
  startSeconds: number;
  endSeconds: number;
  outcome: ClassifyOutcome;
  /** Milliseconds from sending the clip to its answer, as the page saw it (network included). */
  latencyMs?: number;
}

export interface SessionSummary {
  /** Clips sent (or windows streamed), and those that came back with speech and probabilities. */
  clips: number;
  classified: number;
  labels: string[];
  /**
   * The session's probabilities by the rule that answers a whole clip (core/serving/timeline.ts): the classified
   * windows' or clips' log-probabilities averaged, weighted by their seconds of speech: for a stream, the rule of
   * the server's own summary over the same windows.
   */
  probabilities: Record<string, number>;
  /** Its top label, and how many classified windows or clips had that label on top; null with none classified. */
  top: { label: string; confidence: number; count: number } | null;
}

/** Aggregates a finished session: only windows or clips with speech and probabilities count. */
export function summarise(cycles: readonly Cycle[]): SessionSummary {
  const responses = cycles.flatMap((cycle) =>
    cycle.outcome.kind === 'result' ? [cycle.outcome.response] : [],
  );
  const labels = responses[0]?.labels ?? [];
  const weighted = responses.filter((response) => response.speechSeconds > 0);
  if (weighted.length === 0) {
    return { clips: cycles.length, classified: responses.length, labels, probabilities: {}, top: null };
  }
  const aggregate = aggregateWindows(
    weighted.map((response) => Float32Array.from(labels, (label) => response.probabilities[label] ?? 0)),
    weighted.map((response) => response.speechSeconds),
  );
  const probabilities = Object.fromEntries(labels.map((label, i) => [label, aggregate[i]]));
  const best = aggregate.indexOf(Math.max(...aggregate));
  const label = labels[best];
  const count = responses.filter((response) => response.top.label === label).length;
  return {
    clips: cycles.length,
    classified: responses.length,
    labels,
    probabilities,
    top: { label, confidence: aggregate[best], count },
  };
}

/**
 * The status line when a session ends. Nothing sent means the audio was shorter than a clip's minimum, and says
 * so with both lengths instead of "0 clips sent".
 */
export function doneMessage(cycles: readonly Cycle[], audioSeconds: number, minClipSeconds: number): string {
  if (cycles.length === 0) {
    return audioSeconds < minClipSeconds
      ? `Nothing was sent: the audio was ${audioSeconds.toFixed(1)} s long, and a clip needs at least ${minClipSeconds} s.`
      : `Nothing was sent: no audio arrived.`;
  }
  const classified = cycles.filter((cycle) => cycle.outcome.kind === 'result').length;
  return (
    `Done: ${cycles.length} answer${cycles.length === 1 ? '' : 's'} (${audioSeconds.toFixed(1)} s of audio), ` +
    `${classified} classified.`
  );
}

/** One row per clip: its span, what came back, the top label and every probability (null when none). */
export interface SessionRow {
  clip: number;
  startSeconds: number;
  endSeconds: number;
  outcome: ClassifyOutcome['kind'];
  message: string | null;
  top: string | null;
  confidence: number | null;
  latencyMs: number | null;
  probabilities: Record<string, number> | null;
}

export function sessionRows(cycles: readonly Cycle[]): SessionRow[] {
  return cycles.map((cycle) => {
    const { outcome } = cycle;
    const response = outcome.kind === 'result' ? outcome.response : null;
    return {
      clip: cycle.index + 1,
      startSeconds: round(cycle.startSeconds),
      endSeconds: round(cycle.endSeconds),
      outcome: outcome.kind,
      message: outcome.kind === 'result' ? null : outcome.message,
      top: response?.top.label ?? null,
      confidence: response ? round(response.top.confidence) : null,
      latencyMs: cycle.latencyMs === undefined ? null : Math.round(cycle.latencyMs),
      probabilities: response
        ? Object.fromEntries(
            response.labels.map((label) => [label, round(response.probabilities[label] ?? 0)]),
          )
        : null,
    };
  });
}

/** The session as CSV: one line per clip, a column per label's probability (RFC 4180 quoting). */
export function sessionCsv(cycles: readonly Cycle[]): string {
  const rows = sessionRows(cycles);
  const labels = [...new Set(rows.flatMap((row) => Object.keys(row.probabilities ?? {})))];
  const header = [
    'clip',
    'start_s',
    'end_s',
    'outcome',
    'message',
    'top',
    'confidence',
    'latency_ms',
    ...labels,
  ];
  const quote = (value: string | number | null) => {
    if (value === null) return '';
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = rows.map((row) =>
    [
      row.clip,
      row.startSeconds,
      row.endSeconds,
      row.outcome,
      row.message,
      row.top,
      row.confidence,
      row.latencyMs,
      ...labels.map((label) => row.probabilities?.[label] ?? null),
    ]
      .map(quote)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** The session as JSON: the rows above and the summary. */
export function sessionJson(cycles: readonly Cycle[]): string {
  return `${JSON.stringify({ clips: sessionRows(cycles), summary: summarise(cycles) }, null, 2)}\n`;
}

const round = (value: number) => Math.round(value * 1e4) / 1e4;
