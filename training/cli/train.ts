/**
 * `npm run train -- <config.json> [--ship all-speakers] [--models-dir dir] [--jobs N] [--held-out-corpus id] [--seed N]
 * [--data corpus=folder]` (`--help` lists every option):
 * runs one experiment (training/configs/*.json) and writes models/<id>/ (or <dir>/<id>/, for trials that should
 * not be shipped). Interrupted runs resume from .cache/runs/<id>/ when started again with the same config.
 * `--jobs N` trains the folds and the final model in N processes (tfjs-wasm uses one core each), then writes
 * the model folder here. `--held-out-corpus C` runs the config under leave-one-corpus-out with C as the test
 * corpus, as `<id>-loco-<C>`. `--seed N` replaces the config's seed (splits, initial weights, batches, augmentation),
 * as `<id>-seed-<N>`: the same recipe again, to see how much of a difference is the seed. `--data C=folder` reads
 * corpus C from the user's folder instead of the config's path.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetworkCompiler } from '../../core/kernels/load-node.ts';
import { CheckpointConfigError, claimCheckpoints, differingPaths } from '../checkpoint-config.ts';
import { leavingCorpusOut, loadExperimentData, withSeed } from '../experiment.ts';
import { runExperiment } from '../run.ts';
import { readRunRecord } from '../run-record-files.ts';
import { parsePart, runJobs } from './jobs.ts';
import { setUpTraining } from './node-training.ts';
import { consoleTrainingLog, fail, parseCommandLine } from './parse-args.ts';
import { readExperimentConfig } from './read-config.ts';

const usage =
  'usage: npm run train -- <config.json> [--ship fold-1|all-speakers] [--models-dir models] [--jobs N] ' +
  '[--held-out-corpus corpus] [--seed N] [--data corpus=folder …] [--stock-lstm]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      ship: { type: 'string', default: 'fold-1' },
      'models-dir': { type: 'string', default: 'models' },
      'stock-lstm': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '1' },
      'held-out-corpus': { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string', multiple: true, default: [] },
      // Internal: the share of a `--jobs` run that a child process trains, as `index/count`.
      part: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      "Trains a config's model under its protocol (folds in parallel with --jobs, resumable from .cache/runs/<id>/) " +
      'and writes models/<id>/: weights, metadata.json, run.json and MODEL_CARD.md.',
    options: {
      ship: "the weights to ship: fold 1's model, or one trained on every speaker but the validation speakers",
      'models-dir': 'where the model folder is written; .cache/trials keeps a trial run out of models/',
      'stock-lstm':
        "train with tfjs's own LSTM layer instead of the fused recurrence (slower; for comparison)",
      jobs: 'processes to train folds in, one core each (tfjs-wasm is single-threaded)',
      'held-out-corpus': 'run leave-one-corpus-out with this corpus as the test side, as <id>-loco-<corpus>',
      seed: "replace the config's seed (splits, weights, batches, augmentation), as <id>-seed-<N>",
      data: "read one of the config's corpora from your own folder instead, as <corpus>=<folder> (repeatable)",
      part: null,
    },
  },
);
if (positionals.length !== 1) {
  console.error(`expected one config file, got ${positionals.length}\n${usage}`);
  process.exit(2);
}
if (values.ship !== 'fold-1' && values.ship !== 'all-speakers') {
  console.error(`expected --ship fold-1 or all-speakers, got '${values.ship}'\n${usage}`);
  process.exit(2);
}

const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) {
  console.error(`expected --jobs to be a whole number from 1 to 16, got '${values.jobs}'\n${usage}`);
  process.exit(2);
}
const part = parsePart(values.part);

if (values.seed !== undefined && !/^\d{1,9}$/.test(values.seed)) {
  console.error(`expected --seed to be a whole number from 0 to 999999999, got '${values.seed}'\n${usage}`);
  process.exit(2);
}

const folders = new Map<string, string>();
for (const entry of values.data) {
  const match = /^([^=]+)=(.+)$/.exec(entry);
  if (!match) fail(`expected --data <corpus>=<folder>, got '${entry}'\n${usage}`);
  if (folders.has(match[1])) fail(`expected each corpus once in --data, got ${match[1]} twice`);
  folders.set(match[1], resolve(match[2]));
}

const configPath = resolve(positionals[0]);
const heldOut = values['held-out-corpus'];
const seed = values.seed === undefined ? undefined : Number(values.seed);
const config = await readExperimentConfig(configPath, (json) => {
  const corpora = (Array.isArray(json.corpora) ? json.corpora : []) as { corpus: string; path: string }[];
  for (const corpus of folders.keys()) {
    if (!corpora.some((entry) => entry.corpus === corpus)) {
      fail(
        `expected --data to name a corpus of ${configPath} (${corpora.map((entry) => entry.corpus).join(', ')}), got ${corpus}`,
      );
    }
  }
  const relocated =
    folders.size === 0
      ? json
      : {
          ...json,
          corpora: corpora.map((entry) => ({ ...entry, path: folders.get(entry.corpus) ?? entry.path })),
        };
  const seeded = seed === undefined ? relocated : withSeed(relocated, seed);
  return heldOut === undefined ? seeded : leavingCorpusOut(seeded, heldOut);
});
if (values.ship === 'all-speakers' && config.validationSpeakers === 0) {
  // The final model's epoch is chosen on them, and they are the unseen speakers its attention examples come from.
  console.error(
    `expected validationSpeakers ≥ 1 with --ship all-speakers, got 0 in ${configPath}: the final model keeps ` +
      'the epoch that does best on them',
  );
  process.exit(2);
}

if (values.ship === 'all-speakers' && config.normalisation === 'per-speaker') {
  console.error(
    `expected training-set normalisation with --ship all-speakers, got per-speaker in ${configPath}: a shipped ` +
      'model answers for one clip, which has no speaker statistics',
  );
  process.exit(2);
}

// Before any work (and before --jobs spawns its children): a record of another recipe under the same id is never
// overwritten (a seed variant named like a config file's, say), and resuming another config's checkpoints is refused.
const recordPath = join(resolve(values['models-dir']), config.id, 'run.json');
const stored = await readRunRecord(recordPath).catch(() => null);
if (stored !== null) {
  const recipe = (model: unknown, training: unknown, splitSeed: number) => ({ model, training, splitSeed });
  const differences = differingPaths(
    recipe(stored.config.model, stored.config.training, stored.splits.seed),
    recipe(config.model, config.training, config.seed),
  );
  if (differences.length > 0) {
    fail(
      `expected ${recordPath} to be a record of this config, got one whose ${differences.slice(0, 6).join(', ')} ` +
        'differ: remove its folder or give the config another id',
    );
  }
}

const cacheDir = resolve('.cache/runs');
await claimCheckpoints(resolve(cacheDir, config.id), config).catch((error: unknown) =>
  error instanceof CheckpointConfigError ? fail(error.message) : Promise.reject(error),
);

const { backend, lstm } = await setUpTraining({ stockLstm: values['stock-lstm'] });
console.log(
  `backend ${backend.name} ${backend.versions.backend} (SIMD ${backend.simd}); kernels: ${backend.customKernels.join(', ')}`,
);
if (jobs > 1 && part === undefined) {
  // Each child trains its share of the folds and the final model into the shared cache; this process then
  // finds them all done and writes the model folder. Features are cached first, so the children only read them.
  await loadExperimentData(config, (line) => console.log(line));
  const codes = await runJobs(fileURLToPath(import.meta.url), jobs);
  if (codes.some((code) => code !== 0)) {
    console.error(
      `a training job failed (exit codes ${codes.join(', ')}); run the same command again to resume`,
    );
    process.exit(1);
  }
}

const started = Date.now();
await runExperiment(config, {
  modelsDir: resolve(values['models-dir']),
  cacheDir,
  ship: values.ship,
  part,
  backend,
  compileNetwork: createNetworkCompiler(lstm),
  log: consoleTrainingLog(() => `[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] `),
});
