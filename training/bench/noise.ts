/**
 * What noise costs a recipe on corpora it never heard: each of its leave-one-corpus-out records scored on its
 * held-out corpus through the serving path (`npm run evaluate`, which answers among all of the model's labels as
 * the API does), clean and with noise added at each SNR below the clips' speech level. Prints UA per corpus and
 * SNR and the mean over corpora.
 *
 *   npm run bench:noise [-- recipe.json] [--snr 30,20,10,5] [--noise white|brown] [--seed 1] [--record]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NoiseBench } from '../../core/contracts/bench-record.ts';
import { fail, parseCommandLine } from '../cli/parse-args.ts';
import { readExperimentConfig } from '../cli/read-config.ts';
import { NOISE_COLOURS } from '../evaluation/added-noise.ts';
import { leavingCorpusOut } from '../experiment.ts';
import { gitState } from '../run-record-files.ts';
import { BENCH_RECORDS_PATH, readBenchRecords, recordNoiseBench } from './bench-records.ts';

const usage =
  'usage: npm run bench:noise [-- recipe.json] [--snr 30,20,10,5] [--noise white|brown] [--seed N] [--record]';
const { values, positionals } = parseCommandLine(
  {
    allowPositionals: true,
    options: {
      snr: { type: 'string', default: '30,20,10,5' },
      noise: { type: 'string', default: 'white' },
      seed: { type: 'string', default: '1' },
      record: { type: 'boolean', default: false },
    },
  },
  usage,
  {
    summary:
      "UA of a recipe's leave-one-corpus-out records on their held-out corpora, clean and with noise at each SNR " +
      '(the records must be in models/, the corpora where the recipe says).',
    options: {
      snr: 'comma-separated SNRs in dB below the speech level (each from −10 to 60)',
      noise: 'white (hiss) or brown (rumble)',
      seed: 'seed of the added noise',
      record: `keep the result in ${BENCH_RECORDS_PATH} (the README's table, by npm run results)`,
    },
  },
);
if (positionals.length > 1) fail(`expected at most one config file, got ${positionals.length}\n${usage}`);
const snrs = values.snr.split(',').map(Number);
if (snrs.some((snr) => !(snr >= -10 && snr <= 60))) {
  fail(`expected SNRs from -10 to 60 dB, got ${values.snr}\n${usage}`);
}
if (!/^\d+$/.test(values.seed)) fail(`expected --seed to be an integer ≥ 0, got ${values.seed}\n${usage}`);
if (!(NOISE_COLOURS as readonly string[]).includes(values.noise)) {
  fail(`expected --noise ${NOISE_COLOURS.join(' or ')}, got ${values.noise}\n${usage}`);
}
// A records file that cannot take the result is named before the corpora are scored, not after.
if (values.record) await readBenchRecords().catch((error: Error) => fail(error.message));
const recipe = await readExperimentConfig(positionals[0] ?? 'training/configs/serving-v2-overall-eq.json');

const EVALUATE = fileURLToPath(new URL('../cli/evaluate.ts', import.meta.url));
const run = promisify(execFile);
const scratch = await mkdtemp(join(tmpdir(), 'bench-noise-'));

/** UA of one record on one corpus folder, clean (snr null) or noisy. */
async function ua(model: string, corpus: string, path: string, snr: number | null): Promise<number> {
  const out = join(scratch, 'report.json');
  const noise = snr === null ? [] : ['--snr', String(snr), '--noise', values.noise, '--seed', values.seed];
  await run(
    process.execPath,
    [EVALUATE, model, '--corpus', corpus, '--data', path, '--json', out, ...noise],
    {
      maxBuffer: 1 << 24,
    },
  ).catch((error: Error & { stderr?: string }) =>
    fail(`${model} on ${corpus}: ${error.stderr ?? error.message}`),
  );
  const report = JSON.parse(await readFile(out, 'utf8')) as { metrics: { ua: number } };
  return report.metrics.ua;
}

const conditions: (number | null)[] = [null, ...snrs];
const header = ['held out', 'clean', ...snrs.map((snr) => `${snr} dB`)];
console.log(
  `UA % on each held-out corpus through the serving path (answers among all the model's labels), ${recipe.id}, ` +
    `${values.noise} noise, seed ${values.seed}`,
);
console.log(header.map((cell) => cell.padEnd(10)).join(''));
const columns: number[][] = conditions.map(() => []);
const perCorpus: Record<string, number>[] = conditions.map(() => ({}));
const git = gitState(process.cwd());
for (const { corpus, path } of recipe.corpora) {
  const model = join('models', String(leavingCorpusOut(recipe, corpus).id));
  const cells: string[] = [corpus];
  for (const [index, snr] of conditions.entries()) {
    const score = await ua(model, corpus, path, snr);
    columns[index].push(score);
    perCorpus[index][corpus] = score;
    cells.push((100 * score).toFixed(1));
  }
  console.log(cells.map((cell) => cell.padEnd(10)).join(''));
}
const means = columns.map((column) => column.reduce((sum, x) => sum + x, 0) / column.length);
console.log(
  ['mean', ...means.map((mean) => (100 * mean).toFixed(1))].map((cell) => cell.padEnd(10)).join(''),
);
if (values.record) {
  await recordNoiseBench({
    recipe: recipe.id,
    noise: values.noise as NoiseBench['noise'],
    seed: Number(values.seed),
    conditions: conditions.map((snrDb, index) => ({
      snrDb,
      corpora: perCorpus[index],
      meanUa: means[index],
    })),
    git,
    createdAt: new Date().toISOString(),
  });
}
await rm(scratch, { recursive: true, force: true });
