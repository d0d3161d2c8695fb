import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

// Every training CLI: a malformed command line stops before any work, with exit 2, the problem and the usage.
describe.each([
  ['train', 'x.json', '--models-dir'],
  ['evaluate', 'models/x', '--corpus'],
  ['annotate', 'models/x', '--data'],
  ['datasets', '--out', undefined],
  ['ensemble', 'a.json', '--runs'],
])('npm run %s', (cli, ...args) => {
  const given = args.filter((arg): arg is string => arg !== undefined);

  it('names an unknown flag and shows the usage, without a stack trace', async () => {
    const outcome = await runCli(cli, ['--no-such-flag']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/Unknown option '--no-such-flag'/);
    expect(outcome.stderr).toMatch(/usage: npm run /);
    expect(outcome.stderr).not.toMatch(/node:internal|\n\s+at /);
  });

  it('names a flag given without its value', async () => {
    const outcome = await runCli(cli, given);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/argument missing/);
    expect(outcome.stderr).toMatch(/usage: npm run /);
  });
});

describe('npm run ensemble', () => {
  it('asks for at least two configs, and names an invalid one', async () => {
    const one = await runCli('ensemble', ['training/configs/emodb-baseline.json']);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/expected at least two config files, got 1/);
    const missing = await runCli('ensemble', ['training/configs/emodb-baseline.json', 'no/such.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the config .*no\/such\.json/);
  });
});
