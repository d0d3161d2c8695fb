import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  RESULTS_END,
  RESULTS_START,
  readRunRecords,
  renderResultsTable,
  withResultsTable,
} from '../../training/results-table.ts';

describe('README results table', () => {
  it('is the one generated from the committed run records (run `npm run results` after training)', async () => {
    const readme = await readFile('README.md', 'utf8');
    const records = await readRunRecords('models');
    expect(readme).toBe(withResultsTable(readme, renderResultsTable(records)));
  });

  it('names the protocol and fold count beside every score', async () => {
    const records = await readRunRecords('test/fixtures/run-records');
    expect(records.length).toBeGreaterThan(0);
    const rows = renderResultsTable(records).split('\n').slice(2);
    expect(rows).toHaveLength(records.length);
    records.forEach((record, i) => {
      expect(rows[i]).toContain(record.task.protocol);
      expect(rows[i]).toContain(`${record.summary.folds} folds`);
      expect(rows[i]).toContain(`${(100 * record.summary.ua.mean).toFixed(1)} ±`);
    });
  });

  it('gives the inference cost of records that have one, and a dash for older records', async () => {
    const records = await readRunRecords('test/fixtures/run-records');
    const rows = renderResultsTable(records).split('\n');
    expect(rows[0]).toContain('| M MACs / clip | ms / clip |');
    records.forEach((record, i) => {
      const cost = record.inference;
      expect(rows[i + 2]).toMatch(
        cost ? `| ${(cost.macs / 1e6).toFixed(2)} | ${cost.msPerClip.median.toFixed(1)} |` : '| – | – |',
      );
    });
  });

  it('refuses a README without the markers', () => {
    expect(() => withResultsTable('# nothing here', 'table')).toThrow(
      /expected the README to contain the markers/,
    );
    expect(withResultsTable(`a\n${RESULTS_START}\nold\n${RESULTS_END}\nb`, 'new')).toBe(
      `a\n${RESULTS_START}\nnew\n${RESULTS_END}\nb`,
    );
  });
});
