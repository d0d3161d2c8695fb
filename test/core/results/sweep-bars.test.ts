import { describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../../core/contracts/sweep-record.ts';
import { sweepScores } from '../../../core/results/sweep-bars.ts';

const trial = (batchSize: number, optimizer: string, valUa: number | null) => ({
  label: `${batchSize}-${optimizer}`,
  batchSize,
  learningRate: 0.001,
  optimizer,
  dropout: 0.3,
  bestEpoch: 3,
  valUa,
  valLoss: valUa === null ? null : 1,
  seconds: 1,
});

describe('sweepScores', () => {
  it('gives each swept value its best and mean validation UA over the trials that used it', () => {
    const record = {
      grid: { batchSize: [32, 128], optimizer: ['adam', 'sgd'], learningRate: [0.001] },
      trials: [
        trial(32, 'adam', 0.6),
        trial(32, 'sgd', 0.4),
        trial(128, 'adam', 0.5),
        trial(128, 'sgd', null),
      ],
    } as unknown as SweepRecord;
    const scores = sweepScores(record);
    // A parameter with one value was not swept.
    expect(scores.map((entry) => entry.parameter)).toEqual(['batchSize', 'optimizer']);
    expect(scores[0].values).toEqual([
      { value: 32, best: 0.6, mean: 0.5, trials: 2 },
      { value: 128, best: 0.5, mean: 0.5, trials: 1 },
    ]);
    expect(scores[1].values.map((value) => value.best)).toEqual([0.6, 0.4]);
  });
});
