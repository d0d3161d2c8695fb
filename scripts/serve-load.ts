/**
 * The serving bench's load run (scripts/bench-serve.ts): requests at a fixed concurrency against a running Worker,
 * their errors, latency and in-Worker CPU, and memory over time: inside the Worker (tfjs and the inference kernels),
 * the isolate's JavaScript heap (through the inspector) and outside it (workerd's RSS).
 */
import type { HealthMemory } from '../core/contracts/health-api.ts';
import { type HeapProbe, openHeapProbe } from './isolate-heap.ts';
import { type RunningWorker, workerdOf } from './local-worker.ts';

/** Any single request (classify or health probe) slower than this counts as a network error. */
export const REQUEST_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL_MS = 250;

export interface Timing {
  decodeMs: number;
  modelLoadMs: number;
  featuresMs: number;
  inferenceMs: number;
  totalMs: number;
}

export interface Sample {
  latencyMs: number;
  timing: Timing;
}

export const cpuOf = ({ timing }: Sample) => timing.decodeMs + timing.featuresMs + timing.inferenceMs;

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const spread = (values: readonly number[]) => ({
  median: quantile(values, 0.5),
  p95: quantile(values, 0.95),
});

/** One memory reading: inside the Worker (tfjs, the kernels), its isolate's heap, and outside (workerd's RSS). */
export interface MemorySnapshot {
  atMs: number;
  tensors: number;
  tensorBytes: number;
  wasmBytes: number | null;
  /** The inference kernels' WebAssembly memories. */
  kernelBytes: number;
  /** The isolate's JavaScript heap in use (Runtime.getHeapUsage); null when the inspector did not answer. */
  heapUsedBytes: number | null;
  /** The workerd running the Worker; null when /proc or the process is not found. */
  workerdPid: number | null;
  /** Its resident set. */
  workerdRssBytes: number | null;
  /** The kernel's high-water mark of that RSS (VmHWM). */
  workerdPeakRssBytes: number | null;
}

