/**
 * Where the serving path's CPU goes, window by window, in Node with the Worker's kernels (compiled network, wasm
 * front end): the committed speech clip repeated to --seconds, classified
 * - whole, as POST /v1/classify does (classifyClip: windows over the speech, a quarter overlap, sharing their
 *   feature frames), and the same with each window computing its own (`shareFrames: false`), as before they shared;
 * - streamed, as GET /v1/stream's session takes it (core/serving/stream-session.ts): float32 frames of 100 ms,
 *   a window every --hop seconds, sharing feature frames, and the same with each window computing its own.
 * For each model folder given, at each --precision of its network (the served int16 and float32 by default), it
 * prints the CPU per second of audio of both, and per classified window the front end, the network and the rest
 * (voice activity, aggregation, and for the stream decoding its frames). The models run interleaved in one process,
 * so compare them with each other, not with other runs or machines (`npm run bench:serve` measures inside workerd).
 *
 *   npm run bench:window-cpu [-- models/<id> …] [--seconds 30] [--hop 1] [--rounds 15] [--precision int16|float32|both]
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../../core/audio/decode.ts';
import { MAX_HOP_SECONDS, MIN_HOP_SECONDS } from '../../core/contracts/classify-api.ts';
import { createNetworkCompiler, loadLstmKernels, useFrontEndKernels } from '../../core/kernels/load-node.ts';
import { type NetworkPrecision, SERVED_PRECISION } from '../../core/kernels/network-kernels.ts';
import { type ClipClassification, classifyClip } from '../../core/serving/classify-clip.ts';
import { createModelStore, type ServedModel } from '../../core/serving/model-store.ts';
import { createStreamSession } from '../../core/serving/stream-session.ts';
import { readModelFolder } from '../cli/model-folder.ts';
import { prepareTfjsFallback } from '../cli/node-training.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';

const usage =
  'usage: npm run bench:window-cpu [-- models/<id> …] [--seconds S] [--hop S] [--rounds N] [--precision int16|float32|both]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '30' },
      hop: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '15' },
      precision: { type: 'string', default: 'both' },
    },
  },
  usage,
  {
    summary:
      'CPU per second of audio of classifyClip and of the stream grid, and per window the front end, the network ' +
      'and the rest, for each model folder (default: the served model in models/registry.json).',
    options: {
      seconds: 'seconds of speech classified (the committed clip, repeated)',
      hop: "the stream grid's hop in seconds",
      rounds: 'timed rounds per model and path (the median is printed)',
      precision: `the networks' precision: int16, float32 or both (served: ${SERVED_PRECISION})`,
    },
  },
);
const numberOf = (name: string, value: string, min: number, max: number) => {
  const parsed = Number(value);
  if (!(parsed >= min && parsed <= max)) fail(`expected --${name} in ${min}…${max}, got ${value}\n${usage}`);
  return parsed;
};
const seconds = numberOf('seconds', values.seconds, 3, 600);
const hopSeconds = numberOf('hop', values.hop, MIN_HOP_SECONDS, MAX_HOP_SECONDS);
const rounds = Math.round(numberOf('rounds', values.rounds, 3, 1000));
const precisions: NetworkPrecision[] =
  values.precision === 'both'
    ? [SERVED_PRECISION, SERVED_PRECISION === 'int16' ? 'float32' : 'int16']
    : values.precision === 'int16' || values.precision === 'float32'
      ? [values.precision]
      : fail(`expected --precision int16, float32 or both, got ${values.precision}\n${usage}`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** wrangler.toml's MIN_DURATION_SECONDS, which the Worker passes to the stream's windows as their minimum. */
const MIN_WINDOW_SECONDS = 0.5;

const folders =
  positionals.length > 0
    ? positionals
    : [
        join(
          ROOT,
          'models',
          JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')).default as string,
        ),
      ];
