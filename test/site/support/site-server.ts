import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Answers a request the static files do not (e.g. `POST /v1/classify`); returns false to fall through. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => boolean;

export interface SiteServer {
  /** `http://127.0.0.1:PORT`: localhost counts as a secure context, which getUserMedia requires. */
  url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serveFile(root: string, pathname: string, response: ServerResponse): Promise<void> {
  // normalize() collapses `..`, and the leading `/` keeps the path inside root.
  let path = join(root, normalize(decodeURIComponent(pathname)));
  if ((await stat(path).catch(() => undefined))?.isDirectory()) path = join(path, 'index.html');
  const file = await readFile(path).catch(() => undefined);
  if (file === undefined) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${pathname}`);
    return;
  }
  response
    .writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' })
    .end(file);
}

/** Serves a built site from `root`, with `route` in front for anything dynamic. */
export async function startSiteServer(root: string, route?: RouteHandler): Promise<SiteServer> {
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (route?.(request, response, body)) return;
    await serveFile(root, new URL(request.url ?? '/', 'http://localhost').pathname, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
