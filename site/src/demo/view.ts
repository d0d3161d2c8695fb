import { categoricalColours } from '../lib/charts/colour.ts';
import type { Classified, ClassifyOutcome } from './classify-client.ts';
import type { Cycle, SessionSummary } from './session.ts';

/** Page states the status line can show; `data-state` carries them for styling and tests. */
export type DemoState =
  | 'idle'
  | 'starting'
  | 'recording'
  | 'finishing'
  | 'decoding'
  | 'done'
  | 'permission-denied'
  | 'no-microphone'
  | 'microphone-busy'
  | 'unsupported'
  | 'upload-failed';

const element = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const percent = (p: number) => `${(p * 100).toFixed(0)} %`;
const cssPercent = (p: number) => `${(Math.min(1, Math.max(0, p)) * 100).toFixed(1)}%`;
const seconds = (s: number) => `${s.toFixed(1)} s`;

export function setStatus(status: HTMLElement, state: DemoState, message: string): void {
  status.dataset.state = state;
  status.textContent = message;
}

/** Shows a clip's problem until the next successful answer clears it (`null`). */
export function setProblem(problem: HTMLElement, kind: string | null, message = ''): void {
  problem.hidden = kind === null;
  problem.dataset.kind = kind ?? '';
  problem.textContent = message;
}

/** The problem line for a clip without a result; a server's own message is kept word for word. */
export function describeProblem(outcome: Exclude<ClassifyOutcome, { kind: 'result' }>): string {
  switch (outcome.kind) {
    case 'no-speech':
      return 'no speech detected.';
    case 'too-short':
      return 'too short to classify.';
    case 'server-error':
      return `the function answered with an error: ${outcome.message} (${outcome.code}, HTTP ${outcome.status})`;
    case 'unreachable':
      return `the function is unreachable: ${outcome.message}`;
  }
}

export function clearLatest(container: HTMLElement): void {
  container.replaceChildren(element('p', 'muted', 'No clip classified yet.'));
}

/** Horizontal probability bars in the model's label order, the top label marked. */
function probabilityList(
  labels: readonly string[],
  probabilities: Record<string, number>,
  top: string | null,
) {
  const colours = categoricalColours(labels);
  const list = element('ul', 'probabilities');
  for (const label of labels) {
    const p = probabilities[label] ?? 0;
    const row = element('li', label === top ? 'probability top' : 'probability');
    row.dataset.label = label;
    const bar = element('span', 'bar');
    bar.style.width = cssPercent(p);
    bar.style.background = colours[label];
    const track = element('span', 'track');
    track.append(bar);
    row.append(element('span', 'label', label), track, element('span', 'value', percent(p)));
    list.append(row);
  }
  return list;
}

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

export function renderLatest(container: HTMLElement, cycle: Cycle, response: Classified): void {
  const heading = element(
    'p',
    'latest-caption',
    `${response.timing === null ? 'Window' : 'Clip'} ${cycle.index + 1} (${seconds(cycle.startSeconds)}–${seconds(cycle.endSeconds)}): ` +
      `${response.top.label}, ${percent(response.top.confidence)} — model ${response.model.id} ${response.model.version}`,
  );
  // Round trip as this page saw it, beside the Worker's own CPU time for a POSTed clip; a streamed window's
  // latency runs from sending its last sample.
  const latency = cycle.latencyMs === undefined ? '–' : `${Math.round(cycle.latencyMs)} ms`;
  const timing = element(
    'p',
    'latency muted',
    response.timing === null
      ? `Answered ${latency} after its last sample was sent.`
      : `Answered in ${latency} (the function's own time: ${Math.round(response.timing.totalMs)} ms).`,
  );
  // Absent from answers of a function older than arousal and valence.
  const { dimensions } = response;
  const plane = dimensions
    ? [
        element(
          'p',
          'dimensions muted',
          `Arousal ${signed(dimensions.arousal)}, valence ${signed(dimensions.valence)} (−1…1, read from the ` +
            'probabilities through the NRC VAD lexicon; see the API page).',
        ),
      ]
    : [];
  container.replaceChildren(
    heading,
    probabilityList(response.labels, response.probabilities, response.top.label),
    ...plane,
    timing,
  );
}

const NO_RESULT_TEXT: Record<Exclude<ClassifyOutcome['kind'], 'result'>, string> = {
  'no-speech': 'no speech',
  'too-short': 'too short',
  'server-error': 'error',
  unreachable: 'unreachable',
};

/** One timeline column per clip: stacked probabilities, or why there are none. */
export function appendTimeline(timeline: HTMLElement, cycle: Cycle): void {
  const item = element('li', `cycle ${cycle.outcome.kind}`);
  item.dataset.index = String(cycle.index);
  const stack = element('span', 'stack');
  const { outcome } = cycle;
  if (outcome.kind === 'result') {
    const colours = categoricalColours(outcome.response.labels);
    for (const label of outcome.response.labels) {
      const segment = element('span', 'segment');
      segment.style.height = cssPercent(outcome.response.probabilities[label] ?? 0);
      segment.style.background = colours[label];
      stack.append(segment);
    }
    item.title = outcome.response.labels
      .map((label) => `${label} ${percent(outcome.response.probabilities[label] ?? 0)}`)
      .join(', ');
    item.append(stack, element('span', 'cycle-top', outcome.response.top.label));
  } else {
    item.title = outcome.message;
    item.append(stack, element('span', 'cycle-top', NO_RESULT_TEXT[outcome.kind]));
  }
  item.append(element('span', 'cycle-time', seconds(cycle.startSeconds)));
  timeline.append(item);
}

/** A legend for the timeline's colours, drawn once the labels are known. */
export function renderLegend(legend: HTMLElement, labels: readonly string[]): void {
  const colours = categoricalColours(labels);
  legend.replaceChildren(
    ...labels.map((label) => {
      const item = element('li', 'legend-item', label);
      const swatch = element('span', 'swatch');
      swatch.style.background = colours[label];
      item.prepend(swatch);
      return item;
    }),
  );
}

export function renderSummary(container: HTMLElement, summary: SessionSummary): void {
  container.hidden = false;
  const body = container.querySelector<HTMLElement>('[data-summary-body]') ?? container;
  if (summary.top === null) {
    body.replaceChildren(
      element(
        'p',
        'summary-line',
        `None of the ${summary.clips} answers came with speech and probabilities.`,
      ),
    );
    return;
  }
  const { label, confidence, count } = summary.top;
  body.replaceChildren(
    element(
      'p',
      'summary-line',
      `Session: ${label} ${(confidence * 100).toFixed(0)} % (top in ${count} of ${summary.classified} classified windows or clips; ${summary.clips} answers).`,
    ),
    element(
      'p',
      'summary-caption',
      "The classified windows' or clips' probabilities, combined as the API combines a long clip's windows " +
        '(weighted by their seconds of speech):',
    ),
    probabilityList(summary.labels, summary.probabilities, label),
  );
}
