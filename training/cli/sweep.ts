/**
 * `npm run sweep -- <config.json> --grid batchSize=16,32 --grid learningRate=0.001,0.0005 [--grid optimizer=adam,sgd]
 * [--grid dropout=0.2,0.4] [--jobs N] [--models-dir models]`: trains every combination on fold 1 of the config's
 * protocol (training speakers train, validation speakers score), resumable from .cache/runs/<id>-sweep/, and
 * writes models/<id>-sweep/sweep.json (core/contracts/sweep-record.ts) and prints the table, best validation UA first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRecordJson } from '../../core/contracts/run-record.ts';
import {
  parseGridValues,
  renderSweepTable,
  SWEEP_PARAMETERS,
  type SweepParameter,
  type SweepRecord,
  SweepRecordSchema,
} from '../../core/contracts/sweep-record.ts';
import { CheckpointConfigError, claimCheckpoints } from '../checkpoint-config.ts';
import {
  featureSetOf,
  loadExperimentData,
  normalisationOf,
  splitFor,
  withTrainingLabels,
} from '../experiment.ts';
import { collectEnvironment } from '../run-record-files.ts';
import { runSweep, type SweepSpace, sweepTrials } from '../sweep.ts';
import { parsePart, runJobs } from './jobs.ts';
import { setUpTraining } from './node-training.ts';
import { consoleTrainingLog, fail, parseCommandLine } from './parse-args.ts';
import { readExperimentConfig } from './read-config.ts';

const usage =
  'usage: npm run sweep -- <config.json> --grid <batchSize|learningRate|optimizer|dropout>=v1,v2,… [--grid …] ' +
  '[--jobs N] [--models-dir models]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true, default: [] },
      jobs: { type: 'string', default: '1' },
      'models-dir': { type: 'string', default: 'models' },
      part: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      "Trains every combination of the grid's values on fold 1 of the config's protocol (its training speakers " +
      'train, its validation speakers score), as seed paper 002 swept its hyper-parameters; resumable, and ' +
      'written to <models-dir>/<id>-sweep/sweep.json with a table.',
    options: {
      grid: 'one parameter and its values, as name=v1,v2 (batchSize, learningRate, optimizer, dropout); repeat per parameter',
      jobs: 'processes to train trials in, one core each',
      'models-dir': 'where the sweep folder is written',
      part: null,
    },
  },
);
if (positionals.length !== 1) fail(`expected one config file, got ${positionals.length}\n${usage}`);
if (values.grid.length === 0) fail(`expected at least one --grid name=v1,v2,…, got none\n${usage}`);
const grid: Partial<Record<SweepParameter, (number | string)[]>> = {};
for (const entry of values.grid) {
  const match = /^([A-Za-z]+)=(.*)$/.exec(entry);
  const parameter = match?.[1] as SweepParameter | undefined;
  if (!match || parameter === undefined || !SWEEP_PARAMETERS.includes(parameter)) {
    fail(`expected --grid <${SWEEP_PARAMETERS.join('|')}>=v1,v2,…, got '${entry}'\n${usage}`);
  }
  if (grid[parameter] !== undefined) fail(`expected each parameter once in --grid, got ${parameter} twice`);
  try {
    grid[parameter] = parseGridValues(parameter, match[2]);
  } catch (error) {
    fail((error as Error).message);
  }
}
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16)
  fail(`expected --jobs to be a whole number from 1 to 16, got '${values.jobs}'`);
const part = parsePart(values.part);

const config = await readExperimentConfig(resolve(positionals[0]));
// A random split draws its own validation clips; the speaker protocols score on validation speakers.
if (config.validationSpeakers === 0 && config.protocol !== 'random-stratified') {
  fail(`expected validationSpeakers ≥ 1 in ${positionals[0]}: the trials are scored on them, got 0`);
}
const sweepId = `${config.id}-sweep`;
const cacheDir = resolve('.cache/runs', sweepId);
await claimCheckpoints(cacheDir, { config, grid }).catch((error: unknown) =>
  error instanceof CheckpointConfigError ? fail(error.message) : Promise.reject(error),
);

const { backend } = await setUpTraining();

const log = consoleTrainingLog();
const loaded = await loadExperimentData(config, log);
const split = splitFor(config, loaded.items);
const fold = split.folds[0];
const data = withTrainingLabels(loaded, fold.train);
const space: SweepSpace = {
  batchSize: grid.batchSize as number[] | undefined,
  learningRate: grid.learningRate as number[] | undefined,
  optimizer: grid.optimizer as SweepSpace['optimizer'],
  dropout: grid.dropout as number[] | undefined,
};
const trials = sweepTrials(config.model, config.training, space);

if (jobs > 1 && part === undefined) {
  // Each child trains every jobs-th trial into the shared folder; this process then reads them all back.
  const codes = await runJobs(fileURLToPath(import.meta.url), jobs);
  if (codes.some((code) => code !== 0))
    fail(`a sweep job failed (exit codes ${codes.join(', ')}); run the same command again to resume`);
}

const normalisation = normalisationOf(config, data.items, fold.train);
const mine = part === undefined ? trials : trials.filter((_, index) => index % part.count === part.index);
log(
  `${trials.length} trials on fold 1 of ${split.protocol}: ${fold.train.length} training clips, ${fold.validation.length} validation clips`,
);
const results = await runSweep({
  trials: mine,
  labels: data.labels,
  train: featureSetOf(data, fold.train, normalisation, true),
  validation: featureSetOf(data, fold.validation, normalisation),
  checkpointDir: cacheDir,
  log,
});
if (part !== undefined) process.exit(0);

const record: SweepRecord = SweepRecordSchema.parse({
  schemaVersion: 1,
  id: sweepId,
  createdAt: new Date().toISOString(),
  config,
  grid,
  split: {
    protocol: split.protocol,
    labels: data.labels,
    trainSpeakers: fold.speakers.train,
    validationSpeakers: fold.speakers.validation,
    trainClips: fold.train.length,
    validationClips: fold.validation.length,
  },
  trials: results.map((result) => ({
    label: result.label,
    batchSize: result.training.batchSize,
    learningRate: result.training.learningRate,
    optimizer: result.training.optimizer,
    dropout: (result.model as { dropout?: number }).dropout ?? 0,
    bestEpoch: result.bestEpoch,
    valUa: result.valUa,
    valLoss: result.valLoss,
    seconds: result.seconds,
  })),
  environment: collectEnvironment(backend),
});
const folder = join(resolve(values['models-dir']), sweepId);
await mkdir(folder, { recursive: true });
await writeFile(join(folder, 'sweep.json'), formatRecordJson(record));
console.log(`\n${renderSweepTable(record)}\n\nwrote ${join(folder, 'sweep.json')}`);
