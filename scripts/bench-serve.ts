/**
 * Serving bench: the classify Worker under `wrangler dev` (real workerd, tfjs on WASM SIMD), loopback only.
 *
 * The same models are served by up to three generated entries, one after the other, each in its own wrangler
 * dev (scripts/local-worker.ts):
 * - compiled: as functions/index.ts deploys, each network compiled to the inference kernels (dense and
 *   convolution layers in network.wasm, recurrences in the fused LSTM kernels);
 * - fused: tfjs's graph on the WASM backend with the fused LSTM layers (the deployment before compiling);
 * - stock: `initWasmBackend` alone, tfjs's own LSTM on the same backend (the deployment before the fused LSTM).
 *
 * For each it measures
 * - deployable bundle size: `wrangler deploy --dry-run --outdir`, every output file raw and gzip-9 (source maps
 *   are listed apart: they are not part of the deployed script);
 * - cold start: process spawn → first /healthz answer, and the first classification (backend bring-up, model
 *   build and first predict happen in that request); wrangler dev runs the dry-run bundle itself (--no-bundle);
 * - warm latency over N sequential requests with a 3 s clip: client-side median and p95;
 * - CPU per request, measured inside the Worker: the response's `timing` (decode + features + inference, the
 *   CPU-bound sections, timed with performance.now()). Local workerd advances its clock during execution, so
 *   these are real; deployed Workers freeze it, so use Cloudflare's CPU-time metrics there;
 * - CPU per second of audio, inside the Worker, for 3, 30 and 60 s of speech at 16 and 44.1 kHz (--length-requests
 *   requests each, median): long clips are classified window by window, so CPU must grow with the audio, not faster;
 * - a bounded load run (--load requests, --concurrency at a time, after the sequential requests as warm-up;
 *   the requests cycle through the six clips above, so it soaks long uploads too):
 *   non-2xx answers and network errors (must be 0), and memory at the start, peak and end: live tfjs tensors
 *   and the tfjs WASM heap from inside the Worker (`GET /healthz?memory=1`), and the workerd process's RSS
 *   from /proc. Memory is called flat only when the tensor count ends where it started.
 * The run exits non-zero on any error, an unfinished load run, or a tensor count that does not come back.
 *
 * The Worker serves `models/` when a registry exists, else the tiny test fixtures (then the numbers measure
 * the runtime, not a real model). It runs from generated entries in .cache/bench-serve/<network>/, so the
 * committed functions/model/bundled-models.ts is left alone.
 *
 *   npm run bench:serve [-- --requests 300] [--network compiled|fused|stock|all] [--load 1000] [--concurrency 8]
 *                       [--load-timeout 900] [--port 8799] [--models DIR] [--model ID]
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resample } from '../core/audio/resample.ts';
import { decodeWav } from '../core/audio/wav.ts';
import { encodeWav } from '../core/audio/wav-encode.ts';
import {
  type LengthResult,
  printServeReport,
  serveFailures,
  type VariantResult,
} from './bench-serve-report.ts';
import {
  buildBundle,
  type NetworkPath,
  ROOT,
  type RunningWorker,
  startWorker,
  writeWorkerEntry,
} from './local-worker.ts';
import {
  cpuOf,
  type LoadResult,
  loadRun,
  quantile,
  REQUEST_TIMEOUT_MS,
  type Sample,
  spread,
  type Timing,
} from './serve-load.ts';

const WORK = join(ROOT, '.cache/bench-serve');
const CLIP_SECONDS = 3;
const MAX_REQUESTS = 2000;
const MAX_LOAD = 20_000;
const MAX_CONCURRENCY = 64;
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    network: { type: 'string', default: 'all' },
    load: { type: 'string', default: '1000' },
    'length-requests': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    'load-timeout': { type: 'string', default: '900' },
    port: { type: 'string', default: '8799' },
    models: { type: 'string' },
    model: { type: 'string' },
  },
});

function integerArg(name: string, value: string | undefined, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`expected --${name} to be an integer in ${min}–${max}, got ${value}`);
  }
  return parsed;
}

const requests = integerArg('requests', args.requests, 1, MAX_REQUESTS);
const loadRequests = integerArg('load', args.load, 0, MAX_LOAD);
const lengthRequests = integerArg('length-requests', args['length-requests'], 1, MAX_REQUESTS);
const concurrency = integerArg('concurrency', args.concurrency, 1, MAX_CONCURRENCY);
const loadTimeoutMs = integerArg('load-timeout', args['load-timeout'], 1, 3600) * 1000;
const NETWORK_CHOICES: Record<string, NetworkPath[]> = {
  all: ['compiled', 'fused', 'stock'],
  compiled: ['compiled'],
  fused: ['fused'],
  stock: ['stock'],
};
const variants = NETWORK_CHOICES[args.network ?? ''];
if (variants === undefined) {
  throw new Error(`expected --network to be compiled, fused, stock or all, got ${args.network}`);
}
const port = integerArg('port', args.port, 1024, 65535 - variants.length + 1);
if (args.model !== undefined && !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(args.model)) {
  throw new Error(`expected --model to be a model id like 'blstm-v1', got '${args.model}'`);
}
const modelsDir = resolve(
  ROOT,
  args.models ?? (existsSync(join(ROOT, 'models/registry.json')) ? 'models' : 'test/fixtures/models'),
);

/** The measured model: --model, else the registry default; and how many LSTM layers its topology holds. */
function describeModel(): { id: string; lstmLayers: number } {
  const registry = JSON.parse(readFileSync(join(modelsDir, 'registry.json'), 'utf8')) as {
    default: string;
    models: string[];
  };
  const id = args.model ?? registry.default;
  if (!registry.models.includes(id)) {
    throw new Error(`expected --model to be one of ${registry.models.join(', ')}, got '${id}'`);
  }
  const count = (node: unknown): number => {
    if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + count(item), 0);
    if (node === null || typeof node !== 'object') return 0;
    const own = (node as { class_name?: unknown }).class_name === 'LSTM' ? 1 : 0;
    return own + Object.values(node).reduce((sum: number, value) => sum + count(value), 0);
  };
  const modelJson = JSON.parse(readFileSync(join(modelsDir, id, 'model.json'), 'utf8')) as {
    modelTopology: unknown;
  };
  return { id, lstmLayers: count(modelJson.modelTopology) };
}

