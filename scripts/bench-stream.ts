/**
 * Streaming soak bench: the Worker as it deploys (scripts/local-worker.ts: its bundle under wrangler dev, real
 * workerd, loopback only), `--streams` WebSockets at once on GET /v1/stream, each sending `--seconds` of speech
 * (the committed speech clip, repeated) in 100 ms frames, at real-time pace unless `--fast`. It prints
 * - errors: streams that did not end with a final summary and close 1000, or got fewer windows than the grid
 *   gives (must be 0; the run exits 1 otherwise);
 * - CPU per second of audio: the workerd process's CPU time (/proc, user + system, which includes sockets and
 *   JSON) over the run, divided by the seconds of audio streamed; beside it, the Worker's own front end and
 *   network time per second of audio (the summaries' computeMs), both at the hop used;
 * - the latency of window messages: from sending a window's last frame to receiving the window.
 * One run, one machine: compare the figures with each other (and with `npm run bench:serve`'s per second of
 * audio for POSTs), not with other machines.
 *
 *   npm run bench:stream [-- --streams 50] [--seconds 30] [--hop 1] [--rate 16000] [--fast] [--models DIR]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resample } from '../core/audio/resample.ts';
import { decodeWav } from '../core/audio/wav.ts';
import { openStream, type StreamClient } from '../core/client/stream-client.ts';
import { ROOT, type RunningWorker, startLocalWorker, workerdOf } from './local-worker.ts';
import { quantile } from './serve-load.ts';

const usage =
  'usage: npm run bench:stream [-- --streams N] [--seconds S] [--hop S] [--rate HZ] [--fast] [--models DIR]';
const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    hop: { type: 'string', default: '1' },
    rate: { type: 'string', default: '16000' },
    fast: { type: 'boolean', default: false },
    models: { type: 'string', default: 'models' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const number = (name: string, value: string, min: number, max: number) => {
  const parsed = Number(value);
  if (!(parsed >= min && parsed <= max)) {
    console.error(`bench:stream: expected --${name} in ${min}…${max}, got ${value}\n${usage}`);
    process.exit(2);
  }
  return parsed;
};
const streams = Math.round(number('streams', values.streams, 1, 500));
const seconds = number('seconds', values.seconds, 1, 600);
const hopSeconds = number('hop', values.hop, 0.25, 60);
const rate = Math.round(number('rate', values.rate, 8000, 192_000));
const FRAME_SECONDS = 0.1;
const TICKS_PER_SECOND = 100;

/** The speech clip repeated to `seconds`, at `rate`. */
function speech(): Float32Array {
  const clip = decodeWav(readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav')));
  const base = clip.channels[0];
  const atRate = clip.info.sampleRate === rate ? base : resample(base, clip.info.sampleRate, rate);
  const out = new Float32Array(Math.round(seconds * rate));
  for (let at = 0; at < out.length; at += atRate.length) out.set(atRate.subarray(0, out.length - at), at);
  return out;
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (null without /proc). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

interface StreamResult {
  ok: boolean;
  problem: string | null;
  windows: number;
  computeMs: number;
  latenciesMs: number[];
}

async function runStream(origin: string, audio: Float32Array, index: number): Promise<StreamResult> {
  const frame = Math.round(FRAME_SECONDS * rate);
  const sentAt: number[] = [];
  const latenciesMs: number[] = [];
  const client: StreamClient = openStream({
    baseUrl: origin,
    sampleRate: rate,
    format: 'pcm16',
    hopSeconds,
    onWindow: (window) => {
      // The frame that completed the window: the first whose end reaches the window's end.
      const frameIndex = Math.min(sentAt.length - 1, Math.ceil((window.endSeconds * rate) / frame) - 1);
      if (frameIndex >= 0) latenciesMs.push(performance.now() - sentAt[frameIndex]);
    },
  });
  try {
    const ready = await client.ready;
    // Streams start spread over one frame, as independent clients would.
    await new Promise((wait) => setTimeout(wait, (index / streams) * FRAME_SECONDS * 1000));
    const started = performance.now();
    for (let at = 0, n = 0; at < audio.length; at += frame, n++) {
      if (!values.fast) {
        const due = started + n * FRAME_SECONDS * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((done) => setTimeout(done, wait));
      }
      sentAt.push(performance.now());
      client.send(audio.subarray(at, at + frame));
    }
    const summary = await client.end();
    const close = await client.closed;
    const expected = Math.max(1, Math.floor((seconds - ready.windowSeconds) / hopSeconds) + 1);
    const problem =
      close.code !== 1000
        ? `closed ${close.code} ${close.reason}`
        : client.windows.length < expected
          ? `expected at least ${expected} windows, got ${client.windows.length}`
          : null;
    return {
      ok: problem === null,
      problem,
      windows: client.windows.length,
      computeMs: summary.computeMs,
      latenciesMs,
    };
  } catch (error) {
    return {
      ok: false,
      problem: (error as Error).message,
      windows: client.windows.length,
      computeMs: 0,
      latenciesMs,
    };
  }
}

const workDir = join(ROOT, '.cache/bench-stream');
let worker: RunningWorker | null = null;
process.on('SIGINT', () => void worker?.stop().then(() => process.exit(130)));
try {
  console.log(`bench:stream: building the Worker on ${values.models}/ …`);
  ({ worker } = await startLocalWorker({ modelsDir: join(ROOT, values.models), workDir }));
  const workerd = workerdOf(worker);
  const audio = speech();
  // One stream first: the model loads and compiles before the clock starts.
  await runStream(worker.origin, audio.subarray(0, 4 * rate), 0);
  const cpuBefore = workerd ? cpuSeconds(workerd.pid) : null;
  const wallStart = performance.now();
  console.log(
    `bench:stream: ${streams} streams × ${seconds} s of speech at ${rate} Hz, hop ${hopSeconds} s, ` +
      `${values.fast ? 'as fast as possible' : 'real-time pace'} …`,
  );
  const results = await Promise.all(
    Array.from({ length: streams }, (_, i) => runStream(worker?.origin ?? '', audio, i)),
  );
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpuAfter = workerd ? cpuSeconds(workerd.pid) : null;
  const audioSeconds = streams * seconds;
  const failed = results.filter((result) => !result.ok);
  const computeMs = results.reduce((sum, result) => sum + result.computeMs, 0);
  const latencies = results.flatMap((result) => result.latenciesMs);
  const cpuMs = cpuBefore !== null && cpuAfter !== null ? 1000 * (cpuAfter - cpuBefore) : null;
  console.log(`  wall time                          ${wallSeconds.toFixed(1)} s`);
  console.log(
    `  streams ended cleanly               ${streams - failed.length} / ${streams} (errors: ${failed.length})`,
  );
  console.log(`  windows received                    ${results.reduce((sum, r) => sum + r.windows, 0)}`);
  console.log(
    `  workerd CPU per second of audio     ${cpuMs === null ? 'n/a (no /proc)' : `${(cpuMs / audioSeconds).toFixed(2)} ms`}`,
  );
  console.log(
    `  front end + network per s of audio  ${(computeMs / audioSeconds).toFixed(2)} ms (inside the Worker)`,
  );
  console.log(
    `  window latency (last frame → window) median ${quantile(latencies, 0.5).toFixed(1)} ms, ` +
      `p95 ${quantile(latencies, 0.95).toFixed(1)} ms`,
  );
  for (const result of failed.slice(0, 5)) console.log(`  error: ${result.problem}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  await worker?.stop();
}
