/**
 * Rescoring a run record's folds without retraining. Revisions before 30c10e9 scored each speaker-protocol test
 * fold among the labels its test speakers have only, which spares a speaker who never acted, say, disgust the
 * model's disgust answers. The fold models those runs left in the runs cache predict their test clips again,
 * scored among all the model's labels (scoreTestFold); folds whose speakers have every label scored the same
 * either way and keep their numbers. The record says what was rescored, at which revision.
 */
import { join } from 'node:path';
import type { RunRecord } from '../core/contracts/run-record.ts';
import { scoreTestFold, summariseFolds } from './evaluation/metrics.ts';
import {
  type ExperimentConfig,
  featureSetOf,
  loadExperimentData,
  normalisationOf,
  splitFor,
  withTrainingLabels,
} from './experiment.ts';
import { loadModel } from './model-io.ts';
import { predictProbabilities } from './trainer.ts';

/**
 * How far a fold's recomputed score may stray from its record: the features are recomputed by today's front end,
 * whose wasm kernels round differently in the last bits, so a borderline clip can change.
 */
const RECOMPUTED_TOLERANCE = 0.02;

export interface Rescored {
  record: RunRecord;
  /** The (0-based) folds whose scores were recomputed. */
  folds: number[];
}

/** `record` with the folds that lack a label rescored among all labels, from `<runsDir>/<id>/fold-K/model`. */
export async function rescoreRecord(
  config: ExperimentConfig,
  record: RunRecord,
  options: { runsDir: string; revision: string; log: (line: string) => void },
): Promise<Rescored> {
  if (config.id !== record.id) {
    throw new Error(`rescore: expected the record of '${config.id}', got '${record.id}'`);
  }
  if (config.protocol === 'leave-one-corpus-out') {
    throw new Error(
      `rescore: expected a speaker protocol, got leave-one-corpus-out ('${config.id}' is scored over the labels its held-out corpus shares, as it should be)`,
    );
  }
  if (config.model.architecture === 'svm') {
    throw new Error(
      `rescore: expected a network, got an SVM ('${config.id}' retrains in seconds: npm run train)`,
    );
  }
  const loaded = await loadExperimentData(config, options.log);
  const split = splitFor(config, loaded.items);
  const data = withTrainingLabels(loaded, split.folds[0].train);
  if (data.labels.join(',') !== record.task.labels.join(',')) {
    throw new Error(
      `rescore: expected the record's labels [${record.task.labels.join(', ')}], got [${data.labels.join(', ')}] from the data`,
    );
  }
  const speakers = (folds: readonly { speakers: { test: readonly string[] } }[]) =>
    JSON.stringify(folds.map((fold) => fold.speakers.test));
  if (speakers(split.folds) !== speakers(record.splits.folds)) {
    throw new Error(
      `rescore: expected the record's test speakers in every fold, got others from the data and config`,
    );
  }
  const folds = [...record.folds];
  const rescored: number[] = [];
  for (const [index, fold] of split.folds.entries()) {
    const present = new Set(fold.test.map((item) => data.items[item].canonical));
    if (present.size === data.labels.length) continue;
    const dir = join(options.runsDir, config.id, `fold-${index + 1}`, 'model');
    const model = await loadModel(dir).catch((error: unknown) => {
      throw new Error(
        `rescore: expected the fold ${index + 1} model of '${config.id}' in ${dir}, got ${(error as Error).message}`,
      );
    });
    const set = featureSetOf(data, fold.test, normalisationOf(config, data.items, fold.train));
    const probabilities = predictProbabilities(model, set, config.training.batchSize);
    model.dispose();
    const metrics = scoreTestFold(data.labels, set.labels, probabilities.slice(), false);
    const at = folds.findIndex((entry) => entry.index === fold.index);
    const stored = folds[at].metrics.ua;
    // Already scored among all labels (a record made since the fix, or rescored before): nothing to do.
    if (Math.abs(stored - metrics.ua) < 1e-9) continue;
    // The old rule must reproduce the record, or this is not the model (or the data) that made it.
    const restricted = scoreTestFold(data.labels, set.labels, probabilities, true).ua;
    if (Math.abs(stored - restricted) > RECOMPUTED_TOLERANCE) {
      throw new Error(
        `rescore: expected the fold ${index + 1} model in ${dir} to reproduce the record's ${(100 * stored).toFixed(1)} % ` +
          `among its test speakers' labels, got ${(100 * restricted).toFixed(1)} %: it is not the model that made the record`,
      );
    }
    options.log(
      `fold ${index + 1}: UA ${(100 * folds[at].metrics.ua).toFixed(1)} → ${(100 * metrics.ua).toFixed(1)} % ` +
        `(its test speakers lack ${data.labels.filter((label) => !present.has(label)).join(', ')})`,
    );
    folds[at] = { ...folds[at], metrics };
    rescored.push(index);
  }
  if (rescored.length === 0) return { record, folds: [] };
  const note =
    `Fold${rescored.length > 1 ? 's' : ''} ${rescored.map((index) => index + 1).join(', ')} rescored among all ` +
    `${data.labels.length} labels at revision ${options.revision} (npm run rescore) from the fold models trained ` +
    `at ${record.environment.git?.revision ?? 'an unrecorded revision'}, which had scored them among their test ` +
    `speakers' labels only; their features were recomputed by the front end of that revision.`;
  return {
    record: {
      ...record,
      folds,
      summary: {
        ...summariseFolds(folds.map((fold) => fold.metrics)),
        ...(record.summary.served === undefined ? {} : { served: record.summary.served }),
      },
      notes: [...record.notes, note],
    },
    folds: rescored,
  };
}
