import { openStream, StreamClientError } from '../../../core/client/stream-client.ts';
import type { ReadyMessage, WindowMessage } from '../../../core/contracts/stream-protocol.ts';
import type { Classified, ClassifyOutcome } from './classify-client.ts';
import type { ClipPipeline } from './clip-pipeline.ts';
import type { Cycle } from './session.ts';

/** A socket that has not said `ready` by then is given up for POSTs. */
const READY_TIMEOUT_MS = 10_000;

export interface StreamPipelineOptions {
  /** Where the API is (the page's origin for the usual deployment). */
  baseUrl: string;
  /** A model id from GET /v1/models; the function's default when absent. */
  model?: string;
  /** Rate of the PCM pushed in. */
  sampleRate: number;
  hopSeconds: number;
  /** Called with each window's outcome, in order. */
  onCycle?: (cycle: Cycle) => void;
  /** The fallback: the POST pipeline, its first clip placed at `startSeconds` with index `firstIndex`. */
  fallback: (startSeconds: number, firstIndex: number) => ClipPipeline;
  /** Told which way the audio goes: the stream, then POSTs (with why) if the stream cannot open or breaks. */
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
 * moment the server has classified it. Until the socket is ready, audio waits. If it does not get ready, all
 * audio goes through the POST pipeline instead (`fallback`), as the page did before streaming; if it breaks
 * later (or fails to end), the page says so and the audio from the end of the last window answered goes by POST.
 */
export function createStreamPipeline(options: StreamPipelineOptions): ClipPipeline {
  const cycles: Cycle[] = [];
  const waiting: Float32Array[] = [];
  /** When audio went out on the socket: [samples sent up to the end of a block, time]. */
  const marks: [number, number][] = [];
  /** Audio sent on the socket that no window has reached the end of yet: the fallback's if the stream breaks. */
  const unanswered: { start: number; block: Float32Array }[] = [];
  let answeredUpTo = 0;
  let pushed = 0;
  let sentToStream = 0;
  let fallback: ClipPipeline | null = null;
  let readyMessage: ReadyMessage | null = null;
  let finishing = false;

  const report = (cycle: Cycle) => {
    cycles.push(cycle);
    options.onCycle?.(cycle);
  };
  const answered = (window: WindowMessage) => {
    answeredUpTo = Math.max(answeredUpTo, Math.round(window.endSeconds * options.sampleRate));
    while (unanswered.length > 0 && unanswered[0].start + unanswered[0].block.length <= answeredUpTo) {
      unanswered.shift();
    }
  };
  /** A cycle that says the stream failed, at the end of the last window it answered. */
  const reportFailure = (code: string, message: string) => {
    const at = answeredUpTo / options.sampleRate;
    report({
      index: (cycles.at(-1)?.index ?? -1) + 1,
      startSeconds: at,
      endSeconds: at,
      outcome: { kind: 'server-error', status: 0, code, message },
    });
  };
  const latencyOf = (window: WindowMessage) => {
    const end = window.endSeconds * options.sampleRate - 0.5;
    const mark = marks.find(([samples]) => samples >= end);
    return mark === undefined ? undefined : performance.now() - mark[1];
  };
  const sendToStream = (block: Float32Array) => {
    client.send(block);
    unanswered.push({ start: sentToStream, block: block.slice() });
    sentToStream += block.length;
    marks.push([sentToStream, performance.now()]);
  };
  /** From here on audio goes by POST, starting with what the stream took but did not answer. */
  const useFallback = (reason: string) => {
    if (fallback) return;
    fallback = options.fallback(answeredUpTo / options.sampleRate, (cycles.at(-1)?.index ?? -1) + 1);
    options.onMode?.({ kind: 'post', reason });
    for (const { start, block } of unanswered.splice(0)) {
      fallback.push(block.subarray(Math.max(0, answeredUpTo - start)));
    }
    for (const block of waiting.splice(0)) fallback.push(block);
  };

  const client = openStream({
    baseUrl: options.baseUrl,
    model: options.model,
    sampleRate: options.sampleRate,
    format: 'pcm16',
    hopSeconds: options.hopSeconds,
    WebSocket: options.WebSocket,
    onWindow: (window) => {
      if (readyMessage === null) return;
      answered(window);
      report({
        index: window.index,
        startSeconds: window.startSeconds,
        endSeconds: window.endSeconds,
        outcome: windowAnswer(readyMessage, window),
        latencyMs: latencyOf(window),
      });
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the stream within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
  });
  const opened = Promise.race([client.ready, timedOut]).then(
    (ready) => {
      clearTimeout(timer);
      readyMessage = ready;
      options.onMode?.({ kind: 'stream', ready });
      for (const block of waiting.splice(0)) sendToStream(block);
    },
    (error: Error) => {
      clearTimeout(timer);
      client.abandon(error.message);
      useFallback(error.message);
    },
  );
  // A stream that breaks while recording: say so at once, and go on by POST.
  void client.closed.then(({ code, reason }) => {
    if (finishing || readyMessage === null || fallback) return;
    const message = `the stream closed (${code}${reason ? ` ${reason}` : ''}); going on with clips`;
    reportFailure('stream_closed', message);
    useFallback(message);
  });

  return {
    push(samples) {
      pushed += samples.length;
      if (fallback) fallback.push(samples);
      else if (readyMessage !== null) sendToStream(samples);
      else waiting.push(samples.slice());
    },
    pushedSeconds: () => pushed / options.sampleRate,
    async finish() {
      await opened;
      finishing = true;
      if (!fallback) {
        try {
          await client.end();
        } catch (error) {
          const message =
            error instanceof StreamClientError ? `${error.code}: ${error.message}` : String(error);
          reportFailure('stream_failed', message);
          // The audio no window answered still gets its answer, by POST.
          useFallback(message);
        }
      }
      const fromPosts = fallback ? await fallback.finish() : [];
      // The fallback reported its cycles as they came; they are listed after the stream's.
      return [...cycles, ...fromPosts];
    },
  };
}
