/**
 * Training throughput on this machine's cores, in one run: real training epochs of the attention BLSTM of
 * training/configs/ravdess-attention-blstm.json on fold 1's training speakers of RAVDESS, with this project's
 * kernels (the fused LSTM, training/gradient-kernels/). First one process alone (one core: tfjs-wasm is single-threaded),
 * then one process per core at once, as `npm run train -- … --jobs N` runs folds. Prints clips per second per
 * epoch (the median epoch) for each, and both-core throughput beside the one-core figure.
 *
 *   npm run bench:train-throughput [-- --epochs 3] [--jobs 2] [--config …]
 *
 * Reference (measured once, quoted from issue #11, not by this script): a PyTorch twin of the same network on
 * this kind of machine's CPU took 11.6 s per epoch of 840 clips, 72 clips/s, with 1 or 2 threads.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setUpTraining } from '../cli/node-training.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';
import {
  ExperimentConfigSchema,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from '../experiment.ts';
import { trainFold } from '../trainer.ts';
import { epochCount, FOLD_ONE_HELP, foldOneOptions } from './fold-one-options.ts';

const PYTORCH_CLIPS_PER_SECOND = 840 / 11.6;

const usage =
  'usage: npm run bench:train-throughput [-- --epochs 3] [--jobs N] [--config training/configs/<id>.json]';
const { values } = parseCommandLine(
  {
    options: {
      ...foldOneOptions(3),
      jobs: { type: 'string', default: String(availableParallelism()) },
      seed: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      "Training throughput: real epochs of the config's network on fold 1, one process alone, then one per core " +
      'at once; clips per second per epoch for each.',
    options: {
      ...FOLD_ONE_HELP,
      jobs: 'processes at once in the second run (1–16)',
      seed: null,
    },
  },
);
const epochs = epochCount(values.epochs, usage);
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16)
  fail(`expected --jobs to be a whole number in 1–16, got ${values.jobs}\n${usage}`);

/** What one training process reports: clips per epoch and each epoch's seconds. */
interface ProcessResult {
  clips: number;
  seconds: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function trainInChild(seed: number): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const args = ['--seed', `${seed}`, '--epochs', `${epochs}`, '--config', values.config];
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`expected the training process to succeed, got exit ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ProcessResult);
    });
  });
}

if (values.seed == null) {
  console.log(`▶ one process, ${epochs} epoch(s)…`);
  const [alone] = await Promise.all([trainInChild(1)]);
  console.log(`▶ ${jobs} processes at once, ${epochs} epoch(s) each…`);
  const together = await Promise.all(Array.from({ length: jobs }, (_, index) => trainInChild(1 + index)));
  const rate = (result: ProcessResult) => result.clips / median(result.seconds);
  const one = rate(alone);
  const all = together.reduce((sum, result) => sum + rate(result), 0);
  console.log(`\ntraining clips per epoch: ${alone.clips} (${values.config}, fold 1)`);
  console.log(`one core:   ${one.toFixed(1)} clips/s (median epoch ${median(alone.seconds).toFixed(1)} s)`);
  console.log(
    `${jobs} cores:    ${all.toFixed(1)} clips/s in total (${together.map((r) => `${rate(r).toFixed(1)}`).join(' + ')}), ` +
      `${(all / one).toFixed(2)}× one core`,
  );
  console.log(
    `PyTorch CPU reference (issue #11, not measured here): ${PYTORCH_CLIPS_PER_SECOND.toFixed(1)} clips/s; ` +
      `one core ${(one / PYTORCH_CLIPS_PER_SECOND).toFixed(2)}×, ${jobs} cores ${(all / PYTORCH_CLIPS_PER_SECOND).toFixed(2)}× it`,
  );
} else {
  await setUpTraining({ prefer: 'wasm', improvedKernels: true });
  const config = ExperimentConfigSchema.parse(JSON.parse(readFileSync(values.config, 'utf8')));
  const data = await loadExperimentData(config, (line) => console.error(line));
  const fold = splitFor(config, data.items).folds[0];
  const stats = normalisationFor(data.items, fold.train);
  const train = featureSetOf(data, fold.train, stats);
  const trained = await trainFold({
    model: config.model,
    training: { ...config.training, seed: Number(values.seed), epochs, patience: epochs + 1 },
    labels: data.labels,
    train,
  });
  trained.model.dispose();
  const result: ProcessResult = {
    clips: train.labels.length,
    seconds: trained.history.map((record) => record.seconds),
  };
  console.log(JSON.stringify(result));
}
