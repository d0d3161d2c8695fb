import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';
import { recordIntoMalformedRecords } from './malformed-records.ts';

const benchColour = (args: string[]) =>
  spawnSync(process.execPath, ['training/bench/colour.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run bench:colour', () => {
  it('with --record, refuses a models/benchmarks.json that cannot take the result before any work, naming it', async () => {
    const outcome = await recordIntoMalformedRecords('training/bench/colour.ts');
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('expected models/benchmarks.json to hold bench records');
  });

  it.each([
    [['--db', '0'], 'expected --db from 1 to 12, got 0'],
    [['--db', 'loud'], 'expected --db from 1 to 12, got loud'],
  ])('refuses %j with exit code 2 and its usage', (args, message) => {
    const outcome = benchColour(args);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).toContain('usage: npm run bench:colour');
  });

  it('prints, per model and colour, how many of the 25 clips keep their top label', () => {
    const outcome = benchColour(['test/fixtures/models/tiny-cnn', '--db', '6']);
    expect(outcome.status, outcome.stderr).toBe(0);
    const lines = outcome.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^25 espeak-ng clips \(5 voices × 5 sentences\), darker and brighter by ±6 dB/);
    expect(lines[1]).toMatch(/^model +colour +top label kept +mean max \|Δp\| +worst max \|Δp\|$/);
    expect(lines.slice(2).map((line) => line.split(/ {2,}/).slice(0, 2))).toEqual([
      ['tiny-cnn', 'darker'],
      ['tiny-cnn', 'brighter'],
    ]);
    for (const line of lines.slice(2)) expect(line).toMatch(/ (\d+) \/ 25 +0\.\d{3} +[01]\.\d{3}$/);
  }, 120_000);
});
