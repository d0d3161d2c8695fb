/** Hyper-parameter sweeps as seed paper 002 ran them: every combination of a grid, trained on one fold. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import type { ModelConfig } from './models/index.ts';
import { trainFold } from './trainer.ts';
import type { FeatureSet, TrainingLog } from './training-types.ts';

/** Values to try; each omitted axis keeps the base configuration's value. */
export interface SweepSpace {
  batchSize?: number[];
  learningRate?: number[];
  optimizer?: TrainingConfig['optimizer'][];
  dropout?: number[];
}

export interface SweepTrial {
  /** e.g. `bs32-lr0.001-adam-do0.3`, also its checkpoint folder name. */
  label: string;
  model: ModelConfig;
  training: TrainingConfig;
}

/** The full grid over `space` around the base configuration, in a fixed order. */
export function sweepTrials(model: ModelConfig, training: TrainingConfig, space: SweepSpace): SweepTrial[] {
  if (model.architecture === 'svm')
    throw new Error('sweep: expected a network to sweep, got an svm (it has no epochs)');
  const trials: SweepTrial[] = [];
  for (const batchSize of space.batchSize ?? [training.batchSize])
    for (const learningRate of space.learningRate ?? [training.learningRate])
      for (const optimizer of space.optimizer ?? [training.optimizer])
        for (const dropout of space.dropout ?? [model.dropout]) {
          trials.push({
            label: `bs${batchSize}-lr${learningRate}-${optimizer}-do${dropout}`,
            model: { ...model, dropout },
            training: { ...training, batchSize, learningRate, optimizer },
          });
        }
  return trials;
}

export interface SweepResult {
  label: string;
  model: ModelConfig;
  training: TrainingConfig;
  bestEpoch: number;
  /** Validation scores of the restored (best) epoch; null if no epoch scored a finite loss. */
  valUa: number | null;
  valLoss: number | null;
  seconds: number;
}

/**
 * Trains every trial on `train` and scores it on `validation`; returns the results best UA first (trials that
 * diverged last). With a
 * `checkpointDir`, finished trials are read back from `<label>.json` and an unfinished one resumes.
 */
export async function runSweep(options: {
  trials: SweepTrial[];
  labels: readonly string[];
  train: FeatureSet;
  validation: FeatureSet;
  checkpointDir?: string;
  log?: TrainingLog;
}): Promise<SweepResult[]> {
  const results: SweepResult[] = [];
  for (const trial of options.trials) {
    const resultPath =
      options.checkpointDir == null ? null : join(options.checkpointDir, `${trial.label}.json`);
    const done = resultPath == null ? null : await readFile(resultPath, 'utf8').catch(() => null);
    if (done != null) {
      results.push(JSON.parse(done) as SweepResult);
      continue;
    }
    const trained = await trainFold({
      model: trial.model,
      training: trial.training,
      labels: options.labels,
      train: options.train,
      validation: options.validation,
      checkpointDir: options.checkpointDir == null ? undefined : join(options.checkpointDir, trial.label),
      log: (line, kind) => options.log?.(`${trial.label} ${line}`, kind),
    });
    trained.model.dispose();
    const best = trained.history[trained.bestEpoch - 1];
    const result: SweepResult = {
      ...trial,
      bestEpoch: trained.bestEpoch,
      valUa: best?.valUa ?? null,
      valLoss: best?.valLoss ?? null,
      seconds: trained.history.reduce((sum, record) => sum + record.seconds, 0),
    };
    if (resultPath != null && options.checkpointDir != null) {
      await writeFile(resultPath, `${JSON.stringify(result, null, 2)}\n`);
      await rm(join(options.checkpointDir, trial.label), { recursive: true, force: true });
    }
    results.push(result);
  }
  return results.sort((a, b) => (b.valUa ?? -1) - (a.valUa ?? -1));
}