function benchClip(): Uint8Array<ArrayBuffer> {
  const speech = decodeWav(readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav')));
  const samples = new Float32Array(CLIP_SECONDS * speech.info.sampleRate);
  // The fixture utterance is ~3.15 s: repeat it if a shorter one ever replaces it.
  for (let i = 0; i < samples.length; i++) samples[i] = speech.channels[0][i % speech.info.frames];
  return new Uint8Array(encodeWav(samples, speech.info.sampleRate));
}

/** The clips of the per-length measurement and of the load run: seconds × rate. */
const LENGTHS_SECONDS = [3, 30, 60];
const LENGTH_RATES = [16000, 44100];

interface LengthClip {
  name: string;
  seconds: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** The speech fixture repeated to each length, resampled to each rate, as 16-bit WAV. */
function lengthClips(): LengthClip[] {
  const speech = decodeWav(readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav')));
  const rate = speech.info.sampleRate;
  return LENGTHS_SECONDS.flatMap((seconds) => {
    const samples = new Float32Array(seconds * rate);
    for (let i = 0; i < samples.length; i++) samples[i] = speech.channels[0][i % speech.info.frames];
    return LENGTH_RATES.map((to) => ({
      name: `${seconds} s at ${to / 1000} kHz`,
      seconds,
      bytes: new Uint8Array(encodeWav(to === rate ? samples : resample(samples, rate, to), to)),
    }));
  });
}

function classifyUrl(origin: string, model: string): string {
  return `${origin}/v1/classify${args.model === undefined ? '' : `?model=${model}`}`;
}

async function classify(url: string, clip: Uint8Array<ArrayBuffer>): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body: clip,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as { outcome?: string; timing?: Timing };
  const latencyMs = performance.now() - started;
  if (response.status !== 200 || body.outcome !== 'classified' || body.timing === undefined) {
    throw new Error(
      `expected a 200 classification, got ${response.status}: ${JSON.stringify(body).slice(0, 300)}`,
    );
  }
  return { latencyMs, timing: body.timing };
}

/** Stopped by a signal: the workers started so far, so Ctrl-C never leaves a wrangler behind. */
const started = new Set<RunningWorker>();
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    void Promise.all([...started].map((worker) => worker.stop())).finally(() => process.exit(130));
  });
}

