/** The line a training epoch prints: scores, time and what is left. */
import type { EpochRecord, TrainFoldOptions } from './training-types.ts';

/** `fold 2/5 ` for a fold of a cross-validation, nothing for a single run. */
export function foldLabel(options: TrainFoldOptions): string {
  return options.fold == null ? '' : `fold ${options.fold.index + 1}/${options.fold.count} `;
}

/** One epoch's line: scores, whether its weights are now the ones kept (early stopping), time and ETA. */
export function progressLine(
  options: TrainFoldOptions,
  record: EpochRecord,
  kept: boolean,
  history: EpochRecord[],
) {
  const { epochs } = options.training;
  const f = (value: number | null) => (value == null ? '–' : value.toFixed(4));
  const perEpoch = history.reduce((sum, r) => sum + r.seconds, 0) / history.length;
  const foldLeft = (epochs - record.epoch) * perEpoch;
  const foldsLeft = options.fold == null ? 0 : options.fold.count - options.fold.index - 1;
  const validation =
    record.valLoss == null
      ? ''
      : ` | val loss ${f(record.valLoss)} acc ${f(record.valAcc)} UA ${f(record.valUa)}`;
  return (
    `${foldLabel(options)}epoch ${record.epoch}/${epochs} loss ${f(record.loss)} acc ${f(record.acc)}` +
    `${validation}${record.corpusAcc === undefined ? '' : ` | corpus acc ${f(record.corpusAcc)}`}` +
    `${kept ? ' | best so far, kept' : ''} | ${record.seconds.toFixed(1)} s` +
    ` | ETA ≤ ${duration(foldLeft)} fold, ≤ ${duration(foldLeft + foldsLeft * epochs * perEpoch)} run`
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
