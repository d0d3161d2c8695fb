/**
 * A hyper-parameter sweep's record (`models/<id>-sweep/sweep.json`, written by `npm run sweep`): the base config
 * and its seed, the grid, the split the trials share (fold 1 of the config's protocol: its training speakers
 * train, its validation speakers score), every trial's scores, and the environment. Seed paper 002 swept batch
 * size, learning rate, optimiser and dropout this way and drew each as bars.
 */
import { z } from 'zod';
import { EnvironmentSchema } from './run-record.ts';

export const SWEEP_PARAMETERS = ['batchSize', 'learningRate', 'optimizer', 'dropout'] as const;
export type SweepParameter = (typeof SWEEP_PARAMETERS)[number];

export const SweepTrialResultSchema = z.strictObject({
  label: z.string(),
  batchSize: z.number().int().positive(),
  learningRate: z.number().positive(),
  optimizer: z.string(),
  dropout: z.number().min(0).lt(1),
  bestEpoch: z.number().int().nonnegative(),
  /** Validation UA and loss of the kept epoch; null when no epoch scored a finite loss. */
  valUa: z.number().min(0).max(1).nullable(),
  valLoss: z.number().nullable(),
  seconds: z.number().nonnegative(),
});

export const SweepRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  /** The resolved base experiment config (its seed included). */
  config: z.record(z.string(), z.unknown()),
  grid: z.partialRecord(z.enum(SWEEP_PARAMETERS), z.array(z.union([z.number(), z.string()])).min(1)),
  split: z.strictObject({
    protocol: z.string(),
    labels: z.array(z.string()),
    trainSpeakers: z.array(z.string()),
    validationSpeakers: z.array(z.string()).min(1),
    trainClips: z.number().int().positive(),
    validationClips: z.number().int().positive(),
  }),
  /** Best validation UA first. */
  trials: z.array(SweepTrialResultSchema).min(1),
  environment: EnvironmentSchema,
});

export type SweepRecord = z.infer<typeof SweepRecordSchema>;
export type SweepTrialResult = z.infer<typeof SweepTrialResultSchema>;

/**
 * `--grid name=v1,v2,…` values for one parameter, checked: whole positive batch sizes, positive learning rates,
 * known optimisers, dropout in [0, 1).
 */
export function parseGridValues(parameter: SweepParameter, text: string): (number | string)[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) {
    throw new RangeError(`expected --grid ${parameter}=v1,v2,…, got '${parameter}=${text}'`);
  }
  if (parameter === 'optimizer') {
    const bad = parts.find((part) => !['adam', 'rmsprop', 'sgd'].includes(part));
    if (bad !== undefined) throw new RangeError(`expected optimizer adam, rmsprop or sgd, got '${bad}'`);
    return parts;
  }
  return parts.map((part) => {
    const value = Number(part);
    const fits =
      parameter === 'batchSize'
        ? Number.isInteger(value) && value > 0
        : parameter === 'learningRate'
          ? value > 0 && Number.isFinite(value)
          : value >= 0 && value < 1;
    if (!fits) {
      const expected =
        parameter === 'batchSize'
          ? 'a whole number ≥ 1'
          : parameter === 'learningRate'
            ? 'a number > 0'
            : 'a number in [0, 1)';
      throw new RangeError(`expected each ${parameter} to be ${expected}, got '${part}'`);
    }
    return value;
  });
}

/** The record's trials as a Markdown table, best validation UA first. */
export function renderSweepTable(record: SweepRecord): string {
  const rows = record.trials.map(
    (trial) =>
      `| ${trial.batchSize} | ${trial.learningRate} | ${trial.optimizer} | ${trial.dropout} | ` +
      `${trial.valUa === null ? '–' : (100 * trial.valUa).toFixed(1)} | ${trial.bestEpoch} | ${Math.round(trial.seconds)} |`,
  );
  return [
    '| batch | learning rate | optimiser | dropout | validation UA % | kept epoch | seconds |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
