/**
 * `npm run classify -- <file or folder> [more …] [--json | --table] [--segment N] [--model models/<id>] [--labels a,b]`:
 * classifies local WAV and FLAC files with the Worker's own front end, compiled networks and whole-clip rule
 * (core/serving/classify-clip.ts, clip-answer.ts), in Node, without a server. A table on a terminal, one JSON object
 * per line (the fields of POST /v1/classify's answer) in a pipe or with --json, a progress bar on stderr for many
 * files, and one line per file it cannot read; the exit status is 2 when any file could not be classified.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../../core/audio/decode.ts';
import { labelsParameter } from '../../core/contracts/labels-parameter.ts';
import { ModelRegistrySchema } from '../../core/contracts/model-metadata.ts';
import { readServeConfig, type ServeConfig } from '../../core/contracts/serve-config.ts';
import { createNetworkCompiler, loadLstmKernels, useFrontEndKernels } from '../../core/kernels/load-node.ts';
import { classifyClip } from '../../core/serving/classify-clip.ts';
import {
  type ClipAnswer,
  describeClassification,
  round,
  screenClip,
} from '../../core/serving/clip-answer.ts';
import { labelSubset, restrictClassification } from '../../core/serving/label-subset.ts';
import { createModelStore } from '../../core/serving/model-store.ts';
import { readModelFolder } from './model-folder.ts';
import { prepareTfjsFallback } from './node-training.ts';
import { fail, parseCommandLine } from './parse-args.ts';

const usage =
  'usage: npm run classify -- <file.wav|file.flac|folder> [more …] [--json | --table] [--segment N] ' +
  '[--model models/<id>] [--labels a,b,…]';
const WRANGLER_TOML = fileURLToPath(new URL('../../wrangler.toml', import.meta.url));
const AUDIO_EXTENSIONS = ['.wav', '.flac'];
const LabelsSchema = labelsParameter().unwrap();

const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      table: { type: 'boolean', default: false },
      segment: { type: 'string' },
      model: { type: 'string' },
      labels: { type: 'string' },
    },
  },
  usage,
  {
    summary:
      'Classifies WAV and FLAC files (folders are searched) with a model folder, as the Worker does: the whole clip ' +
      'in windows over its speech, a table on a terminal, one JSON line per file in a pipe.',
    options: {
      json: "print one JSON object per file (the API's answer), also on a terminal",
      table: 'print the table, also in a pipe',
      segment: 'also classify consecutive segments of this many seconds (≥ 1), as ?segment= does',
      model: 'the model folder to use (default: the model models/registry.json names as default)',
      labels:
        "answer over these of the model's labels only (comma-separated, at least two), as ?labels= does",
    },
  },
);
if (positionals.length === 0) fail(`expected at least one audio file or folder, got none\n${usage}`);
if (values.json && values.table) fail(`expected --json or --table, got both\n${usage}`);
/** JSON lines for a pipe or a file, the table for a person at a terminal, unless asked otherwise. */
const json = values.json || (!values.table && !process.stdout.isTTY);
const segmentSeconds = values.segment === undefined ? undefined : Number(values.segment);
if (segmentSeconds !== undefined && !(Number.isFinite(segmentSeconds) && segmentSeconds >= 1)) {
  fail(`expected --segment to be a number of seconds ≥ 1, got '${values.segment}'\n${usage}`);
}

/** The model folder: --model, else the default of models/registry.json (the model the Worker serves). */
async function modelFolderPath(): Promise<string> {
  if (values.model !== undefined) return resolve(values.model);
  const registryPath = resolve('models/registry.json');
  const text = await readFile(registryPath, 'utf8').catch(() =>
    fail(`expected --model <folder> or ${registryPath}, got neither`),
  );
  const registry = ModelRegistrySchema.safeParse(JSON.parse(text));
  if (!registry.success || registry.data.default === undefined) {
    fail(`expected ${registryPath} to name a default model, got ${text.trim()}`);
  }
  return resolve('models', registry.data.default);
}

/** Every audio file named, folders searched recursively, in a stable order; names that do not exist fail. */
async function audioFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  const visit = async (path: string, named: boolean): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) fail(`expected an audio file or folder at ${path}, got nothing`);
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const entry of entries) await visit(join(path, entry), false);
    } else if (named || AUDIO_EXTENSIONS.some((extension) => path.toLowerCase().endsWith(extension))) {
      found.push(path);
    }
  };
  for (const path of paths) await visit(resolve(path), true);
  if (found.length === 0) fail(`expected WAV or FLAC files in ${paths.join(', ')}, got none`);
  return found;
}

