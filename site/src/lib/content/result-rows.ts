import { protocolName, type RunRecord } from '../../../../core/contracts/run-record.ts';

/** Mean ± sample standard deviation of a score over folds, as the run record stores it. */
export type MeanStd = RunRecord['summary']['ua'];

/** One line of the overview: a model evaluated on one corpus under one protocol. */
export interface ResultRow {
  model: string;
  architecture: string;
  corpus: string;
  protocol: string;
  speakerIndependent: boolean;
  /** Labels the scores are over (with leave-one-corpus-out, those the held-out corpus shares). */
  classes: number;
  /**
   * The task a row's scores answer: its test corpus, its number of classes, and whether that corpus was held out
   * of training. UA is only comparable between rows of one task.
   */
  task: string;
  folds: number;
  ua: MeanStd;
  wa: MeanStd;
  macroF1: MeanStd;
  parameters: number;
  /** Multiply-accumulates per clip of the model's input length; null when the record has no inference cost. */
  macs: number | null;
  /** Median milliseconds of one forward pass; null when not measured. */
  msPerClip: number | null;
  /** Where msPerClip was measured (CPU and backend), to name beside the times. */
  machine: string | null;
}

/**
 * The CPU and how the network ran: 'compiled network' when timed as the Worker runs it (training/
 * inference-cost.ts), else the tfjs backend, without the list of custom kernels.
 */
export function machineOf(cost: NonNullable<RunRecord['inference']>): string {
  const engine = cost.backend.startsWith('network compiled')
    ? 'compiled network'
    : `${cost.backend.split(';')[0]}${cost.backend.includes('LSTM (fused') ? ', fused LSTM' : ''}`;
  return `${cost.cpu.model} × ${cost.cpu.cores}, Node ${cost.node}, ${engine}`;
}

export function resultRow(record: RunRecord): ResultRow {
  return {
    model: record.id,
    architecture: record.config.model.architecture,
    // A leave-one-corpus-out run is scored on its held-out corpus alone.
    corpus: record.task.heldOutCorpus ?? record.task.corpus,
    protocol:
      record.task.heldOutCorpus === undefined
        ? protocolName(record.task)
        : `${protocolName(record.task)} (trained on ${record.task.corpus
            .split('+')
            .filter((c) => c !== record.task.heldOutCorpus)
            .join('+')})`,
    speakerIndependent: record.task.speakerIndependent,
    classes: scoredLabels(record),
    task: taskOf(record),
    folds: record.summary.folds,
    ua: record.summary.ua,
    wa: record.summary.wa,
    macroF1: record.summary.macroF1,
    parameters: record.parameters,
    macs: record.inference?.macs ?? null,
    msPerClip: record.inference?.msPerClip.median ?? null,
    machine: record.inference ? machineOf(record.inference) : null,
  };
}

/** The labels a record's UA is over: those its test clips have (with leave-one-corpus-out, fewer than the model's). */
const scoredLabels = (record: RunRecord) =>
  record.summary.perClass.filter((entry) => entry.support > 0).length;

function taskOf(record: RunRecord): string {
  const classes = scoredLabels(record);
  const chance = `chance UA ${(100 / classes).toFixed(1)} %`;
  const heldOut = record.task.heldOutCorpus;
  return heldOut === undefined
    ? `${record.task.corpus}, ${classes} classes (${chance})`
    : `${heldOut} held out of training, ${classes} classes (${chance})`;
}

/** The rows by task (see ResultRow.task), tasks in alphabetical order: a ranking only holds within one. */
export function groupByTask(rows: readonly ResultRow[]): { task: string; rows: ResultRow[] }[] {
  const tasks = [...new Set(rows.map((row) => row.task))].sort((a, b) => a.localeCompare(b));
  return tasks.map((task) => ({ task, rows: rows.filter((row) => row.task === task) }));
}

/** Columns the overview can be sorted by, each with the direction a first click sorts in. */
export const SORT_COLUMNS = {
  model: 'ascending',
  corpus: 'ascending',
  protocol: 'ascending',
  ua: 'descending',
  wa: 'descending',
  macroF1: 'descending',
  parameters: 'ascending',
  macs: 'ascending',
  msPerClip: 'ascending',
} as const;

export type SortColumn = keyof typeof SORT_COLUMNS;
export type SortDirection = 'ascending' | 'descending';

/** The overview's order without a choice: best UA first. */
export const DEFAULT_SORT = { column: 'ua', direction: 'descending' } as const satisfies {
  column: SortColumn;
  direction: SortDirection;
};

const sortValue = (row: ResultRow, column: SortColumn): string | number | null => {
  switch (column) {
    case 'model':
    case 'corpus':
    case 'protocol':
      return row[column];
    case 'ua':
    case 'wa':
    case 'macroF1':
      return row[column].mean;
    case 'parameters':
    case 'macs':
    case 'msPerClip':
      return row[column];
  }
};

/**
 * The rows ordered by one column; ties fall back to model, corpus, protocol so every ordering is stable. Rows
 * without a value (a record with no inference cost) come last in either direction.
 */
export function sortRows(
  rows: readonly ResultRow[],
  column: SortColumn,
  direction: SortDirection,
): ResultRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const identity = (row: ResultRow) => `${row.model}\u0000${row.corpus}\u0000${row.protocol}`;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, column);
    const y = sortValue(b, column);
    if ((x === null) !== (y === null)) return x === null ? 1 : -1;
    if (x !== y)
      return (
        sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)))
      );
    return identity(a).localeCompare(identity(b));
  });
}

/** Where the overview sorted by `column` in `direction` lives: `/` for the default, else a pre-sorted copy. */
export function sortedPath(column: SortColumn, direction: SortDirection): string {
  return column === DEFAULT_SORT.column && direction === DEFAULT_SORT.direction
    ? '/'
    : `/sorted/${column}-${direction}/`;
}
