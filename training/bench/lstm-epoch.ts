/**
 * Real training epochs, stock tfjs-wasm vs this project's kernels, in one run: the attention BLSTM of
 * training/configs/ravdess-attention-blstm.json on fold 1's training speakers of RAVDESS (actors 1–20), same
 * seed, same initial weights, same batches, same dropout masks. Each variant runs in its own process (kernel
 * registrations are global): `stock` is tfjs-backend-wasm and tfjs's LSTM as shipped; `fast` adds the training
 * kernels (training/gradient-kernels/) and the fused LSTM. Prints seconds per epoch and the validation scores after each
 * epoch, so equal accuracy can be read off beside the speed-up.
 *
 *   npm run bench:lstm-epoch [-- --epochs 2] [--config training/configs/ravdess-attention-blstm.json]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setUpTraining } from '../cli/node-training.ts';
import { parseCommandLine } from '../cli/parse-args.ts';
import {
  ExperimentConfigSchema,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from '../experiment.ts';
import { trainFold } from '../trainer.ts';
import type { EpochRecord } from '../training-types.ts';
import { epochCount, FOLD_ONE_HELP, foldOneOptions } from './fold-one-options.ts';

const usage = 'usage: npm run bench:lstm-epoch [-- --epochs 2] [--config training/configs/<id>.json]';
const { values } = parseCommandLine(
  {
    options: {
      ...foldOneOptions(2),
      variant: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      "Real training epochs on fold 1 of the config's corpus, stock tfjs-wasm against this project's kernels " +
      '(same seed, weights and batches), each in its own process: seconds per epoch and validation scores.',
    options: {
      ...FOLD_ONE_HELP,
      variant: null,
    },
  },
);
const epochs = epochCount(values.epochs, usage);

if (values.variant == null) {
  const results: Record<string, EpochRecord[]> = {};
  for (const variant of ['stock', 'fast']) {
    console.log(`▶ ${variant}: ${epochs} epoch(s)…`);
    const child = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--variant',
        variant,
        '--epochs',
        `${epochs}`,
        '--config',
        values.config,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0)
      throw new Error(`expected the ${variant} run to succeed, got exit ${child.status}`);
    const last = child.stdout.trim().split('\n').at(-1) as string;
    results[variant] = JSON.parse(last) as EpochRecord[];
  }
  console.log(
    '\nepoch | stock s | fast s | speed-up | val acc stock / fast | val UA stock / fast | loss stock / fast',
  );
  results.stock.forEach((stock, i) => {
    const fast = results.fast[i];
    const pair = (a: number | null, b: number | null) => `${a?.toFixed(4)} / ${b?.toFixed(4)}`;
    console.log(
      `${stock.epoch} | ${stock.seconds.toFixed(1)} | ${fast.seconds.toFixed(1)} | ${(stock.seconds / fast.seconds).toFixed(1)}× | ` +
        `${pair(stock.valAcc, fast.valAcc)} | ${pair(stock.valUa, fast.valUa)} | ${pair(stock.loss, fast.loss)}`,
    );
  });
} else {
  const fast = values.variant === 'fast';
  await setUpTraining({ prefer: 'wasm', improvedKernels: fast, stockLstm: !fast });
  const config = ExperimentConfigSchema.parse(JSON.parse(readFileSync(values.config, 'utf8')));
  const data = await loadExperimentData(config, (line) => console.error(line));
  const fold = splitFor(config, data.items).folds[0];
  const stats = normalisationFor(data.items, fold.train);
  const trained = await trainFold({
    model: config.model,
    training: { ...config.training, epochs, patience: epochs + 1 },
    labels: data.labels,
    train: featureSetOf(data, fold.train, stats),
    validation: featureSetOf(data, fold.validation, stats),
    log: (line) => console.error(`[${values.variant}] ${line}`),
  });
  trained.model.dispose();
  console.log(JSON.stringify(trained.history));
}
