/**
 * Is it the statistics? Each leave-one-corpus-out record of a recipe scored three ways: its inputs normalised with
 * the training statistics (as recorded), with the held-out corpus's own mean and standard deviation, and with each
 * test speaker's own. If adapting the first two moments to a new corpus or speaker recovered the held-out score,
 * the corpus gap would be one of level and channel; it does not (session 9).
 * Run: npm run bench:held-out-normalisation [-- recipe.json]   (default serving-v2-overall-eq; needs its records)
 */
import { join } from 'node:path';
import '../../core/network/utterance-statistics.ts';
import { setUpTraining } from '../cli/node-training.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';
import { readExperimentConfig } from '../cli/read-config.ts';
import { scoreTestFold } from '../evaluation/metrics.ts';
import {
  ExperimentConfigSchema,
  featureSetOf,
  leavingCorpusOut,
  loadExperimentData,
  normalisationFor,
  splitFor,
  withTrainingLabels,
} from '../experiment.ts';
import { loadModel } from '../model-io.ts';
import { predictProbabilities } from '../trainer.ts';

const usage = 'usage: npm run bench:held-out-normalisation [-- recipe.json]';
const { positionals } = parseCommandLine({ allowPositionals: true, options: {} }, usage, {
  summary:
    "UA of a recipe's leave-one-corpus-out records with their inputs normalised by the training statistics, by the " +
    "held-out corpus's own, and by each test speaker's own (the records must be in models/).",
  options: {},
});
if (positionals.length > 1) fail(`expected at most one config file, got ${positionals.length}\n${usage}`);
const recipe = await readExperimentConfig(positionals[0] ?? 'training/configs/serving-v2-overall-eq.json');
if (recipe.normalisation !== 'training-set') {
  fail(
    `expected a recipe normalised with its training set's statistics, got ${recipe.normalisation}\n${usage}`,
  );
}
await setUpTraining({ prefer: 'wasm' });

console.log(`UA % (leave-one-corpus-out, over the labels each held-out corpus shares), ${recipe.id}`);
console.log(
  ['held out', 'training stats', 'corpus stats', 'speaker stats'].map((cell) => cell.padEnd(15)).join(''),
);
for (const { corpus } of recipe.corpora) {
  const config = ExperimentConfigSchema.parse(leavingCorpusOut(recipe, corpus));
  const dir = join('models', config.id);
  const model = await loadModel(dir).catch((error: Error) =>
    fail(
      `expected the record ${dir} (npm run train -- <config> --held-out-corpus ${corpus}), got ${error.message}`,
    ),
  );
  const loaded = await loadExperimentData(config, () => {});
  const split = splitFor(config, loaded.items);
  const data = withTrainingLabels(loaded, split.folds[0].train);
  const { train, test } = split.folds[0];
  /** UA over `groups` of test clips, each normalised by the statistics of `statsOf(group)`. */
  const ua = (groups: number[][], statsOf: (group: number[]) => number[]) => {
    const truth: number[] = [];
    const rows: Float32Array[] = [];
    for (const group of groups) {
      const set = featureSetOf(data, group, normalisationFor(data.items, statsOf(group)));
      truth.push(...set.labels);
      rows.push(predictProbabilities(model, set, 64));
    }
    const probabilities = new Float32Array(rows.reduce((sum, row) => sum + row.length, 0));
    let at = 0;
    for (const row of rows) {
      probabilities.set(row, at);
      at += row.length;
    }
    return (100 * scoreTestFold(data.labels, truth, probabilities, true).ua).toFixed(1);
  };
  const speakers = [...new Set(test.map((index) => data.items[index].speaker))].map((speaker) =>
    test.filter((index) => data.items[index].speaker === speaker),
  );
  const cells = [
    corpus,
    ua([test], () => train),
    ua([test], (group) => group),
    ua(speakers, (group) => group),
  ];
  console.log(cells.map((cell) => cell.padEnd(15)).join(''));
  model.dispose();
}
