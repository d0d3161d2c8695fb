/**
 * Serving bench: the classify Worker under `wrangler dev` (real workerd, tfjs on WASM SIMD), loopback only.
 *
 * Measures
 * - deployable bundle size: `wrangler deploy --dry-run --outdir`, every output file raw and gzip-9 (source maps
 *   are listed apart: they are not part of the deployed script);
 * - cold start: process spawn → first /healthz answer, and the first classification (backend bring-up, model
 *   build and first predict happen in that request); wrangler dev runs the dry-run bundle itself (--no-bundle);
 * - warm latency over N sequential requests with a 3 s clip: client-side median and p95;
 * - CPU per request, measured inside the Worker: the response's `timing` (decode + features + inference, the
 *   CPU-bound sections, timed with performance.now()). Local workerd advances its clock during execution, so
 *   these are real; deployed Workers freeze it, so use Cloudflare's CPU-time metrics there.
 *
 * The Worker serves `models/` when a registry exists, else the tiny test fixtures (then the numbers measure
 * the runtime, not a real model). It runs from a generated entry in .cache/bench-serve/, so the committed
 * functions/model/bundled-models.ts is left alone.
 *
 *   npm run bench:serve [-- --requests 300] [--port 8799] [--models DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav } from '../../functions/audio/wav.ts';
import { encodeWav } from '../../functions/audio/wav-encode.ts';
import { buildBundle, ROOT, startWorker, writeWorkerEntry } from '../../scripts/local-worker.ts';

const WORK = join(ROOT, '.cache/bench-serve');
const CLIP_SECONDS = 3;
const MAX_REQUESTS = 2000;

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    port: { type: 'string', default: '8799' },
    models: { type: 'string' },
  },
});
const requests = Number(args.requests);
if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS) {
  throw new Error(`expected --requests to be an integer in 1–${MAX_REQUESTS}, got ${args.requests}`);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 1024 || port > 65535) {
  throw new Error(`expected --port in 1024–65535, got ${args.port}`);
}
const modelsDir = resolve(
  ROOT,
  args.models ?? (existsSync(join(ROOT, 'models/registry.json')) ? 'models' : 'test/fixtures/models'),
);

function benchClip(): Uint8Array<ArrayBuffer> {
  const speech = decodeWav(readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav')));
  const samples = new Float32Array(CLIP_SECONDS * speech.info.sampleRate);
  // The fixture utterance is ~3.15 s: repeat it if a shorter one ever replaces it.
  for (let i = 0; i < samples.length; i++) samples[i] = speech.channels[0][i % speech.info.frames];
  return new Uint8Array(encodeWav(samples, speech.info.sampleRate));
}

interface Timing {
  decodeMs: number;
  modelLoadMs: number;
  featuresMs: number;
  inferenceMs: number;
  totalMs: number;
}

async function classify(
  origin: string,
  clip: Uint8Array<ArrayBuffer>,
): Promise<{ latencyMs: number; timing: Timing }> {
  const started = performance.now();
  const response = await fetch(`${origin}/v1/classify`, {
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body: clip,
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

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const entry = writeWorkerEntry(WORK, modelsDir);
console.log(
  `bench:serve: models from ${relative(ROOT, modelsDir)}, ${requests} requests of ${CLIP_SECONDS} s clips`,
);
const bundle = await buildBundle(entry, WORK);
const clip = benchClip();
const worker = await startWorker(bundle, { port, workDir: WORK });
try {
  const first = await classify(worker.origin, clip);
  const firstResultMs = worker.startupMs + first.latencyMs;
  const warm: { latencyMs: number; timing: Timing }[] = [];
  for (let i = 0; i < requests; i++) warm.push(await classify(worker.origin, clip));
  const latency = warm.map((sample) => sample.latencyMs);
  const cpu = warm.map(({ timing }) => timing.decodeMs + timing.featuresMs + timing.inferenceMs);
  const inference = warm.map(({ timing }) => timing.inferenceMs);
  const features = warm.map(({ timing }) => timing.featuresMs);
  const result = {
    models: relative(ROOT, modelsDir),
    requests,
    clipSeconds: CLIP_SECONDS,
    latencyMs: { median: quantile(latency, 0.5), p95: quantile(latency, 0.95) },
    cpuMsPerRequest: { median: quantile(cpu, 0.5), p95: quantile(cpu, 0.95) },
    featuresMs: { median: quantile(features, 0.5), p95: quantile(features, 0.95) },
    inferenceMs: { median: quantile(inference, 0.5), p95: quantile(inference, 0.95) },
    coldStart: {
      spawnToHealthyMs: worker.startupMs,
      firstClassifyLatencyMs: first.latencyMs,
      firstClassifyModelLoadMs: first.timing.modelLoadMs,
      firstClassifyInferenceMs: first.timing.inferenceMs,
      spawnToFirstResultMs: firstResultMs,
    },
    bundle: { raw: bundle.raw, gzip: bundle.gzip, files: bundle.files },
  };
  console.log(`
latency (client, warm)        median ${ms(result.latencyMs.median)}   p95 ${ms(result.latencyMs.p95)}
CPU per request (in Worker)   median ${ms(result.cpuMsPerRequest.median)}   p95 ${ms(result.cpuMsPerRequest.p95)}
  features                    median ${ms(result.featuresMs.median)}   p95 ${ms(result.featuresMs.p95)}
  inference                   median ${ms(result.inferenceMs.median)}   p95 ${ms(result.inferenceMs.p95)}
cold start                    spawn → healthy ${ms(worker.startupMs)}; first classify ${ms(first.latencyMs)} (model load ${ms(first.timing.modelLoadMs)}, inference ${ms(first.timing.inferenceMs)}); spawn → first result ${ms(firstResultMs)}
bundle (wrangler dry run)     ${kib(bundle.raw)} raw, ${kib(bundle.gzip)} gzip
${bundle.files.map((file) => `  ${file.name.padEnd(72)} ${kib(file.raw).padStart(12)} ${kib(file.gzip).padStart(12)}`).join('\n')}
`);
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(`wrangler dev output (last lines):\n${worker.log()}`);
  throw error;
} finally {
  worker.stop();
}
