/**
 * Issue #16: GET /v1/stream, inside workerd on the deployed Worker (functions/worker.ts on the bundled served
 * model). A clip streamed in frames of random sizes gets the windows and answers the same clip posted with
 * `?hop=` gets; every malformed input closes the socket with its code; the idle timeout fires.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.ts';
import { resample } from '../../core/audio/resample.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import type { ClassifyResponse } from '../../core/contracts/classify-api.ts';
import type { ServerMessage, SummaryMessage, WindowMessage } from '../../core/contracts/stream-protocol.ts';
import { bundledModels } from '../../functions/model/bundled-models.ts';
import { createWorker } from '../../functions/worker.ts';
import { createRandom } from '../../training/random.ts';
import { concat } from '../fixtures/audio/synthetic.ts';
import { speechWav } from '../workers/harness.ts';

const hasModel = (bundledModels.registry?.models.length ?? 0) > 0;
const worker = createWorker(bundledModels);

interface ClientSocket {
  accept(): void;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: string | ArrayBuffer }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

interface OpenStream {
  socket: ClientSocket;
  messages: ServerMessage[];
  /** Resolves with the close code and reason once the server closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the next message of this type. */
  next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>>;
}

async function openStream(query = '', vars: Record<string, string> = {}): Promise<OpenStream> {
  const response = await worker.request(
    `/v1/stream${query}`,
    { headers: { Upgrade: 'websocket' } },
    {
      ...env,
      ...vars,
    },
  );
  expect(response.status).toBe(101);
  const socket = (response as unknown as { webSocket: ClientSocket }).webSocket;
  socket.accept();
  const messages: ServerMessage[] = [];
  const waiting: { type: string; resolve: (message: ServerMessage) => void }[] = [];
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data as string) as ServerMessage;
    messages.push(message);
    const index = waiting.findIndex((wait) => wait.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
  );
  return {
    socket,
    messages,
    closed,
    next: (type) =>
      new Promise((resolve) => waiting.push({ type, resolve: resolve as (message: ServerMessage) => void })),
  };
}

