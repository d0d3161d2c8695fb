import { describe, expect, it } from 'vitest';
import { openStream } from '../../../core/client/stream-client.ts';

/** A WebSocket that only records where it was opened, and never opens. */
function recordingSocket(opened: string[]): typeof WebSocket {
  return class {
    static readonly OPEN = 1;
    readyState = 0;
    binaryType = 'blob';
    bufferedAmount = 0;
    constructor(url: URL) {
      opened.push(url.toString());
    }
    addEventListener() {}
    send() {}
    close() {}
  } as unknown as typeof WebSocket;
}

describe('openStream', () => {
  it('asks for the model, the labels and attention in the query, over wss for https', () => {
    const opened: string[] = [];
    const WebSocket = recordingSocket(opened);
    openStream({ baseUrl: 'https://ser.example', sampleRate: 16_000, WebSocket });
    openStream({
      baseUrl: 'http://127.0.0.1:8787',
      sampleRate: 16_000,
      model: 'tiny-cnn',
      labels: ['sad', 'angry'],
      attention: true,
      WebSocket,
    });
    expect(opened).toEqual([
      'wss://ser.example/v1/stream',
      'ws://127.0.0.1:8787/v1/stream?model=tiny-cnn&labels=sad%2Cangry&attention=1',
    ]);
  });

  it('counts what waits for the socket, so a fast sender can pace itself', () => {
    const float = openStream({ baseUrl: 'http://h', sampleRate: 16_000, WebSocket: recordingSocket([]) });
    expect(float.bufferedBytes).toBe(0);
    float.send(new Float32Array(16_000));
    expect(float.bufferedBytes).toBe(64_000);
    const pcm = openStream({
      baseUrl: 'http://h',
      sampleRate: 16_000,
      format: 'pcm16',
      WebSocket: recordingSocket([]),
    });
    pcm.send(new Float32Array(16_000));
    expect(pcm.bufferedBytes).toBe(32_000);
  });
});