useFrontEndKernels();
const lstm = loadLstmKernels();
/** A model at one precision, named for the table. */
interface Entry {
  label: string;
  served: ServedModel;
}
const models: Entry[] = [];
for (const folder of folders) {
  const files = await readModelFolder(folder).catch((error: Error) => fail(error.message));
  // The model's own id (a copied folder may be named otherwise).
  const id = String((files.metadata as { id?: unknown }).id ?? basename(folder));
  for (const precision of precisions) {
    const served = await Promise.resolve()
      .then(() =>
        createModelStore(
          { registry: { default: id, models: [id] }, models: { [id]: files } },
          {
            prepareBackend: () => prepareTfjsFallback(lstm),
            compileNetwork: createNetworkCompiler(lstm, precision),
          },
        ).load(id),
      )
      .catch((error: Error) => fail(`${folder}: ${error.message}`));
    const label = `${id} (${precision}${served.compiled ? '' : ', not compiled: tfjs'})`;
    if (models.some((model) => model.label === label)) fail(`expected each model once, got ${id} twice`);
    if (!served.compiled) console.warn(`${id}: ${served.compileNote}, so it runs on tfjs`);
    models.push({ label, served });
  }
}

const clip = decodeAudio(readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav'))).samples;
const samples = new Float32Array(Math.round(seconds * 16_000));
for (let at = 0; at < samples.length; at += clip.length)
  samples.set(clip.subarray(0, samples.length - at), at);

/** What one path reports: its classified windows and the front end's and network's share of its time. */
interface PathResult {
  windows: number;
  featuresMs: number;
  inferenceMs: number;
}
const fromClip = (result: ClipClassification): PathResult => ({
  windows: result.segments.flatMap((segment) => segment.windows).filter((w) => w.prediction).length,
  featuresMs: result.featuresMs,
  inferenceMs: result.inferenceMs,
});
/** The samples as a live stream sends them: float32 frames of 100 ms, then the end. */
const frameBytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
const FRAME_BYTES = 0.1 * 16_000 * 4;
function streamed(served: ServedModel, shareFrames = true): PathResult {
  const session = createStreamSession(served, {
    shareFrames,
    sampleRate: 16_000,
    format: 'float32',
    hopSeconds,
    attention: false,
    minSeconds: MIN_WINDOW_SECONDS,
    maxSeconds: seconds + 1,
  });
  for (let at = 0; at < frameBytes.length; at += FRAME_BYTES) {
    session.push(frameBytes.subarray(at, at + FRAME_BYTES));
  }
  session.end();
  return { windows: session.classifiedWindows, ...session.times };
}
const paths: [string, (served: ServedModel) => PathResult][] = [
  ['whole clip', (served) => fromClip(classifyClip(served, samples, { attention: false }))],
  [
    'whole clip, frames per window',
    (served) => fromClip(classifyClip(served, samples, { attention: false, shareFrames: false })),
  ],
  [`stream, hop ${hopSeconds} s`, (served) => streamed(served)],
  [`stream, hop ${hopSeconds} s, frames per window`, (served) => streamed(served, false)],
];
interface Timing {
  totalMs: number;
  featuresMs: number;
  inferenceMs: number;
  windows: number;
}
const timings = new Map<string, Timing[]>();
for (let round = 0; round < rounds + 2; round++) {
  for (const { label, served } of models) {
    for (const [path, classify] of paths) {
      const start = performance.now();
      const result = classify(served);
      const totalMs = performance.now() - start;
      const { windows } = result;
      const key = `${label}\u0000${path}`;
      // The first two rounds warm the JIT and the kernels up.
      const { featuresMs, inferenceMs } = result;
      if (round >= 2) {
        timings.set(key, [...(timings.get(key) ?? []), { totalMs, featuresMs, inferenceMs, windows }]);
      }
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${seconds} s of speech, median of ${rounds} rounds; ms per classified window: front end / network / rest`,
);
const pathWidth = Math.max(...paths.map(([path]) => path.length)) + 2;
const widths = [Math.max(...models.map(({ label }) => label.length)) + 2, pathWidth, 9, 19, 11, 9, 6];
const row = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index])).join('');
console.log(row(['model', 'path', 'windows', 'ms per s of audio', 'front end', 'network', 'rest']));
for (const { label } of models) {
  for (const [path] of paths) {
    const runs = timings.get(`${label}\u0000${path}`) ?? [];
    const windows = runs[0].windows;
    const total = median(runs.map((run) => run.totalMs));
    const features = median(runs.map((run) => run.featuresMs)) / windows;
    const network = median(runs.map((run) => run.inferenceMs)) / windows;
    const rest = median(runs.map((run) => run.totalMs - run.featuresMs - run.inferenceMs)) / windows;
    const cells = [label, path, String(windows), (total / seconds).toFixed(2)];
    console.log(row([...cells, features.toFixed(2), network.toFixed(2), rest.toFixed(2)]));
  }
}
