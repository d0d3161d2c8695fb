import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../corpora/tiny-corpus.ts';
import { ROOT, runCli } from './run-cli.ts';

// Malformed invocations must stop before any training starts, with exit 2 and a message naming the problem.
describe('npm run train', () => {
  it('asks for exactly one config file', async () => {
    const outcome = await runCli('train', []);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/expected one config file, got 0/);
  });

  it('names a config file it cannot read', async () => {
    const outcome = await runCli('train', ['no/such/config.json']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/cannot read the config .*no\/such\/config\.json/);
  });

  it('says when the config is not JSON', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "id": ');
    const outcome = await runCli('train', [path]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/expected .*broken\.json to be JSON/);
  });

  it('lists every invalid field of a config', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'invalid.json');
    await writeFile(
      path,
      JSON.stringify({ id: 'Bad Id', corpora: [], model: { architecture: 'transformer' } }),
    );
    const outcome = await runCli('train', [path]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/is not a valid experiment config/);
    expect(outcome.stderr).toMatch(/id:/);
    expect(outcome.stderr).toMatch(/corpora:/);
    expect(outcome.stderr).toMatch(/model/);
  });

  it('names a malformed utterance spread, random crop and band warp', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'bad-options.json');
    await writeFile(
      path,
      JSON.stringify({
        id: 'bad-options',
        corpora: [{ corpus: 'emodb', path: dir }],
        utterance: { spread: 'none' },
        model: { architecture: 'baseline' },
        training: {
          randomCrop: { probability: 1.5, minFrames: 0 },
          randomWarp: { probability: 0.5, maxWarp: 0.8 },
        },
      }),
    );
    const outcome = await runCli('train', [path]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/utterance\.spread/);
    expect(outcome.stderr).toMatch(/training\.randomCrop\.probability/);
    expect(outcome.stderr).toMatch(/training\.randomCrop\.minFrames/);
    expect(outcome.stderr).toMatch(/training\.randomWarp\.maxWarp/);
  });

  it('refuses an unknown --ship value', async () => {
    const outcome = await runCli('train', ['x.json', '--ship', 'everything']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/expected --ship fold-1 or all-speakers, got 'everything'/);
  });

  it('refuses --ship all-speakers without validation speakers', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'no-validation.json');
    const config = {
      id: 'no-validation',
      corpora: [{ corpus: 'emodb', path: 'nowhere' }],
      validationSpeakers: 0,
      model: { architecture: 'baseline' },
    };
    await writeFile(path, JSON.stringify(config));
    const outcome = await runCli('train', [path, '--ship', 'all-speakers']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/expected validationSpeakers ≥ 1 with --ship all-speakers, got 0/);
  });

  it('refuses per-speaker normalisation for a served model or speaker-dependent folds', async () => {
    const dir = await makeTempDir();
    const write = async (name: string, protocol: string) => {
      const path = join(dir, `${name}.json`);
      const config = {
        id: name,
        corpora: [{ corpus: 'emodb', path: 'nowhere' }],
        protocol,
        normalisation: 'per-speaker',
        model: { architecture: 'baseline' },
      };
      await writeFile(path, JSON.stringify(config));
      return path;
    };
    const shipped = await runCli('train', [await write('shipped', 'loso'), '--ship', 'all-speakers']);
    expect(shipped.code).toBe(2);
    expect(shipped.stderr).toMatch(
      /expected training-set normalisation with --ship all-speakers, got per-speaker/,
    );
    const mixed = await runCli('train', [await write('mixed', 'random-stratified')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /normalisation: expected per-speaker normalisation with a speaker-independent/,
    );
  });

  it('refuses to resume the checkpoints of a changed config, with exit 2 and what changed', async () => {
    const dir = await makeTempDir();
    const id = `checkpoint-test-${process.pid}`;
    const runDir = join(ROOT, '.cache/runs', id);
    const write = async (epochs: number) => {
      const path = join(dir, `${id}-${epochs}.json`);
      const corpora = [{ corpus: 'emodb', path: join(dir, 'nowhere') }];
      await writeFile(
        path,
        JSON.stringify({ id, corpora, model: { architecture: 'baseline' }, training: { epochs } }),
      );
      return path;
    };
    try {
      // The first run stops on the missing corpus, after claiming the folder; a fold folder stands for its work.
      const first = await runCli('train', [await write(80)]);
      expect(first.code).not.toBe(0);
      await mkdir(join(runDir, 'fold-1'), { recursive: true });
      const changed = await runCli('train', [await write(3)]);
      expect(changed.code).toBe(2);
      expect(changed.stderr).toContain('training.epochs: 80 → 3');
      expect(changed.stderr).toContain(`delete ${runDir} to start afresh`);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it('reads a corpus from the folder --data names, and refuses a corpus the config does not have', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relocated.json');
    const config = {
      id: `data-test-${process.pid}`,
      corpora: [{ corpus: 'emodb', path: 'the/config/folder' }],
      model: { architecture: 'baseline' },
    };
    await writeFile(path, JSON.stringify(config));
    const other = await runCli('train', [path, '--data', 'ravdess=/somewhere']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`expected --data to name a corpus of ${path} (emodb), got ravdess`);
    const mine = join(dir, 'my-emodb');
    try {
      const moved = await runCli('train', [path, '--data', `emodb=${mine}`]);
      expect(moved.code).not.toBe(0);
      // The loader looked in the folder given, not the config's.
      expect(moved.stderr).toContain(mine);
      expect(moved.stderr).not.toContain('the/config/folder');
    } finally {
      await rm(join(ROOT, '.cache/runs', config.id), { recursive: true, force: true });
    }
  });

  it.each([['0'], ['two'], ['17']])('refuses --jobs %s', async (jobs) => {
    const outcome = await runCli('train', ['x.json', '--jobs', jobs]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`expected --jobs to be a whole number from 1 to 16, got '${jobs}'`);
  });

  it.each([['-1'], ['1.5'], ['seven']])('refuses --seed %s', async (seed) => {
    const outcome = await runCli('train', ['x.json', `--seed=${seed}`]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      `expected --seed to be a whole number from 0 to 999999999, got '${seed}'`,
    );
  });

  it('refuses a malformed --part', async () => {
    const outcome = await runCli('train', ['x.json', '--part', '2/2']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("expected --part index/count with index < count, got '2/2'");
  });

  it('refuses --held-out-corpus naming a corpus the config does not have, or no corpus at all', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'two-corpora.json');
    const config = {
      id: 'two-corpora',
      corpora: [
        { corpus: 'emodb', path: 'nowhere' },
        { corpus: 'urdu', path: 'nowhere' },
      ],
      model: { architecture: 'baseline' },
    };
    await writeFile(path, JSON.stringify(config));
    const absent = await runCli('train', [path, '--held-out-corpus', 'ased']);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain(
      'heldOutCorpus: expected leave-one-corpus-out to hold out one of its ≥ 2 corpora (emodb, urdu), got ased',
    );
    const unknown = await runCli('train', [path, '--held-out-corpus', 'klingon']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('heldOutCorpus');
  });

  it("refuses to overwrite another recipe's record under the same id, naming what differs", async () => {
    const dir = await makeTempDir();
    const models = join(dir, 'models');
    await mkdir(join(models, 'emodb-baseline'), { recursive: true });
    await copyFile(join(ROOT, 'models/emodb-baseline/run.json'), join(models, 'emodb-baseline', 'run.json'));
    const recipe = JSON.parse(await readFile(join(ROOT, 'training/configs/emodb-baseline.json'), 'utf8'));
    const path = join(dir, 'emodb-baseline.json');
    await writeFile(path, JSON.stringify({ ...recipe, training: { ...recipe.training, seed: 99 } }));
    const outcome = await runCli('train', [path, '--models-dir', models]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      `expected ${join(models, 'emodb-baseline', 'run.json')} to be a record of this config, got one whose training.seed differ`,
    );
  });
});
