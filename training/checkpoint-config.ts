/**
 * A run's checkpoints (`.cache/runs/<id>/`) belong to the exact resolved config that made them: its first
 * process writes that config there as `config.json`, and a later run under the same id resumes only when its
 * resolved config is the same. Otherwise finished folds would be read back from another recipe (a changed
 * epoch count once produced a record whose config said 3 epochs while every fold said best epoch 80). A folder
 * with no checkpoint yet (a run that stopped before training, e.g. on a wrong corpus path) passes to the new
 * config.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class CheckpointConfigError extends Error {
  override name = 'CheckpointConfigError';
}

/** Leaf paths (`training.epochs`, `corpora[2].path`) where `a` and `b` differ. */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    if (Array.isArray(a) !== Array.isArray(b)) return [path || '(root)'];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) =>
      differingPaths(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(root)'];
}

/**
 * Records `config` as the owner of `runDir`, or checks that it already is; throws CheckpointConfigError naming
 * the differences when the folder holds checkpoints of another config. Safe for parallel processes of one run:
 * the first to write wins and the others compare against it.
 */
export async function claimCheckpoints(runDir: string, config: unknown): Promise<void> {
  const path = join(runDir, 'config.json');
  const resolved = JSON.parse(JSON.stringify(config)) as unknown;
  await mkdir(runDir, { recursive: true });
  try {
    await writeFile(path, `${JSON.stringify(resolved, null, 2)}\n`, { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = JSON.parse(await readFile(path, 'utf8')) as unknown;
  const differences = differingPaths(stored, resolved);
  if (differences.length === 0) return;
  if ((await readdir(runDir)).every((name) => name === 'config.json')) {
    await writeFile(path, `${JSON.stringify(resolved, null, 2)}\n`);
    return;
  }
  const shown = differences.slice(0, 8).map((key) => {
    const at = (value: unknown) =>
      key === '(root)'
        ? value
        : key
            .split(/\.|\[|\]/)
            .filter((part) => part !== '')
            .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], value);
    return `${key}: ${JSON.stringify(at(stored)) ?? 'absent'} → ${JSON.stringify(at(resolved)) ?? 'absent'}`;
  });
  throw new CheckpointConfigError(
    `expected the checkpoints in ${runDir} to come from this config, got another one ` +
      `(${differences.length} difference${differences.length === 1 ? '' : 's'}: ${shown.join('; ')}` +
      `${differences.length > shown.length ? '; …' : ''}). Give the config a new id, or delete ${runDir} to start afresh.`,
  );
}