async function runVariant(
  network: NetworkPath,
  variantPort: number,
  model: string,
  clip: Uint8Array<ArrayBuffer>,
  lengths: readonly LengthClip[],
): Promise<VariantResult> {
  const workDir = join(WORK, network);
  const bundle = await buildBundle(writeWorkerEntry(workDir, modelsDir, { network }), workDir);
  console.log(`  ${network}: bundle built, starting wrangler dev on 127.0.0.1:${variantPort}`);
  const worker = await startWorker(bundle, { port: variantPort, workDir });
  started.add(worker);
  try {
    const url = classifyUrl(worker.origin, model);
    const first = await classify(url, clip);
    const warm: Sample[] = [];
    for (let i = 0; i < requests; i++) warm.push(await classify(url, clip));
    console.log(`  ${network}: cold start and ${requests} sequential requests done`);
    const perLength: LengthResult[] = [];
    for (const length of lengths) {
      const runs: Sample[] = [];
      for (let i = 0; i < lengthRequests; i++) runs.push(await classify(url, length.bytes));
      const median = (pick: (sample: Sample) => number) => quantile(runs.map(pick), 0.5);
      perLength.push({
        name: length.name,
        seconds: length.seconds,
        cpuMs: median(cpuOf),
        decodeMs: median(({ timing }) => timing.decodeMs),
        featuresMs: median(({ timing }) => timing.featuresMs),
        inferenceMs: median(({ timing }) => timing.inferenceMs),
      });
    }
    console.log(`  ${network}: ${lengthRequests} requests for each of ${lengths.length} clip lengths done`);
    let load: LoadResult | null = null;
    if (loadRequests > 0) {
      load = await loadRun(
        worker,
        url,
        lengths.map((length) => length.bytes),
        { requests: loadRequests, concurrency, timeoutMs: loadTimeoutMs },
      );
      console.log(`  ${network}: load run done (${load.sent} sent in ${(load.wallMs / 1000).toFixed(1)} s)`);
    }
    return {
      network,
      latencyMs: spread(warm.map((sample) => sample.latencyMs)),
      cpuMsPerRequest: spread(warm.map(cpuOf)),
      decodeMs: spread(warm.map(({ timing }) => timing.decodeMs)),
      featuresMs: spread(warm.map(({ timing }) => timing.featuresMs)),
      inferenceMs: spread(warm.map(({ timing }) => timing.inferenceMs)),
      handlerTotalMs: spread(warm.map(({ timing }) => timing.totalMs)),
      coldStart: {
        spawnToHealthyMs: worker.startupMs,
        firstClassifyLatencyMs: first.latencyMs,
        firstClassifyModelLoadMs: first.timing.modelLoadMs,
        firstClassifyInferenceMs: first.timing.inferenceMs,
        spawnToFirstResultMs: worker.startupMs + first.latencyMs,
      },
      bundle: { raw: bundle.raw, gzip: bundle.gzip, files: bundle.files },
      perLength,
      load,
    };
  } catch (error) {
    console.error(`wrangler dev output (${network}, last lines):\n${worker.log()}`);
    throw error;
  } finally {
    await worker.stop();
    started.delete(worker);
  }
}

const model = describeModel();
const clip = benchClip();
console.log(
  `bench:serve: models from ${relative(ROOT, modelsDir)}, model '${model.id}' (${model.lstmLayers} LSTM layers), ` +
    `${requests} sequential requests of ${CLIP_SECONDS} s clips` +
    (loadRequests > 0 ? `, then ${loadRequests} at ${concurrency} at a time` : '') +
    `; networks: ${variants.join(' then ')}; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
);
if (model.lstmLayers === 0 && variants.includes('fused') && variants.includes('stock')) {
  console.log(
    `  note: '${model.id}' has no LSTM layer, so the fused and stock entries run the same graph: differences are noise.`,
  );
}

const lengths = lengthClips();
const results: VariantResult[] = [];
for (const [index, network] of variants.entries()) {
  results.push(await runVariant(network, port + index, model.id, clip, lengths));
}

printServeReport(results, lengths, { loadRequests, concurrency, lengthRequests });
const failures = serveFailures(results);

console.log(
  JSON.stringify({
    models: relative(ROOT, modelsDir),
    model: model.id,
    lstmLayers: model.lstmLayers,
    requests,
    clipSeconds: CLIP_SECONDS,
    loadAverage: loadavg(),
    variants: results,
    ok: failures.length === 0,
  }),
);
if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  process.exitCode = 1;
}
