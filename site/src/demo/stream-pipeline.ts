import { openStream, type StreamClient, StreamClientError } from '../../../functions/client/stream-client.ts';
import type { ReadyMessage, WindowMessage } from '../../../functions/routes/stream-protocol.ts';
import type { Classified, ClassifyOutcome } from './classify-client.ts';
import type { ClipPipeline } from './clip-pipeline.ts';
import type { Cycle } from './session.ts';

export interface StreamPipelineOptions {
  /** Where the API is (the page's origin for the usual deployment). */
  baseUrl: string;
  /** Rate of the PCM pushed in. */
  sampleRate: number;
  hopSeconds: number;
  /** Called with each window's outcome, in order. */
  onCycle?: (cycle: Cycle) => void;
  /** The fallback when the socket cannot open: the POST pipeline on the same options. */
  fallback: () => ClipPipeline;
  /** Told once which way the audio goes: the stream, or POSTs (with why). */
  onMode?: (mode: { kind: 'stream'; ready: ReadyMessage } | { kind: 'post'; reason: string }) => void;
  /** For tests: another WebSocket implementation. */
  WebSocket?: typeof WebSocket;
}

/** A window as the page's views take a clip's answer (they were written for POSTed clips). */
function windowAnswer(ready: ReadyMessage, window: WindowMessage): ClassifyOutcome {
  if (!window.speechDetected || window.probabilities === null || window.top === null) {
    return { kind: 'no-speech', message: 'no speech detected in this window' };
  }
  const response: Classified = {
    model: ready.model,
    labels: ready.labels,
    outcome: 'classified',
    speechDetected: true,
    speechSeconds: window.speechSeconds,
    durationSeconds: window.endSeconds - window.startSeconds,
    probabilities: window.probabilities,
    top: window.top,
    dimensions: window.dimensions,
    attention: window.attention,
    analysis: null,
    timeline: null,
    timing: null,
  };
  return { kind: 'result', response };
}

/**
 * The live pipeline: audio goes to GET /v1/stream as it is pushed and every window comes back as a cycle the
 * moment the server has classified it. Until the socket is ready, audio waits; if it cannot open, everything
 * pushed so far and after goes through the POST pipeline instead (`fallback`), as the page did before streaming.
 */
export function createStreamPipeline(options: StreamPipelineOptions): ClipPipeline {
  const cycles: Cycle[] = [];
  const waiting: Float32Array[] = [];
  /** When each pushed block was sent: [samples pushed up to its end, time]. */
  const marks: [number, number][] = [];
  let pushed = 0;
  let fallback: ClipPipeline | null = null;
  let client: StreamClient | null = null;
  let streamFailure: string | null = null;

  const latencyOf = (window: WindowMessage) => {
    const end = window.endSeconds * options.sampleRate - 0.5;
    const mark = marks.find(([samples]) => samples >= end);
    return mark === undefined ? undefined : performance.now() - mark[1];
  };

  const useFallback = (reason: string) => {
    fallback = options.fallback();
    options.onMode?.({ kind: 'post', reason });
    for (const block of waiting.splice(0)) fallback.push(block);
  };

  let readyMessage: ReadyMessage | null = null;
  client = openStream({
    baseUrl: options.baseUrl,
    sampleRate: options.sampleRate,
    format: 'pcm16',
    hopSeconds: options.hopSeconds,
    WebSocket: options.WebSocket,
    onWindow: (window) => {
      if (readyMessage === null) return;
      const cycle: Cycle = {
        index: window.index,
        startSeconds: window.startSeconds,
        endSeconds: window.endSeconds,
        outcome: windowAnswer(readyMessage, window),
        latencyMs: latencyOf(window),
      };
      cycles.push(cycle);
      options.onCycle?.(cycle);
    },
  });
  const opened = client.ready.then(
    (ready) => {
      readyMessage = ready;
      options.onMode?.({ kind: 'stream', ready });
      for (const block of waiting.splice(0)) client?.send(block);
    },
    (error: Error) => {
      client = null;
      useFallback(error.message);
    },
  );
  void client.closed.then(({ code }) => {
    if (code !== 1000 && readyMessage !== null) streamFailure = `the stream closed with ${code}`;
  });

  return {
    push(samples) {
      pushed += samples.length;
      marks.push([pushed, performance.now()]);
      if (fallback) fallback.push(samples);
      else if (readyMessage !== null) client?.send(samples);
      else waiting.push(samples.slice());
    },
    pushedSeconds: () => pushed / options.sampleRate,
    async finish() {
      await opened;
      if (fallback) return fallback.finish();
      try {
        await client?.end();
      } catch (error) {
        const message =
          error instanceof StreamClientError ? `${error.code}: ${error.message}` : String(error);
        streamFailure ??= message;
      }
      if (streamFailure !== null) {
        const last = cycles.at(-1);
        const failure: Cycle = {
          index: (last?.index ?? -1) + 1,
          startSeconds: last?.endSeconds ?? 0,
          endSeconds: pushed / options.sampleRate,
          outcome: { kind: 'server-error', status: 0, code: 'stream_failed', message: streamFailure },
        };
        cycles.push(failure);
        options.onCycle?.(failure);
      }
      return [...cycles];
    },
  };
}
