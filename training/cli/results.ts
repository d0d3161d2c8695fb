// `npm run results`: rewrites the README's results table from every models/<id>/run.json.
import { readFile, writeFile } from 'node:fs/promises';
import { readRunRecords, renderResultsTable, withResultsTable } from '../results-table.ts';

const records = await readRunRecords('models');
const readme = await readFile('README.md', 'utf8');
await writeFile('README.md', withResultsTable(readme, renderResultsTable(records)));
console.log(`README.md: results table from ${records.length} run records`);
