import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColourBench, NoiseBench } from '../../core/contracts/bench-record.ts';
import {
  readBenchRecords,
  recordColourBench,
  recordNoiseBench,
  renderColourTable,
  renderNoiseTable,
} from '../../training/bench/bench-records.ts';
import { makeTempDir } from './corpora/tiny-corpus.ts';

const colour = (model: string, kept: number): ColourBench => ({
  model,
  db: 6,
  clips: 25,
  colours: [
    { colour: 'darker', kept, meanMaxChange: 0.1311, worstMaxChange: 0.2964 },
    { colour: 'brighter', kept: kept - 1, meanMaxChange: 0.14, worstMaxChange: 0.451 },
  ],
  git: { revision: 'abc', dirty: false },
  createdAt: '2026-12-07T00:00:00Z',
});
const noise = (recipe: string, kind: 'white' | 'brown', clean: number): NoiseBench => ({
  recipe,
  noise: kind,
  seed: 1,
  conditions: [
    { snrDb: null, corpora: { emodb: clean, ravdess: clean }, meanUa: clean },
    { snrDb: 20, corpora: { emodb: 0.2, ravdess: 0.25 }, meanUa: 0.225 },
  ],
  git: null,
  createdAt: '2026-12-07T00:00:00Z',
});

describe('bench records', () => {
  it('keep one entry per model and shelf gain, and per recipe, noise and seed, a later run replacing an earlier', async () => {
    const path = join(await makeTempDir(), 'benchmarks.json');
    expect(await readBenchRecords(path)).toEqual({ colour: [], noise: [] });
    await recordColourBench(colour('b', 19), path);
    await recordColourBench(colour('a', 18), path);
    await recordColourBench(colour('b', 20), path);
    await recordNoiseBench(noise('r', 'white', 0.3), path);
    await recordNoiseBench(noise('r', 'brown', 0.3), path);
    await recordNoiseBench(noise('r', 'white', 0.4), path);
    const records = await readBenchRecords(path);
    expect(records.colour.map((entry) => [entry.model, entry.colours[0].kept])).toEqual([
      ['a', 18],
      ['b', 20],
    ]);
    expect(records.noise.map((entry) => [entry.noise, entry.conditions[0].meanUa])).toEqual([
      ['brown', 0.3],
      ['white', 0.4],
    ]);
  });

  it('render the served model first, with every number the README quotes', () => {
    const rows = renderColourTable([colour('a', 18), colour('served', 19)], 'served').split('\n');
    expect(rows[0]).toBe('| model | shelves | darker | brighter |');
    expect(rows[2]).toBe('| `served` (served) | ±6 dB | 19 of 25 (0.131, 0.296) | 18 of 25 (0.140, 0.451) |');
    const noiseRows = renderNoiseTable(
      [noise('other', 'white', 0.3), noise('served', 'white', 0.275)],
      'served',
    );
    expect(noiseRows.split('\n')[0]).toBe('| recipe | noise | corpora | clean | 20 dB |');
    expect(noiseRows.split('\n')[2]).toBe('| `served` (served) | white, seed 1 | 2 | 27.5 | 22.5 |');
  });

  it('say how to record a run when there is none', () => {
    expect(renderColourTable([], null)).toMatch(/npm run bench:colour -- --record/);
    expect(renderNoiseTable([], null)).toMatch(/npm run bench:noise -- --record/);
  });

  it('refuse a file that does not hold them, naming it', async () => {
    const path = join(await makeTempDir(), 'benchmarks.json');
    await import('node:fs/promises').then(({ writeFile }) => writeFile(path, '{"colour": 3, "noise": []}'));
    await expect(readBenchRecords(path)).rejects.toThrow(/expected .*benchmarks.json to hold bench records/);
  });
});
