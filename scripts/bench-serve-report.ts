/**
 * What `npm run bench:serve` (bench-serve.ts) prints: the per-variant tables (latency, CPU and its parts, cold
 * start, bundle), CPU per second of audio for each clip length, the load run, and the load run's failures.
 */
import type { Bundle, NetworkPath } from './local-worker.ts';
import type { LoadResult } from './serve-load.ts';

export interface VariantResult {
  network: NetworkPath;
  latencyMs: { median: number; p95: number };
  cpuMsPerRequest: { median: number; p95: number };
  decodeMs: { median: number; p95: number };
  featuresMs: { median: number; p95: number };
  inferenceMs: { median: number; p95: number };
  /** The handler's `timing.totalMs`: wall time in the Worker, upload reading and JSON included (not CPU). */
  handlerTotalMs: { median: number; p95: number };
  coldStart: {
    spawnToHealthyMs: number;
    firstClassifyLatencyMs: number;
    firstClassifyModelLoadMs: number;
    firstClassifyInferenceMs: number;
    spawnToFirstResultMs: number;
  };
  bundle: { raw: number; gzip: number; files: Bundle['files'] };
  /** Median Worker CPU of each clip length and rate. */
  perLength: LengthResult[];
  load: LoadResult | null;
}

export interface LengthResult {
  name: string;
  seconds: number;
  cpuMs: number;
  decodeMs: number;
  featuresMs: number;
  inferenceMs: number;
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '–');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const pair = (value: { median: number; p95: number }) => `${ms(value.median)} / ${ms(value.p95)}`;

/** Rows of label + one column per variant, aligned. */
function table(results: VariantResult[], rows: [string, (result: VariantResult) => string][]): string {
  const width = 33;
  const column = 34;
  const header = `${''.padEnd(width)}${results.map((r) => r.network.padEnd(column)).join('')}`;
  const lines = rows.map(
    ([label, cell]) => `${label.padEnd(width)}${results.map((r) => cell(r).padEnd(column)).join('')}`,
  );
  return [header, ...lines].map((line) => line.trimEnd()).join('\n');
}

const loadOf = (r: VariantResult) => r.load as LoadResult;
const errorsOf = (load: LoadResult) =>
  Object.values(load.statuses).reduce((sum, count) => sum + count, 0) +
  load.unexpectedBodies +
  load.networkErrors +
  load.probeErrors;

