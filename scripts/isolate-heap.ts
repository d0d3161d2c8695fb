/**
 * The Worker isolate's JavaScript heap, read through wrangler dev's inspector with the DevTools protocol's
 * `Runtime.getHeapUsage`: what `GET /healthz?memory=1` cannot report from inside the isolate. The serving bench
 * samples it during its load run to tell a leak in the isolate from the runtime's own native memory.
 */

/** The isolate's heap: bytes in use by live and not yet collected objects, and the heap's size. */
export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
}

export interface HeapProbe {
  read(): Promise<HeapUsage>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

/** Connects to the inspector on `port` (127.0.0.1). wrangler's inspector proxy refuses a client without an Origin. */
export async function openHeapProbe(port: number): Promise<HeapProbe> {
  // Node's WebSocket (undici) takes headers in its second argument; the DOM type does not know them.
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    headers: { Origin: 'http://localhost' },
  } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`expected the inspector on port ${port} to open, got no answer`)),
      TIMEOUT_MS,
    );
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`expected the inspector on port ${port} to accept a connection, got an error`));
    });
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
    if (message.id !== undefined) pending.delete(message.id);
  });
  return {
    read() {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('expected Runtime.getHeapUsage to answer, got nothing'));
        }, TIMEOUT_MS);
        pending.set(id, (result) => {
          clearTimeout(timer);
          const usage = result as { usedSize?: number; totalSize?: number } | undefined;
          if (typeof usage?.usedSize !== 'number' || typeof usage.totalSize !== 'number') {
            reject(
              new Error(
                `expected usedSize and totalSize from Runtime.getHeapUsage, got ${JSON.stringify(result)}`,
              ),
            );
            return;
          }
          resolve({ usedBytes: usage.usedSize, totalBytes: usage.totalSize });
        });
        socket.send(JSON.stringify({ id, method: 'Runtime.getHeapUsage' }));
      });
    },
    close: () => socket.close(),
  };
}
