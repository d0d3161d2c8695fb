/** The options both epoch benches (lstm-epoch.ts, train-throughput.ts) take: the epochs, and whose fold 1 trains. */
import { fail } from '../cli/parse-args.ts';

export const foldOneOptions = (epochs: number) =>
  ({
    epochs: { type: 'string', default: String(epochs) },
    config: { type: 'string', default: 'training/configs/ravdess-attention-blstm.json' },
  }) as const;

export const FOLD_ONE_HELP = {
  epochs: 'training epochs per process (1–20)',
  config: 'the experiment whose network and fold 1 are trained',
};

/** `--epochs` as a whole number of 1–20, or exit 2 saying so. */
export function epochCount(value: string, usage: string): number {
  const epochs = Number(value);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 20)) {
    fail(`expected --epochs to be a whole number in 1–20, got ${value}\n${usage}`);
  }
  return epochs;
}
