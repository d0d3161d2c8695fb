/**
 * What serving a network on 16-bit integers (SERVED_PRECISION, core/kernels/network-kernels.ts) changes in its
 * answers: each model folder is compiled twice, at float32 and at int16, and both classify every clip of the
 * corpora under --data through the serving path (classifyClip: the Worker's windows over the speech and its
 * whole-clip rule). Prints per model and corpus the clips whose top label is the same at both precisions, the
 * largest and the mean change of a clip's probabilities, and the network's time per window at each precision
 * (interleaved clip by clip, so compare the two with each other, not with other runs).
 *
 *   npm run bench:precision [-- models/<id> …] [--data ../shared/datasets]
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetworkCompiler, loadLstmKernels, useFrontEndKernels } from '../../core/kernels/load-node.ts';
import { type NetworkPrecision, SERVED_PRECISION } from '../../core/kernels/network-kernels.ts';
import { classifyClip } from '../../core/serving/classify-clip.ts';
import { createModelStore, type ServedModel } from '../../core/serving/model-store.ts';
import { readModelFolder } from '../cli/model-folder.ts';
import { prepareTfjsFallback } from '../cli/node-training.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';
import { CORPUS_IDS } from '../corpora/labels.ts';
import { loadCorpus } from '../corpora/load.ts';

const usage = 'usage: npm run bench:precision [-- models/<id> …] [--data <folder of corpora>]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: { data: { type: 'string', default: '../shared/datasets' } },
  },
  usage,
  {
    summary:
      'Top-label agreement and probability change between each model run at float32 and at int16, over every clip ' +
      'of the corpora found under --data (default model: the one models/registry.json serves by default).',
    options: { data: `a folder holding corpus folders named ${CORPUS_IDS.join(', ')} (any of them)` },
  },
);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const corpora = CORPUS_IDS.filter((corpus) => existsSync(join(values.data, corpus)));
if (corpora.length === 0) {
  fail(`expected corpus folders (${CORPUS_IDS.join(', ')}) under ${values.data}, got none\n${usage}`);
}
const folders =
  positionals.length > 0
    ? positionals
    : [join(ROOT, 'models', JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')).default)];

useFrontEndKernels();
const lstm = loadLstmKernels();
const PRECISIONS: NetworkPrecision[] = ['float32', 'int16'];

/** A model folder served at both precisions. */
interface ModelPair {
  id: string;
  served: Record<NetworkPrecision, ServedModel>;
}
const models: ModelPair[] = [];
for (const folder of folders) {
  const files = await readModelFolder(folder).catch((error: Error) => fail(error.message));
  const id = String((files.metadata as { id?: unknown }).id ?? basename(folder));
  const serve = (precision: NetworkPrecision) => {
    const store = createModelStore(
      { registry: { default: id, models: [id] }, models: { [id]: files } },
      {
        prepareBackend: () => prepareTfjsFallback(lstm),
        compileNetwork: createNetworkCompiler(lstm, precision),
      },
    );
    return store.load(id);
  };
  const [float32, int16] = await Promise.all(PRECISIONS.map(serve)).catch((error: Error) =>
    fail(`${folder}: ${error.message}`),
  );
  for (const served of [float32, int16]) {
    if (!served.compiled) fail(`${folder}: ${served.compileNote}; nothing to compare`);
  }
  models.push({ id, served: { float32, int16 } });
}

/** Per model and corpus: clips compared, top labels kept, probability changes and network time. */
interface Tally {
  clips: number;
  agree: number;
  largest: number;
  sum: number;
  windows: number;
  ms: Record<NetworkPrecision, number>;
}
const tallies = new Map<string, Tally>();
const top = (p: Float32Array) => p.indexOf(Math.max(...p));

for (const corpus of corpora) {
  const started = Date.now();
  await loadCorpus(join(values.data, corpus), {
    onAudio(_item, audio) {
      for (const { id, served } of models) {
        const [a, b] = PRECISIONS.map((precision) =>
          classifyClip(served[precision], audio.samples, { attention: false }),
        );
        const key = `${id}\u0000${corpus}`;
        const tally = tallies.get(key) ?? {
          clips: 0,
          agree: 0,
          largest: 0,
          sum: 0,
          windows: 0,
          ms: { float32: 0, int16: 0 },
        };
        tallies.set(key, tally);
        tally.ms.float32 += a.inferenceMs;
        tally.ms.int16 += b.inferenceMs;
        tally.windows += a.segments.flatMap((segment) => segment.windows).filter((w) => w.prediction).length;
        // A clip without speech has no answer at either precision (the speech check runs before the network).
        if (a.probabilities === null || b.probabilities === null) continue;
        let change = 0;
        for (let i = 0; i < a.probabilities.length; i++) {
          change = Math.max(change, Math.abs(a.probabilities[i] - b.probabilities[i]));
        }
        tally.clips++;
        tally.agree += top(a.probabilities) === top(b.probabilities) ? 1 : 0;
        tally.largest = Math.max(tally.largest, change);
        tally.sum += change;
      }
    },
  }).catch((error: Error) => fail(`${corpus}: ${error.message}`));
  console.error(`bench:precision: ${corpus} scored (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

console.log(
  `float32 against int16 (served: ${SERVED_PRECISION}), clip by clip through the serving path; ` +
    'change = the largest |Δ| of a clip’s probabilities',
);
const header = [
  'model',
  'corpus',
  'clips',
  'same top label',
  'largest change',
  'mean change',
  'ms/window f32',
  'int16',
];
const rows = [...tallies].map(([key, tally]) => {
  const [id, corpus] = key.split('\u0000');
  const perWindow = (ms: number) => (tally.windows > 0 ? (ms / tally.windows).toFixed(2) : '–');
  return [
    id,
    corpus,
    String(tally.clips),
    `${tally.agree} (${((100 * tally.agree) / Math.max(1, tally.clips)).toFixed(2)} %)`,
    tally.largest.toFixed(4),
    (tally.sum / Math.max(1, tally.clips)).toFixed(5),
    perWindow(tally.ms.float32),
    perWindow(tally.ms.int16),
  ];
});
const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)) + 2);
for (const row of [header, ...rows]) {
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('')
      .trimEnd(),
  );
}
