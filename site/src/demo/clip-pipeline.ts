import type { ClassifyOutcome } from './classify-client.ts';
import { createClipChunker } from './clip-chunker.ts';
import type { Cycle } from './session.ts';
import { clipToWav } from './wav-clip.ts';

export interface ClipPipelineOptions {
  /** Rate of the PCM pushed in. */
  sampleRate: number;
  /** Length of each clip sent while recording. */
  clipSeconds: number;
  /** A shorter tail is still sent at the end if it is at least this long (shorter ones say little). */
  minTailSeconds: number;
  /** Posts one 16 kHz WAV clip to the function. */
  send: (wav: Uint8Array<ArrayBuffer>) => Promise<ClassifyOutcome>;
  /** Called with each clip's outcome, in order. */
  onCycle?: (cycle: Cycle) => void;
  /** Where the first clip starts on the session's time axis and the index it takes (a stream's fallback). */
  startSeconds?: number;
  firstIndex?: number;
}

export interface ClipPipeline {
  push(samples: Float32Array): void;
  /** Seconds of audio pushed so far. */
  pushedSeconds(): number;
  /** Sends the remaining tail, waits for every answer, and returns all cycles in order. */
  finish(): Promise<Cycle[]>;
}

/**
 * Cuts PCM into clips and sends them one at a time, in order: a single request in flight keeps answers in
 * sequence and never floods a slow function (clips queue up instead).
 */
export function createClipPipeline(options: ClipPipelineOptions): ClipPipeline {
  const chunker = createClipChunker(options.sampleRate, options.clipSeconds);
  const cycles: Cycle[] = [];
  let queue: Promise<void> = Promise.resolve();
  let position = options.startSeconds ?? 0;
  let sent = options.firstIndex ?? 0;
  let pushed = 0;

  const enqueue = (clip: Float32Array) => {
    const index = sent++;
    const startSeconds = position;
    const endSeconds = position + clip.length / options.sampleRate;
    position = endSeconds;
    queue = queue.then(async () => {
      // A throwing send must not break the chain: later clips still go out.
      const sentAt = performance.now();
      const outcome = await options
        .send(clipToWav(clip, options.sampleRate))
        .catch((error: Error): ClassifyOutcome => ({ kind: 'unreachable', message: error.message }));
      const cycle: Cycle = {
        index,
        startSeconds,
        endSeconds,
        outcome,
        latencyMs: performance.now() - sentAt,
      };
      cycles.push(cycle);
      options.onCycle?.(cycle);
    });
  };

  return {
    push(samples) {
      pushed += samples.length;
      for (const clip of chunker.push(samples)) enqueue(clip);
    },
    pushedSeconds: () => pushed / options.sampleRate,
    async finish() {
      const tail = chunker.flush(options.minTailSeconds);
      if (tail) enqueue(tail);
      await queue;
      return [...cycles];
    },
  };
}
