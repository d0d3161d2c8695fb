// `npm run results`: rewrites the README's generated tables (results, leave one corpus out, ensembles, papers,
// arousal/valence, noise, microphone colour) from every models/<id>/run.json, models/ensembles.json,
// models/benchmarks.json and models/registry.json, and the
// served models' leave-one-corpus-out metrics in their metadata.json.
import { readFile, writeFile } from 'node:fs/promises';
import { ModelMetadataSchema, ModelRegistrySchema } from '../../core/contracts/model-metadata.ts';
import { heldOutRecipes } from '../../core/results/held-out-corpora.ts';
import { readBenchRecords } from '../bench/bench-records.ts';
import { readEnsembleReports } from '../ensemble.ts';
import { readRunRecords, withGeneratedTables } from '../results-table.ts';
import { HELD_OUT_PROTOCOL, withHeldOutMetrics } from '../served-metrics.ts';
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
const benches = await readBenchRecords();
const registry = ModelRegistrySchema.parse(JSON.parse(await readFile('models/registry.json', 'utf8')));
const readme = await readFile('README.md', 'utf8');
await writeFile(
  'README.md',
  withGeneratedTables(readme, { records, ensembles, benches, servedId: registry.default }),
);
console.log(
  `README.md: results table from ${records.length} run records, ensembles table from ${ensembles.length}, ` +
    `noise and colour tables from ${benches.noise.length} and ${benches.colour.length} recorded benches`,
);
const recipes = heldOutRecipes(records);
for (const id of registry.models) {
  const path = `models/${id}/metadata.json`;
  const stored = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const { metrics } = ModelMetadataSchema.parse(stored);
  const updated = withHeldOutMetrics(
    metrics,
    recipes.find(({ recipe }) => recipe === id),
  );
  // Only the metrics change: the rest of the file stays as the trainer wrote it.
  await writeFile(path, `${JSON.stringify({ ...stored, metrics: updated }, null, 2)}\n`);
  const heldOut = updated.filter((metric) => metric.protocol === HELD_OUT_PROTOCOL).length;
  console.log(`${path}: ${heldOut} leave-one-corpus-out metrics`);
}
