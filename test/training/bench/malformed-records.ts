import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli.ts';
import { makeTempDir } from '../corpora/tiny-corpus.ts';

/**
 * Runs a bench script with --record in a fresh folder whose models/benchmarks.json cannot take a result, as the
 * bench CLIs' refusal tests need it.
 */
export async function recordIntoMalformedRecords(script: string) {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'models'));
  await writeFile(join(dir, 'models/benchmarks.json'), '{"colour": 3, "noise": []}');
  return spawnSync(process.execPath, [join(ROOT, script), '--record'], { cwd: dir, encoding: 'utf8' });
}
