import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseGridValues,
  renderSweepTable,
  SweepRecordSchema,
} from '../../../core/contracts/sweep-record.ts';
import { makeTempDir, tinyEmodb } from '../corpora/tiny-corpus.ts';
import { ROOT, runCli } from './run-cli.ts';

describe('parseGridValues', () => {
  it('reads and checks each parameter', () => {
    expect(parseGridValues('batchSize', '16, 32')).toEqual([16, 32]);
    expect(parseGridValues('learningRate', '0.001,1e-4')).toEqual([0.001, 0.0001]);
    expect(parseGridValues('optimizer', 'adam,sgd')).toEqual(['adam', 'sgd']);
    expect(parseGridValues('dropout', '0,0.5')).toEqual([0, 0.5]);
    expect(() => parseGridValues('batchSize', '16,2.5')).toThrow(
      "expected each batchSize to be a whole number ≥ 1, got '2.5'",
    );
    expect(() => parseGridValues('dropout', '1')).toThrow(
      "expected each dropout to be a number in [0, 1), got '1'",
    );
    expect(() => parseGridValues('optimizer', 'adamw')).toThrow(
      "expected optimizer adam, rmsprop or sgd, got 'adamw'",
    );
    expect(() => parseGridValues('learningRate', '0.1,')).toThrow('expected --grid learningRate=v1,v2,…');
  });
});

/** A sweep config over the tiny EMO-DB copy, written to a fresh folder. */
async function sweepConfig(prefix: string, fields: Record<string, unknown>) {
  const data = await tinyEmodb(['03', '08', '09', '10']);
  const work = await makeTempDir(`ser-${prefix}`);
  const id = `${prefix}${process.pid}`;
  const configPath = join(work, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({ id, corpora: [{ corpus: 'emodb', path: data }], clipSeconds: 0.5, ...fields }),
  );
  return { work, id, configPath };
}

describe('npm run sweep', () => {
  it('refuses a grid it does not know, with exit 2', async () => {
    const none = await runCli('sweep', ['x.json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('expected at least one --grid name=v1,v2,…, got none');
    const unknown = await runCli('sweep', ['x.json', '--grid', 'momentum=0.9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "expected --grid <batchSize|learningRate|optimizer|dropout>=v1,v2,…, got 'momentum=0.9'",
    );
    const twice = await runCli('sweep', ['x.json', '--grid', 'dropout=0.1', '--grid', 'dropout=0.2']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('expected each parameter once in --grid, got dropout twice');
  });

  it('trains every combination on fold 1, in two processes, and records them best first', async () => {
    const { work, id, configPath } = await sweepConfig('sweep-test-', {
      protocol: 'loso',
      validationSpeakers: 1,
      model: { architecture: 'baseline', hiddenUnits: [8], dropout: 0.1 },
      training: { epochs: 2, batchSize: 16 },
    });
    try {
      const outcome = await runCli('sweep', [
        configPath,
        '--grid',
        'batchSize=8,16',
        '--grid',
        'dropout=0,0.3',
        '--jobs',
        '2',
        '--models-dir',
        join(work, 'models'),
      ]);
      expect(outcome.code, outcome.stderr).toBe(0);
      const record = SweepRecordSchema.parse(
        JSON.parse(await readFile(join(work, 'models', `${id}-sweep`, 'sweep.json'), 'utf8')),
      );
      expect(record.trials.map((trial) => [trial.batchSize, trial.dropout]).sort()).toEqual([
        [16, 0],
        [16, 0.3],
        [8, 0],
        [8, 0.3],
      ]);
      const uas = record.trials.map((trial) => trial.valUa ?? -1);
      expect(uas).toEqual([...uas].sort((a, b) => b - a));
      expect(record.split.validationSpeakers).toHaveLength(1);
      expect(record.config).toMatchObject({ id, seed: expect.any(Number) });
      expect(outcome.stdout).toContain(renderSweepTable(record));
    } finally {
      await rm(join(ROOT, '.cache/runs', `${id}-sweep`), { recursive: true, force: true });
    }
  }, 180_000);

  it('sweeps a random split on its own validation clips, as seed paper 002 did', async () => {
    const { work, id, configPath } = await sweepConfig('sweep-random-test-', {
      protocol: 'random-stratified',
      validationSpeakers: 0,
      model: { architecture: 'baseline', hiddenUnits: [8] },
      training: { epochs: 1, batchSize: 16 },
    });
    try {
      const outcome = await runCli('sweep', [
        configPath,
        '--grid',
        'batchSize=8,16',
        '--models-dir',
        join(work, 'models'),
      ]);
      expect(outcome.code, outcome.stderr).toBe(0);
      const record = SweepRecordSchema.parse(
        JSON.parse(await readFile(join(work, 'models', `${id}-sweep`, 'sweep.json'), 'utf8')),
      );
      expect(record.split.protocol).toContain('random-stratified');
      expect(record.split.validationClips).toBeGreaterThan(0);
      expect(record.trials).toHaveLength(2);
    } finally {
      await rm(join(ROOT, '.cache/runs', `${id}-sweep`), { recursive: true, force: true });
    }
  }, 180_000);
});
