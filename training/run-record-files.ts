/**
 * Run records and model cards on disk (`models/<id>/run.json`, `MODEL_CARD.md`) and the environment a run
 * records; the contract itself is core/contracts/run-record.ts, which readers such as the site load without Node APIs.
 */

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  type Environment,
  formatRecordJson,
  parseRunRecord,
  type RunRecord,
  type RunRecordAnnotations,
} from '../core/contracts/run-record.ts';
import { shippedWeightsOf } from './attention-examples.ts';
import type { TrainingBackend } from './backend.ts';
import { renderModelCard } from './model-card.ts';

/** Validates the record and writes it as `run.json` in `dir`; returns the file's path. */
export async function writeRunRecord(dir: string, record: RunRecord): Promise<string> {
  const valid = parseRunRecord(record, 'the run record to write');
  const path = join(dir, 'run.json');
  await mkdir(dir, { recursive: true });
  await writeFile(path, `${formatRecordJson(valid)}\n`);
  return path;
}

/**
 * Sets the annotation fields of `dir`/run.json and leaves every other field exactly as the file has it: the
 * result is validated, but not written back parsed, since parsing would fill in defaults that code written
 * after the run added to its configuration. Returns the record written.
 */
export async function amendRunRecord(dir: string, annotations: RunRecordAnnotations): Promise<RunRecord> {
  const path = join(dir, 'run.json');
  const stored = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const amended = { ...stored, ...annotations };
  parseRunRecord(amended, `${path} with its annotations`);
  await writeFile(path, `${formatRecordJson(amended)}\n`);
  return amended as RunRecord;
}

export async function readRunRecord(path: string): Promise<RunRecord> {
  return parseRunRecord(JSON.parse(await readFile(path, 'utf8')), path);
}

/** Node, OS, CPU, memory, backend and git revision of this process, for the record's `environment`. */
export function collectEnvironment(backend: TrainingBackend, cwd = process.cwd()): Environment {
  const processors = cpus();
  return {
    node: process.versions.node,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: { model: processors[0]?.model.trim() ?? 'unknown', cores: Math.max(1, processors.length) },
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backend,
    git: gitState(cwd),
  };
}

/**
 * The checkout's revision, and whether anything outside `models/` differs from it: the model folders a run
 * writes are its output, not changes to the code that trained it.
 */
export function gitState(cwd: string): Environment['git'] {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  try {
    const root = git('rev-parse', '--show-toplevel');
    const changes = git('-C', root, 'status', '--porcelain', '--', '.', ':(exclude)models');
    return { revision: git('rev-parse', 'HEAD'), dirty: changes.length > 0 };
  } catch {
    return null;
  }
}

/** Writes `MODEL_CARD.md` next to `run.json`; returns its path. */
export async function writeModelCard(dir: string, record: RunRecord): Promise<string> {
  const path = join(dir, 'MODEL_CARD.md');
  await mkdir(dir, { recursive: true });
  await writeFile(path, renderModelCard(record));
  return path;
}

/**
 * Throws unless the record in `dir` ships its fold 1 model (run.ts's default): leaving a corpus out, only that
 * model never saw the held-out corpus.
 */
export async function requireFoldOneModel(dir: string, expected: string): Promise<void> {
  const record = await readRunRecord(join(dir, 'run.json')).catch((error: Error) => {
    throw new Error(`${expected}'s record in ${dir}, got ${error.message}`);
  });
  const shipped = shippedWeightsOf(record);
  if (shipped !== 'fold-1') {
    throw new Error(
      `${expected}'s record in ${dir} to ship its fold 1 model (trained without the held-out corpus), got ${shipped ?? 'no note saying which'}`,
    );
  }
}