/** The Worker's limits, read as it reads them: wrangler.toml's [vars] (flat `NAME = "value"` lines). */
async function deploymentConfig(): Promise<ServeConfig> {
  const text = await readFile(WRANGLER_TOML, 'utf8').catch(() =>
    fail(`expected ${WRANGLER_TOML}, got no such file`),
  );
  const section = text.split(/^\[vars\]\s*$/m)[1]?.split(/^\[/m)[0] ?? '';
  const vars = Object.fromEntries(
    [...section.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]),
  );
  try {
    return readServeConfig(vars);
  } catch (error) {
    return fail(`${WRANGLER_TOML}: ${(error as Error).message}`);
  }
}

const { minDurationSeconds } = await deploymentConfig();
const folder = await modelFolderPath();
const files = await readModelFolder(folder).catch((error: Error) => fail(error.message));
const modelId = basename(folder);
useFrontEndKernels();
const lstm = loadLstmKernels();
const store = (() => {
  try {
    return createModelStore(
      { registry: { default: modelId, models: [modelId] }, models: { [modelId]: files } },
      {
        // Only for a network the compiler cannot take: tfjs on its WASM backend, as the Worker falls back.
        prepareBackend: () => prepareTfjsFallback(lstm),
        compileNetwork: createNetworkCompiler(lstm),
      },
    );
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const served = await store.load(modelId).catch((error: Error) => fail(error.message));
const { id, version } = served.metadata;
const requestedLabels = values.labels === undefined ? undefined : LabelsSchema.safeParse(values.labels);
if (requestedLabels?.success === false)
  fail(`--labels: ${requestedLabels.error.issues[0].message}\n${usage}`);
const subset = (() => {
  try {
    return labelSubset(served.metadata.labels, requestedLabels?.data);
  } catch (error) {
    return fail(`--labels: ${(error as Error).message}\n${usage}`);
  }
})();
const { labels } = subset;
const sampleRate = served.extractor.config.sampleRate;
const inputs = await audioFiles(positionals);

// On stderr, so a pipe gets only the answers; not between JSON lines on the same terminal.
const progress = inputs.length > 1 && process.stderr.isTTY && !(json && process.stdout.isTTY);
const showProgress = (done: number) => {
  if (!progress) return;
  const width = 30;
  const filled = Math.round((done / inputs.length) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${inputs.length} files`,
  );
};

interface Row {
  file: string;
  durationSeconds: number;
  answer: ClipAnswer;
}
const rows: Row[] = [];
let failures = 0;
for (const [index, path] of inputs.entries()) {
  const file = relative(process.cwd(), path) || path;
  try {
    const { samples } = decodeAudio(new Uint8Array(await readFile(path)), { targetRate: sampleRate });
    const screened = screenClip(samples, sampleRate, minDurationSeconds);
    const answer =
      screened.answer ??
      describeClassification(
        labels,
        restrictClassification(
          classifyClip(served, samples, {
            attention: false,
            segmentSeconds,
            minSegmentSeconds: minDurationSeconds,
            activity: screened.activity,
          }),
          subset,
        ),
        screened.activity,
        segmentSeconds !== undefined ? 'segments' : 'auto',
      );
    const row = { file, durationSeconds: round(samples.length / sampleRate), answer };
    if (json) {
      console.log(
        JSON.stringify({
          file,
          model: { id, version },
          labels,
          durationSeconds: row.durationSeconds,
          ...answer,
        }),
      );
    } else {
      rows.push(row);
    }
  } catch (error) {
    failures++;
    if (progress) process.stderr.write('\n');
    console.error(`${file}: cannot classify: ${(error as Error).message}`);
  }
  showProgress(index + 1);
}
if (progress) process.stderr.write('\n');

if (!json && rows.length > 0) {
  const header = ['file', 'seconds', 'answer', 'confidence', 'windows'];
  const table = rows.map(({ file, durationSeconds, answer }) => [
    file,
    durationSeconds.toFixed(2),
    answer.top?.label ?? answer.outcome.replace('_', ' '),
    answer.top ? answer.top.confidence.toFixed(2) : '',
    answer.analysis ? `${answer.analysis.classifiedWindows}/${answer.analysis.windows}` : '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 || column === 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  console.log(`model ${id} ${version}`);
  console.log(line(header));
  for (const row of table) console.log(line(row));
  if (segmentSeconds !== undefined) {
    for (const { file, answer } of rows) {
      for (const entry of answer.timeline ?? []) {
        console.log(
          `  ${file} ${entry.startSeconds.toFixed(1)}–${entry.endSeconds.toFixed(1)} s: ` +
            (entry.top ? `${entry.top.label} ${entry.top.confidence.toFixed(2)}` : 'no speech'),
        );
      }
    }
  }
}
if (failures > 0) {
  console.error(`${failures} of ${inputs.length} files could not be classified`);
  process.exit(2);
}