async function snapshot(
  worker: RunningWorker,
  heap: HeapProbe | null,
  since: number,
): Promise<MemorySnapshot> {
  const response = await fetch(`${worker.origin}/healthz?memory=1`, {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  const body = (await response.json()) as { memory?: HealthMemory };
  if (response.status !== 200 || body.memory === undefined) {
    throw new Error(
      `expected /healthz?memory=1 to answer 200 with memory, got ${response.status}: ${JSON.stringify(body)}`,
    );
  }
  const workerd = workerdOf(worker);
  return {
    atMs: performance.now() - since,
    tensors: body.memory.tensors,
    tensorBytes: body.memory.tensorBytes,
    wasmBytes: body.memory.wasmBytes,
    kernelBytes: body.memory.kernelBytes,
    heapUsedBytes: heap === null ? null : (await heap.read()).usedBytes,
    workerdPid: workerd?.pid ?? null,
    workerdRssBytes: workerd?.rssBytes ?? null,
    workerdPeakRssBytes: workerd?.peakRssBytes ?? null,
  };
}

export interface LoadResult {
  requests: number;
  concurrency: number;
  /** Requests actually sent (fewer than `requests` only when the time limit ran out). */
  sent: number;
  ok: number;
  /** Non-2xx answers by status. */
  statuses: Record<string, number>;
  /** 2xx answers whose body was not a classification. */
  unexpectedBodies: number;
  networkErrors: number;
  probeErrors: number;
  /** The first few error messages, for the report. */
  errorSamples: string[];
  wallMs: number;
  throughputPerSecond: number;
  latencyMs: { median: number; p95: number; max: number };
  cpuMsPerRequest: { median: number; p95: number };
  memory: {
    start: MemorySnapshot;
    peak: {
      tensors: number;
      wasmBytes: number | null;
      heapUsedBytes: number | null;
      workerdRssBytes: number | null;
    };
    end: MemorySnapshot;
    /** The isolate heap's lowest reading in the first and in the last third of the run; null without readings. */
    heapTroughs: { first: number; last: number } | null;
    /**
     * Tensor count at the end equals the count after warm-up, and the heap's trough in the last third of the run is
     * within HEAP_GROWTH_ALLOWED of the first third's: a leak lifts the level every collection falls back to.
     */
    flat: boolean;
    /** Every reading, start and end included, about every 250 ms. */
    samples: MemorySnapshot[];
  };
}

export interface LoadOptions {
  /** Requests to send, cycling through the clips. */
  requests: number;
  concurrency: number;
  /** The run stops sending when this is up. */
  timeoutMs: number;
}

export async function loadRun(
  worker: RunningWorker,
  url: string,
  clips: readonly Uint8Array<ArrayBuffer>[],
  { requests: loadRequests, concurrency, timeoutMs: loadTimeoutMs }: LoadOptions,
): Promise<LoadResult> {
  const began = performance.now();
  const deadline = Date.now() + loadTimeoutMs;
  const heap = await openHeapProbe(worker.inspectorPort);
  const start = await snapshot(worker, heap, began);
  const samples: MemorySnapshot[] = [start];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  const noteError = (message: string) => {
    if (errorSamples.length < 5) errorSamples.push(message);
  };
  const latencies: number[] = [];
  const cpu: number[] = [];
  let next = 0;
  let ok = 0;
  let unexpectedBodies = 0;
  let networkErrors = 0;
  let probeErrors = 0;

  const lane = async () => {
    while (next < loadRequests && Date.now() < deadline) {
      const clip = clips[next % clips.length];
      next++;
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'audio/wav' },
          body: clip,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        latencies.push(performance.now() - started);
        if (response.status < 200 || response.status > 299) {
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          noteError(`${response.status}: ${text.slice(0, 200)}`);
          continue;
        }
        const body = JSON.parse(text) as { outcome?: string; timing?: Timing };
        if (body.outcome !== 'classified' || body.timing === undefined) {
          unexpectedBodies++;
          noteError(`${response.status} without a classification: ${text.slice(0, 200)}`);
          continue;
        }
        ok++;
        cpu.push(cpuOf({ latencyMs: 0, timing: body.timing }));
      } catch (error) {
        networkErrors++;
        noteError(`network: ${(error as Error).message}`);
      }
    }
  };

  let running = true;
  const probe = async () => {
    while (running) {
      await new Promise((wait) => setTimeout(wait, PROBE_INTERVAL_MS));
      if (!running) break;
      try {
        samples.push(await snapshot(worker, heap, began));
      } catch (error) {
        probeErrors++;
        noteError(`health probe: ${(error as Error).message}`);
      }
    }
  };
  const probing = probe();
  await Promise.all(Array.from({ length: concurrency }, lane));
  running = false;
  await probing;
  const wallMs = performance.now() - began;
  const end = await snapshot(worker, heap, began);
  samples.push(end);
  heap.close();

  const peakOf = (pick: (s: MemorySnapshot) => number | null) => {
    const values = samples.map(pick).filter((value): value is number => value !== null);
    return values.length === 0 ? null : Math.max(...values);
  };
  const workerdHighWater = peakOf((s) => s.workerdPeakRssBytes);
  const heapTroughs = troughsOf(samples);
  return {
    requests: loadRequests,
    concurrency,
    sent: next,
    ok,
    statuses,
    unexpectedBodies,
    networkErrors,
    probeErrors,
    errorSamples,
    wallMs,
    throughputPerSecond: (ok * 1000) / wallMs,
    latencyMs: { ...spread(latencies), max: latencies.length === 0 ? Number.NaN : Math.max(...latencies) },
    cpuMsPerRequest: spread(cpu),
    memory: {
      start,
      peak: {
        tensors: peakOf((s) => s.tensors) ?? start.tensors,
        wasmBytes: peakOf((s) => s.wasmBytes),
        heapUsedBytes: peakOf((s) => s.heapUsedBytes),
        // The sampled RSS can miss a short spike; the kernel's high-water mark cannot (it covers start-up too).
        workerdRssBytes: peakOf((s) => s.workerdRssBytes),
      },
      end: { ...end, workerdPeakRssBytes: workerdHighWater },
      heapTroughs,
      flat:
        end.tensors === start.tensors &&
        heapTroughs !== null &&
        heapTroughs.last <=
          heapTroughs.first * (1 + HEAP_GROWTH_ALLOWED.fraction) + HEAP_GROWTH_ALLOWED.bytes,
      samples,
    },
  };
}

/**
 * How far the heap's trough may rise over a load run and still count as flat: a quarter plus 8 MiB, since a young
 * generation that happens to be full at the last reading lifts it without any leak.
 */
export const HEAP_GROWTH_ALLOWED = { fraction: 0.25, bytes: 8 * 2 ** 20 };

/** The lowest heap reading in the first and in the last third of the samples (the level collections return to). */
function troughsOf(samples: readonly MemorySnapshot[]): { first: number; last: number } | null {
  const readings = samples.map((s) => s.heapUsedBytes).filter((value): value is number => value !== null);
  if (readings.length < 3) return null;
  const third = Math.floor(readings.length / 3);
  return { first: Math.min(...readings.slice(0, third)), last: Math.min(...readings.slice(-third)) };
}
