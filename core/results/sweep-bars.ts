/**
 * A sweep as seed paper 002 drew it: per swept parameter, one bar per value — the best validation UA any trial
 * with that value reached, beside the mean over those trials (the other parameters vary across them).
 */
import { SWEEP_PARAMETERS, type SweepParameter, type SweepRecord } from '../contracts/sweep-record.ts';

export interface SweepValueScore {
  value: number | string;
  best: number;
  mean: number;
  trials: number;
}

export interface SweepParameterScores {
  parameter: SweepParameter;
  values: SweepValueScore[];
}

/** Swept parameters (two or more values) in the grid's order, each value in the grid's order. */
export function sweepScores(record: SweepRecord): SweepParameterScores[] {
  return SWEEP_PARAMETERS.flatMap((parameter) => {
    const values = record.grid[parameter];
    if (values === undefined || values.length < 2) return [];
    return [
      {
        parameter,
        values: values.flatMap((value) => {
          const scores = record.trials
            .filter((trial) => trial[parameter] === value && trial.valUa !== null)
            .map((trial) => trial.valUa as number);
          if (scores.length === 0) return [];
          return [
            {
              value,
              best: Math.max(...scores),
              mean: scores.reduce((sum, score) => sum + score, 0) / scores.length,
              trials: scores.length,
            },
          ];
        }),
      },
    ];
  });
}
