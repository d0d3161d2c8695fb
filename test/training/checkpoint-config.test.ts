import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointConfigError, claimCheckpoints, differingPaths } from '../../training/checkpoint-config.ts';
import { makeTempDir } from './corpora/tiny-corpus.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const config = (epochs: number) => ({
  id: 'recipe',
  corpora: [{ corpus: 'emodb', path: 'a' }],
  training: { epochs, batchSize: 32 },
});

describe('differingPaths', () => {
  it('names the leaves that differ, in arrays too, and nothing for equal values', () => {
    expect(differingPaths(config(3), config(3))).toEqual([]);
    expect(differingPaths(config(80), config(3))).toEqual(['training.epochs']);
    expect(differingPaths({ a: [1, 2] }, { a: [1, 3], b: true })).toEqual(['a[1]', 'b']);
  });
});

describe('claimCheckpoints', () => {
  it('writes the config into a new run folder and lets the same config resume', async () => {
    const runDir = join(await makeTempDir(), 'recipe');
    dirs.push(runDir);
    await claimCheckpoints(runDir, config(80));
    expect(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'))).toEqual(config(80));
    await mkdir(join(runDir, 'fold-1'));
    await expect(claimCheckpoints(runDir, config(80))).resolves.toBeUndefined();
  });

  it("refuses another config's checkpoints, naming what differs and how to start afresh", async () => {
    const runDir = join(await makeTempDir(), 'recipe');
    dirs.push(runDir);
    await claimCheckpoints(runDir, config(80));
    await mkdir(join(runDir, 'fold-1'));
    const refused = claimCheckpoints(runDir, config(3));
    await expect(refused).rejects.toBeInstanceOf(CheckpointConfigError);
    await expect(refused).rejects.toThrow(
      `expected the checkpoints in ${runDir} to come from this config, got another one (1 difference: training.epochs: 80 → 3). ` +
        `Give the config a new id, or delete ${runDir} to start afresh.`,
    );
  });

  it('passes a folder without checkpoints to the new config', async () => {
    const runDir = join(await makeTempDir(), 'recipe');
    dirs.push(runDir);
    await claimCheckpoints(runDir, config(80));
    await claimCheckpoints(runDir, config(3));
    expect(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'))).toEqual(config(3));
  });
});
