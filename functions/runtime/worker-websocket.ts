/**
 * The Workers runtime's WebSocket pair, typed here: the project compiles against the DOM's types, which have
 * neither `WebSocketPair`, the server socket's `accept()`, nor the 101 response's `webSocket`.
 */

/** The server end: accepted by the Worker, then driven through its events. */
export interface ServerSocket {
  accept(): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: string | ArrayBuffer | Blob }) => void): void;
  addEventListener(type: 'close' | 'error', listener: () => void): void;
}

type PairConstructor = new () => { 0: unknown; 1: ServerSocket };

/** A new pair: the client end goes back in the 101 response, the server end stays with the Worker. */
export function openSocketPair(): { client: unknown; server: ServerSocket } {
  const Pair = (globalThis as { WebSocketPair?: PairConstructor }).WebSocketPair;
  if (Pair === undefined) throw new Error('expected the Workers runtime (WebSocketPair), got another one');
  const pair = new Pair();
  return { client: pair[0], server: pair[1] };
}

/** The 101 Switching Protocols response that hands `client` to the caller. */
export function upgradeResponse(client: unknown): Response {
  return new Response(null, { status: 101, webSocket: client } as ResponseInit);
}