/** The data chunk of a WAV we encoded: the raw little-endian samples a stream sends. */
function wavData(wav: Uint8Array): Uint8Array {
  for (let i = 12; i + 8 <= wav.length; ) {
    const id = String.fromCharCode(...wav.subarray(i, i + 4));
    const size = new DataView(wav.buffer, wav.byteOffset + i + 4, 4).getUint32(0, true);
    if (id === 'data') return wav.subarray(i + 8, i + 8 + size);
    i += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Streams `bytes` in frames of random sizes (odd ones too: samples split across frames), then ends. */
async function streamAll(
  bytes: Uint8Array,
  start: Record<string, unknown>,
  seed: number,
): Promise<{ windows: WindowMessage[]; summary: SummaryMessage; close: { code: number } }> {
  const stream = await openStream();
  stream.socket.send(JSON.stringify({ type: 'start', ...start }));
  await stream.next('ready');
  const random = createRandom(seed);
  for (let at = 0; at < bytes.length; ) {
    const size = Math.min(bytes.length - at, 1 + Math.floor(random.next() ** 2 * 40_000));
    stream.socket.send(bytes.slice(at, at + size));
    at += size;
  }
  stream.socket.send(JSON.stringify({ type: 'end' }));
  const close = await stream.closed;
  const windows = stream.messages.filter((message): message is WindowMessage => message.type === 'window');
  const summary = stream.messages.find((message) => message.type === 'summary') as SummaryMessage;
  return { windows, summary, close };
}

async function postWithHop(wav: Uint8Array, hop: number, query = ''): Promise<ClassifyResponse> {
  const response = await worker.request(
    `/v1/classify?hop=${hop}${query}`,
    { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Uint8Array(wav) },
    env,
  );
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body as ClassifyResponse;
}

function expectSameWindows(streamed: WindowMessage[], posted: ClassifyResponse) {
  const timeline = posted.timeline ?? [];
  expect(streamed.map((window) => window.index)).toEqual(timeline.map((_, index) => index));
  let largest = 0;
  streamed.forEach((window, index) => {
    const entry = timeline[index];
    expect(window.startSeconds).toBe(entry.startSeconds);
    expect(window.endSeconds).toBe(entry.endSeconds);
    expect(window.speechDetected).toBe(entry.speechDetected);
    expect(window.top?.label).toBe(entry.top?.label);
    for (const label of posted.labels) {
      largest = Math.max(
        largest,
        Math.abs((window.probabilities?.[label] ?? 0) - (entry.probabilities?.[label] ?? 0)),
      );
    }
  });
  return largest;
}

describe.skipIf(!hasModel)('GET /v1/stream through the served model', () => {
  const clip = decodeAudio(speechWav(), { targetRate: 16_000 }).samples;
  const speech = concat(clip, clip, clip);

  for (const [name, rate, encoding] of [
    ['16 kHz 16-bit PCM', 16_000, 'pcm16'],
    ['44.1 kHz 16-bit PCM', 44_100, 'pcm16'],
    ['48 kHz float32', 48_000, 'float32'],
  ] as const) {
    it(`gives the posted clip's windows and answers, streamed in random frames (${name})`, async () => {
      const samples = rate === 16_000 ? speech : resample(speech, 16_000, rate);
      const wav = encodeWav([samples], rate, { encoding });
      const streamed = await streamAll(
        wavData(wav),
        { sampleRate: rate, format: encoding, hopSeconds: 1 },
        rate,
      );
      const posted = await postWithHop(wav, 1);
      expect(streamed.close.code).toBe(1000);
      expect(streamed.windows.length).toBeGreaterThanOrEqual(7);
      const largest = expectSameWindows(streamed.windows, posted);
      console.log(
        `${name}: ${streamed.windows.length} windows, largest |Δp| stream vs POST ${largest.toExponential(2)}; ` +
          `summary top ${streamed.summary.top?.label}, POST top ${posted.top?.label}`,
      );
      expect(largest).toBeLessThan(1e-5);
      expect(streamed.summary.final).toBe(true);
      expect(streamed.summary.top?.label).toBe(posted.top?.label);
      expect(streamed.summary.windows).toBe(streamed.windows.length);
      expect(streamed.summary.dimensions).not.toBeNull();
      expect(posted.analysis?.aggregation).toBe(streamed.summary.aggregation);
    });
  }

  it('answers a summary on request and keeps windows coming', async () => {
    const stream = await openStream();
    stream.socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
    const ready = await stream.next('ready');
    expect(ready).toMatchObject({ hopSeconds: 1, format: 'pcm16', sampleRate: 16_000 });
    expect(ready.windowSeconds).toBeCloseTo(2.992, 3);
    const bytes = wavData(encodeWav([speech], 16_000));
    stream.socket.send(bytes.slice(0, 16_000 * 2 * 5));
    const summary = stream.next('summary');
    stream.socket.send(JSON.stringify({ type: 'summary' }));
    const running = await summary;
    expect(running.final).toBe(false);
    expect(running.receivedSeconds).toBe(5);
    // 5 s in: windows at 0 and 1 and 2 s are complete (each 2.992 s).
    expect(running.windows).toBe(3);
    stream.socket.close(1000, 'done');
  });

  it('answers over the labels asked for, window by window as POST ?hop=&labels= does', async () => {
    const chosen = ['angry', 'happy', 'neutral', 'sad'];
    const stream = await openStream(`?labels=${chosen.join(',')}`);
    stream.socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
    const ready = await stream.next('ready');
    const served = ready.labels;
    const wav = encodeWav([speech], 16_000);
    stream.socket.send(wavData(wav));
    stream.socket.send(JSON.stringify({ type: 'end' }));
    await stream.closed;
    const windows = stream.messages.filter((message): message is WindowMessage => message.type === 'window');
    const posted = await postWithHop(wav, 1, `&labels=${chosen.join(',')}`);
    expect(posted.labels).toEqual(served);
    expect(expectSameWindows(windows, posted)).toBeLessThan(1e-5);
    const all = await postWithHop(wav, 1);
    // The model's order, not the order asked in.
    expect(served).toEqual(all.labels.filter((label) => chosen.includes(label)));
    windows.forEach((window, index) => {
      if (window.probabilities === null) return;
      expect(Object.keys(window.probabilities)).toEqual(served);
      const full = all.timeline?.[index].probabilities ?? {};
      const total = served.reduce((sum, label) => sum + full[label], 0);
      for (const label of served) expect(window.probabilities[label]).toBeCloseTo(full[label] / total, 5);
    });
    const summary = stream.messages.find((message) => message.type === 'summary') as SummaryMessage;
    expect(Object.keys(summary.probabilities ?? {})).toEqual(served);
    expect(summary.top?.label).toBe(posted.top?.label);
    const unknown = await worker.request(
      '/v1/stream?labels=joy,sad',
      { headers: { Upgrade: 'websocket' } },
      env,
    );
    expect(unknown.status).toBe(400);
  });

  it('refuses a plain GET with 426 and an unknown model with 404, before upgrading', async () => {
    const plain = await worker.request('/v1/stream', {}, env);
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('upgrade_required');
    const unknown = await worker.request('/v1/stream?model=nope', { headers: { Upgrade: 'websocket' } }, env);
    expect(unknown.status).toBe(404);
  });

  const badCases: [string, (socket: ClientSocket) => void, string, number, Record<string, string>?][] = [
    ['audio before start', (socket) => socket.send(new Uint8Array(64)), 'audio_before_start', 1003],
    ['text that is not JSON', (socket) => socket.send('hello'), 'malformed_message', 1007],
    [
      'a start with an unknown format',
      (socket) => socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'mp3' })),
      'malformed_message',
      1007,
    ],
    [
      'a start with an absurd rate',
      (socket) => socket.send(JSON.stringify({ type: 'start', sampleRate: 5, format: 'pcm16' })),
      'malformed_message',
      1007,
    ],
    [
      'a second start',
      (socket) => {
        const start = JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' });
        socket.send(start);
        socket.send(start);
      },
      'already_started',
      1008,
    ],
    [
      'float samples that are not audio',
      (socket) => {
        socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'float32' }));
        socket.send(new Uint8Array(new Float32Array([0.1, Number.NaN, 0.2]).buffer));
      },
      'invalid_audio',
      1007,
    ],
    [
      'a message over the size limit',
      (socket) => {
        socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
        socket.send(new Uint8Array(4097));
      },
      'message_too_large',
      1009,
      { MAX_STREAM_MESSAGE_BYTES: '4096' },
    ],
    [
      'more audio than a stream may carry',
      (socket) => {
        socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
        for (let i = 0; i < 3; i++) socket.send(new Uint8Array(16_000 * 2));
      },
      'stream_too_long',
      1008,
      { MAX_STREAM_SECONDS: '2' },
    ],
    [
      'more bytes than a stream may carry',
      (socket) => {
        socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
        for (let i = 0; i < 3; i++) socket.send(new Uint8Array(1000));
      },
      'stream_too_large',
      1008,
      { MAX_STREAM_BYTES: '2500' },
    ],
    [
      'half a sample left at the end',
      (socket) => {
        socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
        socket.send(new Uint8Array(3));
        socket.send(JSON.stringify({ type: 'end' }));
      },
      'invalid_audio',
      1007,
    ],
  ];
  for (const [name, act, code, closeCode, vars] of badCases) {
    it(`closes with ${closeCode} on ${name}`, async () => {
      const stream = await openStream('', vars);
      act(stream.socket);
      const close = await stream.closed;
      const error = stream.messages.find((message) => message.type === 'error');
      expect(error).toMatchObject({ type: 'error', error: { code } });
      expect(close.code).toBe(closeCode);
    });
  }

  it('does not let summary requests keep a stream without audio open', async () => {
    const stream = await openStream('', { STREAM_IDLE_SECONDS: '0.3' });
    stream.socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
    const asking = setInterval(() => stream.socket.send(JSON.stringify({ type: 'summary' })), 50);
    const close = await stream.closed;
    clearInterval(asking);
    expect(close.code).toBe(1008);
    expect(stream.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'idle_timeout' } });
  });

  it('closes an idle stream with 1008 after STREAM_IDLE_SECONDS', async () => {
    const stream = await openStream('', { STREAM_IDLE_SECONDS: '0.3' });
    stream.socket.send(JSON.stringify({ type: 'start', sampleRate: 16_000, format: 'pcm16' }));
    const started = Date.now();
    const close = await stream.closed;
    expect(close.code).toBe(1008);
    expect(stream.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'idle_timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
