import { describe, expect, it } from 'vitest';
import { consoleTrainingLog } from '../../../training/cli/parse-args.ts';
import { runCli } from './run-cli.ts';

// Every training CLI: a malformed command line stops before any work, with exit 2, the problem and the usage.
describe.each([
  ['train', 'x.json', '--models-dir'],
  ['evaluate', 'models/x', '--corpus'],
  ['annotate', 'models/x', '--data'],
  ['datasets', '--out', undefined],
  ['ensemble', 'a.json', '--runs'],
  ['rescore', 'a.json', '--runs'],
  ['sweep', 'a.json', '--jobs'],
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
  it('names a held-out corpus the configs do not have', async () => {
    const outcome = await runCli('ensemble', [
      'training/configs/serving-v2-overall-eq.json',
      'training/configs/serving-v2-overall-eq-crop.json',
      '--held-out-corpus',
      'klingon',
    ]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--held-out-corpus klingon: /);
  });

  it('asks for at least two configs, and names an invalid one', async () => {
    const one = await runCli('ensemble', ['training/configs/emodb-baseline.json']);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/expected at least two config files, got 1/);
    const missing = await runCli('ensemble', ['training/configs/emodb-baseline.json', 'no/such.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the config .*no\/such\.json/);
  });
});

// `--help` on every command: the usage, what it does, and every option with its default, then exit 0.
describe.each([
  [
    'train',
    [
      '--ship <value>',
      '(default: fold-1)',
      '--models-dir <value>',
      '--jobs <value>',
      '--held-out-corpus',
      '--seed',
      '--stock-lstm',
    ],
  ],
  [
    'evaluate',
    [
      '--corpus <value>',
      '--data <value>',
      '--json <value>',
      '--fold-test-speakers',
      '--first-seconds <value>',
    ],
  ],
  [
    'annotate',
    ['--data <value> …', '--runs <value>', '(default: 100)', '--examples <value>', '(default: 4)'],
  ],
  ['datasets', ['--corpus <value> …', '--out <value>', '(default: models/datasets.json)']],
  [
    'ensemble',
    [
      '--runs <value>',
      '(default: .cache/runs)',
      '--held-out-corpus <value> …',
      '--models-dir <value>',
      '--record',
    ],
  ],
  ['rescore', ['--runs <value>', '(default: .cache/runs)', '--models-dir <value>', '(default: models)']],
  ['classify', ['--json', '--segment <value>', '--model <value>', '--labels <value>']],
  ['results', []],
  ['sweep', ['--grid <value> …', '--jobs <value>', '(default: 1)', '--models-dir <value>']],
])('npm run %s -- --help', (cli, flags) => {
  it('prints the usage, a summary and every option with its default, and exits 0', async () => {
    const outcome = await runCli(cli, ['--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^usage: npm run /);
    expect(outcome.stdout).toContain('options:');
    expect(outcome.stdout).toContain('--help');
    for (const flag of flags) expect(outcome.stdout).toContain(flag);
    // Internal options stay out of it.
    expect(outcome.stdout).not.toContain('--part');
    // Every option line says what it does.
    const lines = outcome.stdout.split('\n').filter((line) => line.startsWith('  --'));
    for (const line of lines)
      expect(line.replace(/^\s+--\S+( <value>)?( …)?\s+/, '').length).toBeGreaterThan(10);
  });
});

describe('consoleTrainingLog', () => {
  const stream = (isTTY: boolean) => {
    let written = '';
    const out = {
      isTTY,
      columns: 40,
      write: (text: string) => {
        written += text;
        return true;
      },
    };
    return { out: out as unknown as NodeJS.WriteStream, text: () => written };
  };

  it('redraws progress lines in place on a terminal, and keeps the last one above the next plain line', () => {
    const { out, text } = stream(true);
    const log = consoleTrainingLog(() => '> ', out);
    log('features cached');
    log('epoch 1/2', 'progress');
    log('epoch 2/2 with a line far longer than the terminal is wide', 'progress');
    log('fold 1 test: UA 50 %');
    expect(text()).toBe(
      '> features cached\n\r\x1b[K> epoch 1/2\r\x1b[K> epoch 2/2 with a line far longer tha…\n> fold 1 test: UA 50 %\n',
    );
  });

  it('prints every line as it is elsewhere (CI, pipes)', () => {
    const { out, text } = stream(false);
    const log = consoleTrainingLog(() => '', out);
    log('epoch 1/2', 'progress');
    log('epoch 2/2', 'progress');
    expect(text()).toBe('epoch 1/2\nepoch 2/2\n');
  });
});

describe('npm run rescore', () => {
  it('asks for exactly one config, and names a record that is not there', async () => {
    const none = await runCli('rescore', []);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/expected one config file, got 0/);
    const elsewhere = await runCli('rescore', [
      'training/configs/emodb-baseline.json',
      '--models-dir',
      'no/such/models',
    ]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(
      /expected the run record of 'emodb-baseline' in .*no\/such\/models\/emodb-baseline, got /,
    );
  });
});

describe('npm run bench:held-out-normalisation', () => {
  it('prints its help, and refuses more than one config or an unknown flag', async () => {
    const help = await runCli('../bench/held-out-normalisation', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run bench:held-out-normalisation/);
    const two = await runCli('../bench/held-out-normalisation', ['a.json', 'b.json']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/expected at most one config file, got 2/);
    const unknown = await runCli('../bench/held-out-normalisation', ['--no-such-flag']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--no-such-flag'/);
  });
});

describe('npm run bench:window-cpu', () => {
  it('prints its help, and refuses a hop out of range, a missing model folder or an unknown flag', async () => {
    const help = await runCli('../bench/window-cpu', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run bench:window-cpu/);
    const hop = await runCli('../bench/window-cpu', ['--hop', '0']);
    expect(hop.code).toBe(2);
    expect(hop.stderr).toMatch(/expected --hop in 0.25…60, got 0/);
    const missing = await runCli('../bench/window-cpu', ['no/such/model']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/expected a model folder at .*no\/such\/model, got nothing/);
    const unknown = await runCli('../bench/window-cpu', ['--no-such-flag']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--no-such-flag'/);
    const tiny = 'test/fixtures/models/tiny-blstm';
    const twice = await runCli('../bench/window-cpu', [tiny, tiny]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/expected each model once, got tiny-blstm twice/);
  });
});
