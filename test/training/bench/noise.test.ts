import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';
import { recordIntoMalformedRecords } from './malformed-records.ts';

const benchNoise = (args: string[]) =>
  spawnSync(process.execPath, ['training/bench/noise.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run bench:noise', () => {
  it('with --record, refuses a models/benchmarks.json that cannot take the result before any work, naming it', async () => {
    const outcome = await recordIntoMalformedRecords('training/bench/noise.ts');
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('expected models/benchmarks.json to hold bench records');
  });

  it.each([
    [['--snr', '20,99'], 'expected SNRs from -10 to 60 dB, got 20,99'],
    [['--noise', 'pink'], 'expected --noise white or brown, got pink'],
    [['--seed', 'x'], 'expected --seed to be an integer ≥ 0, got x'],
    [['a.json', 'b.json'], 'expected at most one config file, got 2'],
  ])('refuses %j with exit code 2 and its usage', (args, message) => {
    const outcome = benchNoise(args);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).toContain('usage: npm run bench:noise');
  });
});
