/**
 * Cross-validated scores of an ensemble of trained experiments: each member's fold models (the checkpoints
 * `npm run train` leaves in `<runs>/<id>/fold-K/model`) predict their own fold's test clips, and the ensemble
 * takes the geometric mean of the members' probabilities with equal weights (fixed before looking at any
 * score, so the ensemble's numbers are as speaker-independent as its members'). The members must share the
 * corpora, protocol and seed, hence the very same folds; each keeps its own features and normalisation.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type EnsembleReport,
  EnsembleReportSchema,
  type FoldScores,
} from '../core/contracts/ensemble-report.ts';
import { scoreTestFold } from './evaluation/metrics.ts';
import {
  type ExperimentConfig,
  featureSetOf,
  loadExperimentData,
  normalisationOf,
  splitFor,
  withTrainingLabels,
} from './experiment.ts';
import { loadModel } from './model-io.ts';
import { requireFoldOneModel } from './run-record-files.ts';
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

/** A fold's UA; leaving a corpus out, over the labels the held-out corpus has (scoreTestFold), as its run scored it. */
const foldUa = (
  labels: readonly string[],
  truth: readonly number[],
  probabilities: Float32Array,
  leavingCorpusOut: boolean,
) => scoreTestFold(labels, truth, probabilities.slice(), leavingCorpusOut).ua;

/** The members' fold scores and their ensemble's; throws when they do not share their folds. */
export async function ensembleExperiments(
  configs: readonly ExperimentConfig[],
  options: {
    runsDir: string;
    /** Leaving a corpus out, a member's fold model may also be its record's (it ships fold 1): `<modelsDir>/<id>`. */
    modelsDir?: string;
    log: (line: string) => void;
  },
): Promise<EnsembleReport> {
  if (configs.length < 2)
    throw new RangeError(`ensemble: expected at least two experiments, got ${configs.length}`);
  let reference: { id: string; labels: string[]; tests: string[][]; protocol: string } | null = null;
  const members: { id: string; probabilities: Float32Array[]; truth: (readonly number[])[] }[] = [];
  for (const config of configs) {
    const loaded = await loadExperimentData(config, options.log);
    const split = splitFor(config, loaded.items);
    // The model's outputs: the labels of its training side (all of them, but leaving a corpus out).
    const data = withTrainingLabels(loaded, split.folds[0].train);
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
      const dir = await foldModelDir(config, index, options);
      const model = await loadModel(dir).catch((error: unknown) => {
        throw new Error(
          `ensemble: expected the fold ${index + 1} model of '${config.id}' in ${dir} (train it with npm run train), got ${(error as Error).message}`,
        );
      });
      const set = featureSetOf(data, fold.test, normalisationOf(config, data.items, fold.train));
      probabilities.push(predictProbabilities(model, set, config.training.batchSize));
      truth.push(set.labels);
      model.dispose();
    }
    members.push({ id: config.id, probabilities, truth });
    options.log(`${config.id}: ${split.folds.length} fold models scored on their test speakers`);
  }
  if (reference === null) throw new Error('ensemble: no experiment read');
  const { labels } = reference;
  const leavingCorpusOut = reference.protocol === 'leave-one-corpus-out';
  const truth = members[0].truth;
  // Members normalised by each test speaker's own clips have heard that speaker: the protocol says so.
  const perSpeaker = configs.filter((config) => config.normalisation === 'per-speaker').length;
  const normalisation =
    perSpeaker === 0
      ? ''
      : `, per-speaker normalisation${perSpeaker < configs.length ? ` (${perSpeaker} of ${configs.length} members)` : ''}`;
  return {
    protocol: `${reference.protocol}${normalisation}`,
    labels,
    testClips: truth.map((fold) => fold.length),
    members: members.map(({ id, probabilities }) => ({
      id,
      ua: probabilities.map((fold, k) => foldUa(labels, truth[k], fold, leavingCorpusOut)),
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
          leavingCorpusOut,
        ),
      ),
    },
  };
}

/**
 * Where fold `index` of a member was left by its run: `<runsDir>/<id>/fold-K/model`, or leaving a corpus out
 * (one fold, which the record ships) `<modelsDir>/<id>` when the runs folder no longer has it.
 */
async function foldModelDir(
  config: ExperimentConfig,
  index: number,
  options: { runsDir: string; modelsDir?: string },
): Promise<string> {
  const dir = join(options.runsDir, config.id, `fold-${index + 1}`, 'model');
  if (config.protocol !== 'leave-one-corpus-out' || options.modelsDir === undefined) return dir;
  const inRuns = await access(join(dir, 'model.json')).then(
    () => true,
    () => false,
  );
  if (inRuns) return dir;
  const record = join(options.modelsDir, config.id);
  await requireFoldOneModel(record, `ensemble: expected '${config.id}'`);
  return record;
}

/**
 * One report from leaving each corpus out in turn (`reports[k]` holding out `corpora[k]`): each held-out corpus is
 * a fold, as in the leave-one-corpus-out protocol, and the members keep their recipe's id.
 */
export function mergeHeldOutReports(
  reports: readonly EnsembleReport[],
  corpora: readonly string[],
): EnsembleReport {
  if (reports.length === 0 || reports.length !== corpora.length) {
    throw new RangeError(
      `ensemble: expected one report per held-out corpus, got ${reports.length} for ${corpora.length}`,
    );
  }
  const protocols = [...new Set(reports.map((report) => report.protocol))];
  if (protocols.length > 1) {
    throw new Error(
      `ensemble: expected every held-out report to have one protocol, got ${protocols.join(' and ')}`,
    );
  }
  const recipe = (id: string, corpus: string) => id.replace(new RegExp(`-loco-${corpus}$`), '');
  const scores = (pick: (report: EnsembleReport) => FoldScores) => ({
    id: recipe(pick(reports[0]).id, corpora[0]),
    ua: reports.flatMap((report) => pick(report).ua),
  });
  return {
    protocol: protocols[0],
    labels: [...new Set(reports.flatMap((report) => report.labels))],
    testClips: reports.flatMap((report) => report.testClips),
    members: reports[0].members.map((_, m) => scores((report) => report.members[m])),
    ensemble: {
      id: `ensemble of ${reports[0].members.map((member) => recipe(member.id, corpora[0])).join(' + ')}`,
      ua: reports.flatMap((report) => report.ensemble.ua),
    },
  };
}
