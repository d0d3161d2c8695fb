/**
 * `npm run models:annotate [-- models/<id> …] [--data <corpus>=<folder> …] [--runs N] [--examples N]`: adds the
 * inference cost (MACs, ms per clip) and, for models with an attention layer, attention examples on held-out
 * clips to existing model folders' run.json (and MODEL_CARD.md), without retraining. Without folders it
 * annotates every models/<id>/ that has a run.json. Corpus folders come from training/configs/<id>.json
 * (paths relative to the working directory) unless --data names them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createNetworkCompiler } from '../../core/kernels/load-node.ts';
import { annotateModelFolder } from '../annotate.ts';
import { CORPUS_IDS, type CorpusId } from '../corpora/labels.ts';
import { ExperimentConfigSchema } from '../experiment.ts';
import { describeBackend } from '../inference-cost.ts';
import { setUpTraining } from './node-training.ts';
import { fail, parseCommandLine } from './parse-args.ts';

const usage =
  'usage: npm run models:annotate -- [models/<id> …] [--data <corpus>=<folder> …] [--runs N] [--examples N]';

const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      data: { type: 'string', multiple: true, default: [] },
      runs: { type: 'string', default: '100' },
      examples: { type: 'string', default: '4' },
    },
  },
  usage,
  {
    summary:
      "Adds the inference cost and, for attention models, attention examples on held-out clips to model folders' " +
      'run.json and MODEL_CARD.md without retraining (every models/<id>/ with a run.json when none is named).',
    options: {
      data: "a corpus folder, as <corpus>=<folder>, instead of the one in the model's config",
      runs: 'timed inference runs per model for the cost',
      examples: 'held-out clips whose attention is drawn',
    },
  },
);
const positiveInteger = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    fail(`expected --${name} to be a whole number ≥ 1, got '${text}'\n${usage}`);
  return value;
};
const runs = positiveInteger('runs', values.runs);
const examples = positiveInteger('examples', values.examples);
const dataFolders = new Map<CorpusId, string>();
for (const entry of values.data) {
  const [corpus, ...rest] = entry.split('=');
  if (!CORPUS_IDS.includes(corpus as CorpusId) || rest.length === 0 || rest.join('=') === '') {
    fail(`expected --data <${CORPUS_IDS.join('|')}>=<folder>, got '${entry}'\n${usage}`);
  }
  dataFolders.set(corpus as CorpusId, rest.join('='));
}

async function modelFolders(): Promise<string[]> {
  if (positionals.length > 0) return positionals.map((folder) => resolve(folder));
  const entries = await readdir('models', { withFileTypes: true }).catch(() => []);
  const folders: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const files = await readdir(join('models', entry.name));
    if (files.includes('run.json')) folders.push(resolve('models', entry.name));
  }
  return folders;
}

/** The run's corpus folders and label option, from its experiment config and --data. */
async function corporaOf(id: string) {
  const configPath = join('training', 'configs', `${id}.json`);
  let corpora: { corpus: CorpusId; path: string }[] | null = null;
  let mergeCalmIntoNeutral = false;
  const text = await readFile(configPath, 'utf8').catch(() => null);
  if (text === null) {
    console.log(`${id}: no ${configPath}, so corpus folders come from --data only`);
  } else {
    const parsed = ExperimentConfigSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      corpora = parsed.data.corpora.map((entry) => ({ ...entry }));
      mergeCalmIntoNeutral = parsed.data.mergeCalmIntoNeutral;
    } else {
      console.log(
        `${id}: ${configPath} is not a valid experiment config, so corpus folders come from --data only`,
      );
    }
  }
  for (const [corpus, path] of dataFolders) {
    corpora = [...(corpora ?? []).filter((entry) => entry.corpus !== corpus), { corpus, path }];
  }
  return { corpora, mergeCalmIntoNeutral };
}

const folders = await modelFolders();
if (folders.length === 0) fail(`expected model folders with a run.json (models/<id>/), got none\n${usage}`);

// As the Worker does: each network compiled to the inference kernels (a network the compiler does not support
// runs on tfjs, whose LSTMs take the fused recurrence).
const { backend, lstm } = await setUpTraining({ prefer: 'wasm' });
const compileServedNetwork = createNetworkCompiler(lstm);
console.log(
  `models:annotate: for ${folders.length} model folder(s), counts multiply-accumulates from the layers, times ` +
    `${runs} forward passes of one clip (batch 1, features excluded) through the compiled network (tfjs on ` +
    `${describeBackend(backend)} for any it cannot compile), and for ` +
    `models with attention runs ${examples} held-out clips through the serving path; rewrites run.json and MODEL_CARD.md`,
);

let failures = 0;
for (const folder of folders) {
  const id = basename(folder);
  try {
    const { corpora, mergeCalmIntoNeutral } = await corporaOf(id);
    await annotateModelFolder(folder, {
      backend,
      corpora,
      mergeCalmIntoNeutral,
      latency: { runs },
      compileNetwork: compileServedNetwork,
      examples,
      log: (line) => console.log(line),
    });
    console.log(`${id}: wrote ${join(folder, 'run.json')} and MODEL_CARD.md`);
  } catch (error) {
    failures++;
    console.error(`${id}: not annotated: ${(error as Error).message}`);
  }
}
console.log(
  `models:annotate: ${folders.length - failures} of ${folders.length} annotated` +
    ' (then `npm run results` refreshes the README table)',
);
process.exit(failures === 0 ? 0 : 1);
