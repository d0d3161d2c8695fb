import { describe, expect, it } from 'vitest';
import type { ReadyMessage, WindowMessage } from '../../../../core/contracts/stream-protocol.ts';
import type { ClipPipeline } from '../../../../site/src/demo/clip-pipeline.ts';
import type { Cycle } from '../../../../site/src/demo/session.ts';
import { createStreamPipeline } from '../../../../site/src/demo/stream-pipeline.ts';

type Listener = (event: unknown) => void;

/** A WebSocket the test drives: it opens, answers and breaks when told to. */
class ScriptedSocket {
  static readonly OPEN = 1;
  static last: ScriptedSocket | null = null;
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  readonly sent: (string | ArrayBuffer)[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor() {
    ScriptedSocket.last = this;
  }
  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string | ArrayBuffer) {
    this.sent.push(data);
  }
  close(code = 1000, reason = '') {
    this.drop(code, reason);
  }
  open() {
    this.readyState = ScriptedSocket.OPEN;
    this.emit('open', {});
  }
  receive(message: object) {
    this.emit('message', { data: JSON.stringify(message) });
  }
  drop(code: number, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', { code, reason });
  }
  private emit(type: string, event: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

const READY: ReadyMessage = {
  type: 'ready',
  model: { id: 'm', version: '1' },
  labels: ['angry', 'happy'],
  sampleRate: 16_000,
  format: 'pcm16',
  windowSeconds: 3,
  hopSeconds: 1,
  limits: { maxSeconds: 600, maxBytes: 1e8, maxMessageBytes: 1e6, idleSeconds: 30 },
};

const window = (index: number): WindowMessage => ({
  type: 'window',
  index,
  startSeconds: index,
  endSeconds: index + 3,
  speechDetected: true,
  speechSeconds: 3,
  probabilities: { angry: 0.7, happy: 0.3 },
  top: { label: 'angry', confidence: 0.7 },
  dimensions: null,
  attention: null,
});

/** A POST pipeline that records where it starts and what it is given. */
function recordingFallback() {
  const made: { startSeconds: number; firstIndex: number; pushed: number }[] = [];
  /** The first sample each fallback was given. */
  const firstSamples: number[] = [];
  const fallback = (startSeconds: number, firstIndex: number): ClipPipeline => {
    const entry = { startSeconds, firstIndex, pushed: 0 };
    made.push(entry);
    return {
      push: (samples) => {
        if (entry.pushed === 0) firstSamples.push(samples[0]);
        entry.pushed += samples.length;
      },
      pushedSeconds: () => entry.pushed / 16_000,
      finish: async () => [],
    };
  };
  return { made, fallback, firstSamples };
}

/** `length` samples whose values are their own positions from `start`, so a slice shows where it came from. */
const ramp = (start: number, length: number) => Float32Array.from({ length }, (_, k) => start + k);

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A pipeline on a scripted socket: the POST pipelines it made, its cycles and the modes it announced. */
function scriptedPipeline() {
  const { made, fallback, firstSamples } = recordingFallback();
  const cycles: Cycle[] = [];
  const modes: string[] = [];
  const pipeline = createStreamPipeline({
    baseUrl: 'http://h',
    sampleRate: 16_000,
    hopSeconds: 1,
    fallback,
    onCycle: (cycle) => cycles.push(cycle),
    onMode: (mode) => modes.push(mode.kind === 'post' ? `post: ${mode.reason}` : 'stream'),
    WebSocket: ScriptedSocket as unknown as typeof WebSocket,
  });
  return { pipeline, socket: ScriptedSocket.last as ScriptedSocket, made, cycles, modes, firstSamples };
}

describe('the demo stream pipeline', () => {
  it('goes to POSTs, with the audio that waited, when the socket closes before it is ready', async () => {
    const { pipeline, socket, made, modes } = scriptedPipeline();
    pipeline.push(new Float32Array(8000));
    socket.drop(1006);
    await settle();
    expect(modes).toEqual(['post: the stream closed (1006 )']);
    expect(made).toEqual([{ startSeconds: 0, firstIndex: 0, pushed: 8000 }]);
    pipeline.push(new Float32Array(4000));
    expect(made[0].pushed).toBe(12_000);
    expect(await pipeline.finish()).toEqual([]);
  });

  it('says so and goes on by POST from where the stream stopped when a ready stream breaks', async () => {
    const { pipeline, socket, made, cycles, modes } = scriptedPipeline();
    socket.open();
    socket.receive(READY);
    await settle();
    pipeline.push(new Float32Array(4 * 16_000));
    socket.receive(window(0));
    socket.receive(window(1));
    socket.drop(1011, 'internal_error');
    await settle();
    expect(modes).toEqual(['stream', 'post: the stream closed (1011 internal_error); going on with clips']);
    expect(cycles.map((cycle) => cycle.outcome.kind)).toEqual(['result', 'result', 'server-error']);
    expect(cycles[2]).toMatchObject({ index: 2, startSeconds: 4, endSeconds: 4 });
    expect(made).toEqual([{ startSeconds: 4, firstIndex: 3, pushed: 0 }]);
    pipeline.push(new Float32Array(16_000));
    expect(made[0].pushed).toBe(16_000);
    expect((await pipeline.finish()).map((cycle) => cycle.index)).toEqual([0, 1, 2]);
  });

  it('gives the POSTs the audio the stream took but no window answered when it breaks', async () => {
    const { pipeline, socket, made, cycles, firstSamples } = scriptedPipeline();
    socket.open();
    socket.receive(READY);
    await settle();
    // 5.5 s sent in two blocks, each sample its own index; the windows answered end at 4 s.
    pipeline.push(ramp(0, 5 * 16_000));
    pipeline.push(ramp(5 * 16_000, 8000));
    socket.receive(window(0));
    socket.receive(window(1));
    socket.drop(1011, 'internal_error');
    await settle();
    expect(cycles[2]).toMatchObject({ startSeconds: 4, endSeconds: 4, outcome: { code: 'stream_closed' } });
    expect(made).toEqual([{ startSeconds: 4, firstIndex: 3, pushed: 1.5 * 16_000 }]);
    expect(firstSamples).toEqual([4 * 16_000]);
  });

  it('gives the POSTs what no window answered when the stream fails to end', async () => {
    const { pipeline, socket, made, cycles, modes, firstSamples } = scriptedPipeline();
    socket.open();
    socket.receive(READY);
    await settle();
    pipeline.push(ramp(0, 4.5 * 16_000));
    socket.receive(window(0));
    const finished = pipeline.finish();
    await settle();
    socket.receive({ type: 'error', error: { code: 'internal_error', message: 'boom' } });
    socket.drop(1011, 'internal_error');
    await finished;
    expect(cycles.map((cycle) => cycle.outcome.kind)).toEqual(['result', 'server-error']);
    expect(cycles[1]).toMatchObject({ startSeconds: 3, endSeconds: 3, outcome: { code: 'stream_failed' } });
    expect(modes.at(-1)).toBe('post: internal_error: boom');
    expect(made).toEqual([{ startSeconds: 3, firstIndex: 2, pushed: 1.5 * 16_000 }]);
    expect(firstSamples).toEqual([3 * 16_000]);
  });
});