/** The tables, for the variants run over the clips named in `lengths`. */
export function printServeReport(
  results: VariantResult[],
  lengths: readonly { name: string }[],
  run: { loadRequests: number; concurrency: number; lengthRequests: number },
): void {
  const { loadRequests, concurrency, lengthRequests } = run;
  const withLoad = results.filter((r) => r.load !== null);
  const change = (from: number | null, to: number | null, format: (v: number | null) => string) =>
    `${format(from)} → ${format(to)}`;

  console.log(`
  ${table(results, [
    ['latency (client, warm) med/p95', (r) => pair(r.latencyMs)],
    ['CPU/request (Worker) med/p95', (r) => pair(r.cpuMsPerRequest)],
    ['  decode', (r) => pair(r.decodeMs)],
    ['  features', (r) => pair(r.featuresMs)],
    ['  inference', (r) => pair(r.inferenceMs)],
    ['handler wall (timing.totalMs)', (r) => pair(r.handlerTotalMs)],
    ['cold: spawn → healthy', (r) => ms(r.coldStart.spawnToHealthyMs)],
    ['cold: first classify', (r) => ms(r.coldStart.firstClassifyLatencyMs)],
    [
      '  model load / inference',
      (r) => `${ms(r.coldStart.firstClassifyModelLoadMs)} / ${ms(r.coldStart.firstClassifyInferenceMs)}`,
    ],
    ['cold: spawn → first result', (r) => ms(r.coldStart.spawnToFirstResultMs)],
    ['bundle raw / gzip', (r) => `${kib(r.bundle.raw)} / ${kib(r.bundle.gzip)}`],
  ])}
  ${results
    .map(
      (r) =>
        `${`bundle files (${r.network})`.padEnd(74)} ${'raw'.padStart(12)} ${'gzip'.padStart(12)}\n` +
        r.bundle.files
          .map(
            (file) =>
              `  ${file.name.padEnd(72)} ${kib(file.raw).padStart(12)} ${kib(file.gzip).padStart(12)}`,
          )
          .join('\n'),
    )
    .join('\n')}
  `);

  console.log(`CPU per second of audio (Worker, median of ${lengthRequests}): decode + features + inference
  ${table(
    results,
    lengths.map((length, index): [string, (result: VariantResult) => string] => [
      length.name,
      (r) => {
        const row = r.perLength[index];
        return `${ms(row.cpuMs)} = ${(row.cpuMs / row.seconds).toFixed(2)} ms/s`;
      },
    ]),
  )}
    (decode / features / inference per clip: ${results
      .map(
        (r) =>
          `${r.network}: ${r.perLength
            .map(
              (row) =>
                `${row.decodeMs.toFixed(1)}/${row.featuresMs.toFixed(1)}/${row.inferenceMs.toFixed(1)}`,
            )
            .join(', ')}`,
      )
      .join('; ')})
  `);

  if (withLoad.length > 0) {
    console.log(`load run: ${loadRequests} requests cycling through the ${lengths.length} clips above, ${concurrency} at a time, after the warm-up above
  ${table(withLoad, [
    ['sent / 2xx classified', (r) => `${loadOf(r).sent} / ${loadOf(r).ok}`],
    [
      'non-2xx / network errors',
      (r) =>
        `${Object.values(loadOf(r).statuses).reduce((a, b) => a + b, 0)} / ${loadOf(r).networkErrors}` +
        (loadOf(r).unexpectedBodies + loadOf(r).probeErrors > 0
          ? ` (+${loadOf(r).unexpectedBodies} odd bodies, ${loadOf(r).probeErrors} probe errors)`
          : ''),
    ],
    [
      'wall time / throughput',
      (r) => `${(loadOf(r).wallMs / 1000).toFixed(1)} s / ${loadOf(r).throughputPerSecond.toFixed(1)} req/s`,
    ],
    ['latency med / p95 / max', (r) => `${pair(loadOf(r).latencyMs)} / ${ms(loadOf(r).latencyMs.max)}`],
    ['CPU/request (Worker) med/p95', (r) => pair(loadOf(r).cpuMsPerRequest)],
    [
      'tensors start → end (peak)',
      (r) =>
        `${change(loadOf(r).memory.start.tensors, loadOf(r).memory.end.tensors, String)} (${loadOf(r).memory.peak.tensors})`,
    ],
    [
      'wasm heap start → end (peak)',
      (r) =>
        `${change(loadOf(r).memory.start.wasmBytes, loadOf(r).memory.end.wasmBytes, mib)} (${mib(loadOf(r).memory.peak.wasmBytes)})`,
    ],
    [
      'kernel memory start → end',
      (r) => change(loadOf(r).memory.start.kernelBytes, loadOf(r).memory.end.kernelBytes, mib),
    ],
    [
      'isolate heap start → end (peak)',
      (r) =>
        `${change(loadOf(r).memory.start.heapUsedBytes, loadOf(r).memory.end.heapUsedBytes, mib)} (${mib(loadOf(r).memory.peak.heapUsedBytes)})`,
    ],
    [
      'heap troughs, first → last third',
      (r) => {
        const troughs = loadOf(r).memory.heapTroughs;
        return troughs === null ? 'no readings' : change(troughs.first, troughs.last, mib);
      },
    ],
    [
      'workerd RSS start → end (peak)',
      (r) =>
        `${change(loadOf(r).memory.start.workerdRssBytes, loadOf(r).memory.end.workerdRssBytes, mib)} (${mib(loadOf(r).memory.peak.workerdRssBytes)})`,
    ],
    ['workerd RSS high-water (VmHWM)', (r) => mib(loadOf(r).memory.end.workerdPeakRssBytes)],
    ['memory samples', (r) => String(loadOf(r).memory.samples.length)],
    [
      'memory',
      (r) =>
        loadOf(r).memory.flat
          ? 'flat (tensor count back to start, isolate heap troughs level)'
          : 'NOT flat (tensors did not come back, or the isolate heap troughs rose)',
    ],
  ])}
    tensors, wasm heap and kernel memory: GET /healthz?memory=1 inside the Worker (the wasm heap is tfjs's, the
    kernel memory our inference kernels'); isolate heap: the Worker's JavaScript heap in use, from wrangler dev's
    inspector (Runtime.getHeapUsage), whose troughs are the level each collection falls back to; RSS: /proc of the
    workerd running the Worker, not wrangler's proxy. RSS climbs per request even for a one-line Worker (about
    8 KiB per request under bare workerd, 30-55 KiB under wrangler dev): native memory of the runtime, outside the
    isolate. Judge leaks by the tensor count and the heaps, not by RSS.
  `);
  }
}

/** What makes the bench exit 1: failed or missing load requests, or tensors that did not come back. */
export function serveFailures(results: VariantResult[]): string[] {
  const withLoad = results.filter((r) => r.load !== null);
  const failures: string[] = [];
  for (const r of withLoad) {
    const load = loadOf(r);
    if (errorsOf(load) > 0) {
      failures.push(
        `${r.network}: ${errorsOf(load)} failed requests (non-2xx ${JSON.stringify(load.statuses)}, ` +
          `network ${load.networkErrors}, odd bodies ${load.unexpectedBodies}, health probes ${load.probeErrors}); ` +
          `first: ${load.errorSamples.join(' | ')}`,
      );
    }
    if (load.sent < load.requests) {
      failures.push(
        `${r.network}: the load run hit --load-timeout after ${load.sent} of ${load.requests} requests`,
      );
    }
    if (!load.memory.flat) {
      const troughs = load.memory.heapTroughs;
      failures.push(
        `${r.network}: tensors went ${load.memory.start.tensors} → ${load.memory.end.tensors} and the isolate ` +
          `heap's troughs ${troughs === null ? 'were not read' : `${troughs.first} → ${troughs.last} bytes`} over the load run`,
      );
    }
  }
  return failures;
}
