/**
 * Cross-validated scores of an ensemble of trained experiments: each member's fold models (the checkpoints
 * `npm run train` leaves in `<runs>/<id>/fold-K/model`) predict their own fold's test clips, and the ensemble
 * takes the geometric mean of the members' probabilities with equal weights (fixed before looking at any
 * score, so the ensemble's numbers are as speaker-independent as its members'). The members must share the
 * corpora, protocol and seed, hence the very same folds; each keeps its own features and normalisation.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type EnsembleReport, EnsembleReportSchema } from '../core/contracts/ensemble-report.ts';
import { evaluateProbabilities } from './evaluation/metrics.ts';
import {
  type ExperimentConfig,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from './experiment.ts';
import { loadModel } from './model-io.ts';
import { predictProbabilities } from './trainer.ts';

export {
  type EnsembleReport,
  EnsembleReportSchema,
  type FoldScores,
} from '../core/contracts/ensemble-report.ts';

/** The reports in `path` (none when the file does not exist); throws naming what is malformed. */
export async function readEnsembleReports(path: string): Promise<EnsembleReport[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '[]';
    throw error;
  });
  const parsed = z.array(EnsembleReportSchema).safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`expected ${path} to hold ensemble reports, got: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** Writes `report` into `path`, replacing an earlier report on the same members. */
export async function recordEnsembleReport(path: string, report: EnsembleReport): Promise<void> {
  const key = (entry: EnsembleReport) => entry.members.map((member) => member.id).join(' + ');
  const others = (await readEnsembleReports(path)).filter((entry) => key(entry) !== key(report));
  const reports = [...others, report].sort((a, b) => key(a).localeCompare(key(b)));
  await writeFile(path, `${JSON.stringify(reports, null, 2)}\n`);
}

/**
 * Row-wise geometric mean of the members' probabilities ([rows × classes] each), renormalised: the ensemble's
 * probabilities. A floor of 1e-7 keeps a member's zero from vetoing a class outright.
 */
export function combineProbabilities(members: readonly Float32Array[], classes: number): Float32Array {
  if (members.length === 0) throw new RangeError('ensemble: expected at least one member, got none');
  const length = members[0].length;
  if (members.some((member) => member.length !== length) || length % classes !== 0) {
    throw new RangeError(
      `ensemble: expected members of equal length in rows of ${classes}, got ${members.map((m) => m.length).join(', ')}`,
    );
  }
  const out = new Float32Array(length);
  for (let row = 0; row < length; row += classes) {
    let total = 0;
    for (let c = 0; c < classes; c++) {
      let logSum = 0;
      for (const member of members) logSum += Math.log(Math.max(member[row + c], 1e-7));
      out[row + c] = Math.exp(logSum / members.length);
      total += out[row + c];
    }
    for (let c = 0; c < classes; c++) out[row + c] /= total;
  }
  return out;
}

const foldUa = (labels: readonly string[], truth: readonly number[], probabilities: Float32Array) =>
  evaluateProbabilities(labels, truth, probabilities).ua;

/** The members' fold scores and their ensemble's; throws when they do not share their folds. */
export async function ensembleExperiments(
  configs: readonly ExperimentConfig[],
  options: { runsDir: string; log: (line: string) => void },
): Promise<EnsembleReport> {
  if (configs.length < 2)
    throw new RangeError(`ensemble: expected at least two experiments, got ${configs.length}`);
  let reference: { id: string; labels: string[]; tests: string[][]; protocol: string } | null = null;
  const members: { id: string; probabilities: Float32Array[]; truth: (readonly number[])[] }[] = [];
  for (const config of configs) {
    const data = await loadExperimentData(config, options.log);
    const split = splitFor(config, data.items);
    const tests = split.folds.map((fold) => fold.test.map((index) => data.items[index].file));
    if (reference === null) {
      reference = { id: config.id, labels: data.labels, tests, protocol: split.protocol };
    } else if (JSON.stringify(tests) !== JSON.stringify(reference.tests)) {
      throw new Error(
        `ensemble: expected '${config.id}' to have the test folds of '${reference.id}' (same corpora, protocol and seed), got others`,
      );
    } else if (JSON.stringify(data.labels) !== JSON.stringify(reference.labels)) {
      throw new Error(
        `ensemble: expected '${config.id}' to have the labels of '${reference.id}' (${reference.labels.join(', ')}), got ${data.labels.join(', ')}`,
      );
    }
    const probabilities: Float32Array[] = [];
    const truth: (readonly number[])[] = [];
    for (const [index, fold] of split.folds.entries()) {
      const dir = join(options.runsDir, config.id, `fold-${index + 1}`, 'model');
      const model = await loadModel(dir).catch((error: unknown) => {
        throw new Error(
          `ensemble: expected the fold ${index + 1} model of '${config.id}' in ${dir} (train it with npm run train), got ${(error as Error).message}`,
        );
      });
      const set = featureSetOf(data, fold.test, normalisationFor(data.items, fold.train));
      probabilities.push(predictProbabilities(model, set, config.training.batchSize));
      truth.push(set.labels);
      model.dispose();
    }
    members.push({ id: config.id, probabilities, truth });
    options.log(`${config.id}: ${split.folds.length} fold models scored on their test speakers`);
  }
  if (reference === null) throw new Error('ensemble: no experiment read');
  const { labels } = reference;
  const truth = members[0].truth;
  return {
    protocol: reference.protocol,
    labels,
    testClips: truth.map((fold) => fold.length),
    members: members.map(({ id, probabilities }) => ({
      id,
      ua: probabilities.map((fold, k) => foldUa(labels, truth[k], fold)),
    })),
    ensemble: {
      id: `ensemble of ${members.map((member) => member.id).join(' + ')}`,
      ua: truth.map((fold, k) =>
        foldUa(
          labels,
          fold,
          combineProbabilities(
            members.map((member) => member.probabilities[k]),
            labels.length,
          ),
        ),
      ),
    },
  };
}
