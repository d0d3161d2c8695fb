/**
 * A typed client for `GET /v1/stream` (core/contracts/stream-protocol.ts), for browsers and Node 22 (both have
 * a global WebSocket): open, send samples as they come, get each window as the server sends it, end.
 */
import type {
  ErrorMessage,
  ReadyMessage,
  ServerMessage,
  SummaryMessage,
  WindowMessage,
} from '../contracts/stream-protocol.ts';

/** Samples per binary message at most: 128 KiB of float32. */
const MAX_FRAME_SAMPLES = 1 << 15;

export interface StreamClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8787` (http becomes ws, https wss). */
  baseUrl: string;
  /** The rate of the samples you will send. */
  sampleRate: number;
  /** How samples travel: float32 (default) or 16-bit PCM, half the bytes. */
  format?: 'pcm16' | 'float32';
  hopSeconds?: number;
  model?: string;
  /** Answer over these of the model's labels only (at least two), renormalised; default: all of them. */
  labels?: readonly string[];
  attention?: boolean;
  onWindow?: (window: WindowMessage) => void;
  /** Another WebSocket implementation (default: the global one). */
  WebSocket?: typeof WebSocket;
}

/** The server's error message, with the close code it came with. */
export class StreamClientError extends Error {
  readonly code: string;
  readonly closeCode: number | null;

  constructor(code: string, message: string, closeCode: number | null) {
    super(message);
    this.name = 'StreamClientError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

export interface StreamClient {
  /** Resolves once the server has accepted the start message; rejects if the socket fails first. */
  readonly ready: Promise<ReadyMessage>;
  /** Every window received so far, in order. */
  readonly windows: readonly WindowMessage[];
  /** Sends mono samples in [−1, 1] at `sampleRate` (queued by the socket until it is open). */
  send(samples: Float32Array): void;
  /**
   * Bytes sent but not yet handed to the network: waiting for the socket to open, or in its buffer. A caller
   * sending faster than real time (a file) can wait while this is high instead of holding the whole file in memory.
   */
  readonly bufferedBytes: number;
  /** The running summary. */
  summary(): Promise<SummaryMessage>;
  /** Ends the stream: resolves with the final summary once the server has sent the last window. */
  end(): Promise<SummaryMessage>;
  /** Resolves with the close code and reason when the socket closes, whoever closed it. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Gives up on the stream: closes the socket without waiting for the last window. */
  abandon(reason: string): void;
}

export function openStream(options: StreamClientOptions): StreamClient {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const url = new URL('/v1/stream', options.baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (options.model !== undefined) url.searchParams.set('model', options.model);
  if (options.labels !== undefined) url.searchParams.set('labels', options.labels.join(','));
  if (options.attention) url.searchParams.set('attention', '1');
  const format = options.format ?? 'float32';
  const socket = new Socket(url);
  socket.binaryType = 'arraybuffer';

  const windows: WindowMessage[] = [];
  const summaries: ((summary: SummaryMessage) => void)[] = [];
  let failure: StreamClientError | null = null;
  const failures: ((error: StreamClientError) => void)[] = [];
  const onFailure = (error: StreamClientError) => {
    failure ??= error;
    for (const reject of failures.splice(0)) reject(failure);
  };
  const pending = <T>(register: (resolve: (value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const settle = (value: T) => {
        const index = failures.indexOf(reject);
        if (index >= 0) failures.splice(index, 1);
        resolve(value);
      };
      register(settle);
      failures.push(reject);
    });

  let resolveReady: (ready: ReadyMessage) => void = () => {};
  const ready = pending<ReadyMessage>((resolve) => {
    resolveReady = resolve;
  });
  // Callers who await only end() learn of a failure there; an unawaited `ready` must not crash the process.
  ready.catch(() => {});
  // What is sent before the socket opens waits here, in order, behind the start message.
  const queued: (string | ArrayBuffer)[] = [];
  const transmit = (data: string | ArrayBuffer) => {
    if (failure) return; // The stream is over: its promises have rejected with why.
    if (socket.readyState === Socket.OPEN) socket.send(data);
    else queued.push(data);
  };
  socket.addEventListener('open', () => {
    const start = { type: 'start', sampleRate: options.sampleRate, format, hopSeconds: options.hopSeconds };
    socket.send(JSON.stringify(start));
    for (const buffer of queued.splice(0)) socket.send(buffer);
  });
  let lastError: ErrorMessage | null = null;
  socket.addEventListener('message', (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as ServerMessage;
    if (message.type === 'ready') resolveReady(message);
    else if (message.type === 'window') {
      windows.push(message);
      options.onWindow?.(message);
    } else if (message.type === 'summary') summaries.shift()?.(message);
    else lastError = message;
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener('close', (event: CloseEvent) => {
      const error = lastError?.error;
      onFailure(
        error
          ? new StreamClientError(error.code, error.message, event.code)
          : new StreamClientError('closed', `the stream closed (${event.code} ${event.reason})`, event.code),
      );
      resolve({ code: event.code, reason: event.reason });
    });
  });
  socket.addEventListener('error', () => {
    // A close event follows with the code; until then, nothing more to say.
  });

  const byteLength = (data: string | ArrayBuffer) =>
    typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
  return {
    ready,
    windows,
    get bufferedBytes() {
      return socket.bufferedAmount + queued.reduce((sum, data) => sum + byteLength(data), 0);
    },
    send(samples) {
      // Long arrays (a whole file) go in pieces, well under the server's message limit.
      for (let at = 0; at < samples.length; at += MAX_FRAME_SAMPLES) {
        const piece = samples.subarray(at, at + MAX_FRAME_SAMPLES);
        if (format === 'float32') {
          transmit(piece.slice().buffer);
          continue;
        }
        const pcm = new Int16Array(piece.length);
        for (let i = 0; i < piece.length; i++) {
          pcm[i] = Math.max(-32768, Math.min(32767, Math.round(piece[i] * 32768)));
        }
        transmit(pcm.buffer);
      }
    },
    summary() {
      const summary = pending<SummaryMessage>((resolve) => summaries.push(resolve));
      transmit(JSON.stringify({ type: 'summary' }));
      return summary;
    },
    end() {
      const summary = pending<SummaryMessage>((resolve) => summaries.push(resolve));
      transmit(JSON.stringify({ type: 'end' }));
      return summary;
    },
    closed,
    abandon(reason) {
      socket.close(1000, reason.slice(0, 120));
    },
  };
}
