/** Every fold of a split trained and scored, in one process or spread over several (`--part`). */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import { saveModel } from './model-io.ts';
import type { ModelConfig } from './models/index.ts';
import { trainFold } from './trainer.ts';
import type { EpochRecord, FeatureSet, TrainingLog } from './training-types.ts';

/** A fold's data, produced on demand so only one fold's copies are in memory. */
export interface FoldData {
  train: FeatureSet;
  validation?: FeatureSet;
}

export interface CrossValidationOptions<E> {
  model: ModelConfig;
  training: TrainingConfig;
  labels: readonly string[];
  folds: number;
  data: (fold: number) => FoldData | Promise<FoldData>;
  /** Scores a fold's trained model (e.g. on its test speakers); the result must be JSON. */
  evaluate: (model: tfl.LayersModel, fold: number) => E | Promise<E>;
  /** `fold-K/` holds fold K's epoch checkpoints while it trains, then its model and `result.json`. */
  checkpointDir: string;
  log?: TrainingLog;
  /** Train only the folds this returns true for (0-based) and skip the rest (another process trains them). */
  include?: (fold: number) => boolean;
}

export interface FoldOutcome<E> {
  fold: number;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training seconds summed over the sessions this fold took. */
  seconds: number;
  evaluation: E;
}

/**
 * Trains and evaluates every fold (or those `include` picks). Finished folds are read back from `result.json`
 * instead of being retrained, and an unfinished fold resumes from its last epoch checkpoint, so an interrupted
 * run can simply be restarted, and processes that split the folds between them share their results.
 */
export async function crossValidate<E>(options: CrossValidationOptions<E>): Promise<FoldOutcome<E>[]> {
  const outcomes: FoldOutcome<E>[] = [];
  for (let fold = 0; fold < options.folds; fold++) {
    const foldDir = join(options.checkpointDir, `fold-${fold + 1}`);
    const resultPath = join(foldDir, 'result.json');
    const done = await readFile(resultPath, 'utf8').catch(() => null);
    if (done != null) {
      outcomes.push(JSON.parse(done) as FoldOutcome<E>);
      options.log?.(`fold ${fold + 1}/${options.folds} already done (${resultPath})`);
      continue;
    }
    if (options.include && !options.include(fold)) continue;
    const data = await options.data(fold);
    const epochsDir = join(foldDir, 'epochs');
    const trained = await trainFold({
      model: options.model,
      training: options.training,
      labels: options.labels,
      ...data,
      checkpointDir: epochsDir,
      fold: { index: fold, count: options.folds },
      log: options.log,
    });
    const evaluation = await options.evaluate(trained.model, fold);
    await saveModel(trained.model, join(foldDir, 'model'));
    trained.model.dispose();
    const outcome: FoldOutcome<E> = {
      fold,
      history: trained.history,
      bestEpoch: trained.bestEpoch,
      stoppedEarly: trained.stoppedEarly,
      seconds: trained.history.reduce((sum, record) => sum + record.seconds, 0),
      evaluation,
    };
    await writeFile(`${resultPath}.tmp`, `${JSON.stringify(outcome, null, 2)}\n`);
    await rename(`${resultPath}.tmp`, resultPath);
    await rm(epochsDir, { recursive: true, force: true });
    outcomes.push(outcome);
  }
  return outcomes;
}
