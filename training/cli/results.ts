// `npm run results`: rewrites the README's generated tables (results, leave one corpus out, ensembles, papers,
// arousal/valence) from every models/<id>/run.json, models/ensembles.json and models/registry.json.
import { readFile, writeFile } from 'node:fs/promises';
import { readEnsembleReports } from '../ensemble.ts';
import { readRunRecords, withGeneratedTables } from '../results-table.ts';
import { fail, parseCommandLine } from './parse-args.ts';

const usage = 'usage: npm run results';
const { positionals } = parseCommandLine({ allowPositionals: true, options: {} }, usage, {
  summary:
    "Rewrites the README's results, leave-one-corpus-out, ensembles, papers and arousal/valence tables from every " +
    'models/<id>/run.json, models/ensembles.json and core/results/papers.ts. Run it from the repository root after ' +
    'adding or changing run records.',
  options: {},
});
if (positionals.length > 0) fail(`expected no arguments, got ${positionals.join(' ')}\n${usage}`);

const records = await readRunRecords('models');
const ensembles = await readEnsembleReports('models/ensembles.json');
const registry = JSON.parse(await readFile('models/registry.json', 'utf8')) as { default: string | null };
const readme = await readFile('README.md', 'utf8');
await writeFile('README.md', withGeneratedTables(readme, { records, ensembles, servedId: registry.default }));
console.log(
  `README.md: results table from ${records.length} run records, ensembles table from ${ensembles.length}`,
);
