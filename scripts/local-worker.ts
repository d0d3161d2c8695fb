/**
 * Node only: builds and runs the classify Worker the way it deploys (wrangler.toml, its bundle, real workerd,
 * no vitest pool in between), on a chosen models folder. Used by the serving bench and by the test that checks the
 * deployable bundle. Everything is written under `workDir`, so the committed
 * functions/model/bundled-models.ts is left alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { NetworkPath } from '../functions/worker.ts';
import { renderBundledModels } from './bundle-models.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Keeps wrangler from reaching out: no metrics, no request.cf lookup. */
const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  DO_NOT_TRACK: '1',
};

export type { NetworkPath } from '../functions/worker.ts';

export interface WorkerEntryOptions {
  /** How the networks run (functions/worker.ts); 'compiled', the default, is how the Worker deploys. */
  network?: NetworkPath;
}

/**
 * Writes `<workDir>/entry.ts`: the deployed Worker (functions/worker.ts's createWorker) on the models in
 * `modelsDir`, running the networks as `options.network` says.
 */
export function writeWorkerEntry(
  workDir: string,
  modelsDir: string,
  options: WorkerEntryOptions = {},
): string {
  mkdirSync(workDir, { recursive: true });
  const bundled = join(workDir, 'bundled-models.ts');
  writeFileSync(bundled, renderBundledModels({ modelsDir, outFile: bundled }));
  const from = (path: string) => relative(workDir, join(ROOT, path)).split('\\').join('/');
  const entry = join(workDir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `import { createWorker } from '${from('functions/worker.ts')}';`,
      "import { bundledModels } from './bundled-models.ts';",
      '',
      `export default createWorker(bundledModels, '${options.network ?? 'compiled'}');`,
      '',
    ].join('\n'),
  );
  return entry;
}

/**
 * wrangler refuses to start when wrangler.toml's assets directory is missing (the site is not built yet);
 * the API does not need it, so point assets at an empty folder then.
 */
function assetsOverride(workDir: string, assetsDir?: string): string[] {
  if (assetsDir !== undefined) return ['--assets', assetsDir];
  if (existsSync(join(ROOT, 'site/dist'))) return [];
  const empty = join(workDir, 'no-site');
  mkdirSync(empty, { recursive: true });
  return ['--assets', empty];
}

