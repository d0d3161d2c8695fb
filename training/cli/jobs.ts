/**
 * `--jobs N` for the CLIs that split their work between processes (tfjs-wasm uses one core each): the parent
 * starts N copies of its own script with `--part i/N`, each doing every N-th unit of work into a shared cache,
 * and prefixes their output with the job's number.
 */
import { spawn } from 'node:child_process';
import { fail } from './parse-args.ts';

export interface Part {
  index: number;
  count: number;
}

/** The internal `--part index/count` a child was started with; undefined in the parent. Exit 2 when malformed. */
export function parsePart(text: string | undefined): Part | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null || Number(match[1]) >= Number(match[2])) {
    fail(`expected --part index/count with index < count, got '${text}'`);
  }
  return { index: Number(match[1]), count: Number(match[2]) };
}

/** Runs `script` (this CLI) as `jobs` children on its own arguments without `--jobs`; returns their exit codes. */
export function runJobs(script: string, jobs: number): Promise<number[]> {
  const forwarded = process.argv
    .slice(2)
    .filter(
      (arg, index, all) => arg !== '--jobs' && all[index - 1] !== '--jobs' && !arg.startsWith('--jobs='),
    );
  return Promise.all(
    Array.from(
      { length: jobs },
      (_, index) =>
        new Promise<number>((done) => {
          const child = spawn(process.execPath, [script, ...forwarded, '--part', `${index}/${jobs}`], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const prefix = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
            let pending = '';
            stream.setEncoding('utf8');
            stream.on('data', (chunk: string) => {
              const lines = (pending + chunk).split('\n');
              pending = lines.pop() ?? '';
              for (const line of lines) out.write(`[job ${index + 1}/${jobs}] ${line}\n`);
            });
          };
          prefix(child.stdout, process.stdout);
          prefix(child.stderr, process.stderr);
          child.on('close', (code) => done(code ?? 1));
        }),
    ),
  );
}
