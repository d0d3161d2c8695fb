/**
 * `npm run rescore -- <config.json> [--runs .cache/runs] [--models-dir models]`: rescores a speaker-protocol run
 * record made before its folds were scored among all labels (training/rescore.ts), from the fold models the run
 * left in the runs folder, and rewrites its run.json and model card. Folds whose test speakers have every label
 * keep their numbers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelMetadataSchema } from '../../core/contracts/model-metadata.ts';
import { modelMetadataFromRunRecord } from '../../core/contracts/run-record.ts';
import '../../core/network/utterance-statistics.ts';
import { rescoreRecord } from '../rescore.ts';
import { collectEnvironment, readRunRecord, writeModelCard, writeRunRecord } from '../run-record-files.ts';
import { setUpTraining } from './node-training.ts';
import { fail, parseCommandLine } from './parse-args.ts';
import { readExperimentConfig } from './read-config.ts';

const usage = 'usage: npm run rescore -- <config.json> [--runs .cache/runs] [--models-dir models]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '.cache/runs' },
      'models-dir': { type: 'string', default: 'models' },
    },
  },
  usage,
  {
    summary:
      "Rescores a run record's speaker-protocol folds whose test speakers lack a label among all the model's labels, " +
      'from the fold models its run left behind, and rewrites the record and its model card.',
    options: {
      runs: 'the folder holding <id>/fold-K/model of the experiment',
      'models-dir': 'the folder holding <id>/run.json',
    },
  },
);
if (positionals.length !== 1) fail(`expected one config file, got ${positionals.length}\n${usage}`);
const config = await readExperimentConfig(positionals[0]);
const modelDir = join(resolve(values['models-dir']), config.id);
const record = await readRunRecord(join(modelDir, 'run.json')).catch((error: Error) =>
  fail(`expected the run record of '${config.id}' in ${modelDir}, got ${error.message}`),
);
const { backend } = await setUpTraining({ prefer: 'wasm' });
const git = collectEnvironment(backend).git;
if (git === null || git.dirty) {
  fail('expected a committed tree to rescore from (the record names its revision), got uncommitted changes');
}
try {
  const rescored = await rescoreRecord(config, record, {
    runsDir: resolve(values.runs),
    revision: git.revision,
    log: (line) => console.log(line),
  });
  if (rescored.folds.length === 0) {
    console.log(`${config.id}: every fold's test speakers have every label; the record stands as it is`);
  } else {
    await writeRunRecord(modelDir, rescored.record);
    await writeModelCard(modelDir, rescored.record);
    // The served metadata publishes the record's headline scores: the same weights, the new numbers.
    const metadataPath = join(modelDir, 'metadata.json');
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(metadataPath, 'utf8')));
    const updated = modelMetadataFromRunRecord(rescored.record, {
      version: metadata.version,
      normalisation: metadata.normalisation,
      attentionLayer: metadata.attentionLayer,
    });
    await writeFile(metadataPath, `${JSON.stringify(updated, null, 2)}\n`);
    const ua = (value: number) => (100 * value).toFixed(1);
    console.log(
      `${config.id}: UA ${ua(record.summary.ua.mean)} → ${ua(rescored.record.summary.ua.mean)} ± ` +
        `${ua(rescored.record.summary.ua.std)} % (${record.task.protocol}) → ${modelDir}`,
    );
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