function runWrangler(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('npx', ['wrangler', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...WRANGLER_ENV },
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done(output) : fail(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

export interface BundleFile {
  name: string;
  raw: number;
  /** gzip level 9, as an upload would compress it. */
  gzip: number;
}

export interface Bundle {
  outDir: string;
  /** The bundled main module, runnable as is with `wrangler dev --no-bundle`. */
  script: string;
  /** The deployed files (source maps and wrangler's README left out). */
  files: BundleFile[];
  raw: number;
  gzip: number;
}

/** `wrangler deploy --dry-run --outdir`: the deployable bundle, built offline. */
export async function buildBundle(entry: string, workDir: string): Promise<Bundle> {
  const outDir = join(workDir, 'dry-run');
  rmSync(outDir, { recursive: true, force: true });
  await runWrangler(['deploy', entry, '--dry-run', '--outdir', outDir, ...assetsOverride(workDir)]);
  const files = readdirSync(outDir)
    .filter((name) => !name.endsWith('.map') && name !== 'README.md')
    .map((name) => {
      const bytes = readFileSync(join(outDir, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const main = files.find((file) => file.name.endsWith('.js'));
  if (main === undefined)
    throw new Error(`expected a .js module in ${outDir}, got ${files.map((f) => f.name).join(', ')}`);
  return {
    outDir,
    script: join(outDir, main.name),
    files,
    raw: files.reduce((sum, file) => sum + file.raw, 0),
    gzip: files.reduce((sum, file) => sum + file.gzip, 0),
  };
}

/** A free loopback port (the OS picks one; there is a short window in which another process could take it). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

export interface RunningWorker {
  origin: string;
  /** The port of wrangler dev's inspector (DevTools protocol), for the isolate's heap (scripts/isolate-heap.ts). */
  inspectorPort: number;
  /** Milliseconds from spawning wrangler to the first answer from /healthz. */
  startupMs: number;
  /** Process group id of wrangler and the workerd it runs (the spawned process's pid). */
  pid: number;
  /** The last few KB of wrangler's output, for error messages. */
  log(): string;
  /** SIGTERM to the process group; resolves once it is gone (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** One live process of a process group, read from /proc. */
export interface GroupProcess {
  pid: number;
  /** The kernel's short command name (`comm`), e.g. 'workerd'. */
  command: string;
  /** The full argument list (/proc/<pid>/cmdline). */
  args: string[];
  /** Resident set size now (VmRSS). */
  rssBytes: number;
  /** Highest resident set size so far (VmHWM). */
  peakRssBytes: number;
}

const HAS_PROC = existsSync('/proc/self/stat');

/**
 * The live (non-zombie) processes of process group `pgid`, with their memory, from /proc. Linux only: returns
 * null where there is no /proc.
 */
export function processGroup(pgid: number): GroupProcess[] | null {
  if (!HAS_PROC) return null;
  const members: GroupProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const [state, , group] = stat.slice(close + 2).split(' ');
      if (Number(group) !== pgid || state === 'Z') continue;
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const kib = (field: string) =>
        Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
      members.push({
        pid: Number(name),
        command: stat.slice(stat.indexOf('(') + 1, close),
        args: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean),
        rssBytes: kib('VmRSS') * 1024,
        peakRssBytes: kib('VmHWM') * 1024,
      });
    } catch {
      // The process ended while being read.
    }
  }
  return members;
}

/**
 * The workerd process that runs the Worker. wrangler dev starts two: a proxy that owns the public port (and
 * the inspector), and behind it the one running the Worker on an OS-chosen port; an older wrangler runs one.
 */
export function workerdOf(worker: RunningWorker): GroupProcess | undefined {
  const workerds = processGroup(worker.pid)?.filter((member) => member.command === 'workerd') ?? [];
  const publicSocket = `--socket-addr=entry=${new URL(worker.origin).host}`;
  return workerds.length === 1 ? workerds[0] : workerds.find((member) => !member.args.includes(publicSocket));
}

/** "Ready" is logged ~2 s before the Worker answers, so readiness is a /healthz answer. */
async function waitForHealth(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode} before answering`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`expected ${origin}/healthz to answer within ${timeoutMs} ms, got no answer`);
}

/**
 * Starts `wrangler dev` on 127.0.0.1 only, on the already built bundle (`--no-bundle`: exactly what deploys,
 * and no rebuild or restart when someone edits a source file meanwhile), and resolves once the Worker answers.
 */
export async function startWorker(
  bundle: Bundle,
  options: {
    port: number;
    workDir: string;
    timeoutMs?: number;
    /** The site to serve beside the API (default: site/dist when built, else none). */
    assetsDir?: string;
  },
): Promise<RunningWorker> {
  const origin = `http://127.0.0.1:${options.port}`;
  // A port of its own: the default one (9229) would clash between two wrangler devs.
  const inspectorPort = await freePort();
  const args = [
    'wrangler',
    'dev',
    bundle.script,
    '--no-bundle',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--inspector-port',
    String(inspectorPort),
  ];
  const spawned = performance.now();
  // Its own process group, so stop() ends wrangler and the workerd it spawned by this one id.
  const child = spawn('npx', [...args, ...assetsOverride(options.workDir, options.assetsDir)], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (child.pid === undefined)
    throw new Error(`expected wrangler dev to start, got no process id\n${output}`);
  const group = child.pid;
  // With /proc, the whole group counts (workerd can outlive npx); without it, the spawned process only.
  const alive = () => {
    const members = processGroup(group);
    return members === null ? child.exitCode === null : members.length > 0;
  };
  const signal = (name: NodeJS.Signals) => {
    try {
      if (alive()) process.kill(-group, name);
    } catch {
      // Gone in between.
    }
  };
  const gone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (alive() && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 100));
    return !alive();
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      signal('SIGTERM');
      if (await gone(10_000)) return;
      signal('SIGKILL');
      await gone(5_000);
    })();
    return stopping;
  };
  try {
    await waitForHealth(origin, child, options.timeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    origin,
    inspectorPort,
    startupMs: performance.now() - spawned,
    pid: group,
    log: () => output,
    stop,
  };
}

/** The deployable Worker on `modelsDir`, built under `workDir` and started under wrangler dev on a free port. */
export async function startLocalWorker(options: {
  modelsDir: string;
  workDir: string;
  assetsDir?: string;
}): Promise<{ bundle: Bundle; worker: RunningWorker }> {
  const bundle = await buildBundle(writeWorkerEntry(options.workDir, options.modelsDir), options.workDir);
  const worker = await startWorker(bundle, {
    port: await freePort(),
    workDir: options.workDir,
    assetsDir: options.assetsDir,
  });
  return { bundle, worker };
}
