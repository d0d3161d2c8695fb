// `npm run results`: rewrites the README's results and leave-one-corpus-out tables from every
// models/<id>/run.json, and its ensembles
// table from models/ensembles.json (`npm run ensemble -- … --record`).
import { readFile, writeFile } from 'node:fs/promises';
import {
  renderDimensionAgreementTable,
  servedDimensionAgreement,
} from '../../core/results/dimension-agreement.ts';
import { PAPER_EXPERIMENTS } from '../../core/results/papers.ts';
import { readEnsembleReports } from '../ensemble.ts';
import {
  DIMENSIONS_BLOCK,
  ENSEMBLES_BLOCK,
  LEAVE_ONE_CORPUS_OUT_BLOCK,
  PAPERS_BLOCK,
  RESULTS_BLOCK,
  readRunRecords,
  renderEnsemblesTable,
  renderLeaveOneCorpusOutTable,
  renderPapersTable,
  renderResultsTable,
  withGeneratedBlock,
} from '../results-table.ts';
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
const readme = await readFile('README.md', 'utf8');
const withResults = withGeneratedBlock(
  withGeneratedBlock(readme, RESULTS_BLOCK, renderResultsTable(records)),
  LEAVE_ONE_CORPUS_OUT_BLOCK,
  renderLeaveOneCorpusOutTable(records),
);
const registry = JSON.parse(await readFile('models/registry.json', 'utf8')) as { default: string | null };
const withPapers = withGeneratedBlock(
  withGeneratedBlock(withResults, ENSEMBLES_BLOCK, renderEnsemblesTable(ensembles)),
  PAPERS_BLOCK,
  renderPapersTable(records, PAPER_EXPERIMENTS),
);
const dimensions = registry.default === null ? [] : servedDimensionAgreement(records, registry.default);
await writeFile(
  'README.md',
  withGeneratedBlock(withPapers, DIMENSIONS_BLOCK, renderDimensionAgreementTable(dimensions)),
);
console.log(
  `README.md: results table from ${records.length} run records, ensembles table from ${ensembles.length}`,
);
