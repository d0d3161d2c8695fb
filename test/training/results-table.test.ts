import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAPER_EXPERIMENTS } from '../../core/results/papers.ts';
import { readBenchRecords } from '../../training/bench/bench-records.ts';
import { type EnsembleReport, readEnsembleReports, recordEnsembleReport } from '../../training/ensemble.ts';
import { withGeneratedBlock } from '../../training/readme-block.ts';
import {
  ENSEMBLES_BLOCK,
  LEAVE_ONE_CORPUS_OUT_BLOCK,
  PAPERS_BLOCK,
  RESULTS_BLOCK,
  readRunRecords,
  renderEnsemblesTable,
  renderLeaveOneCorpusOutTable,
  renderPapersTable,
  renderResultsTable,
  withGeneratedTables,
} from '../../training/results-table.ts';
import { makeTempDir } from './corpora/tiny-corpus.ts';

describe('README generated tables', () => {
  it('are all the ones npm run results writes, the arousal/valence agreement included', async () => {
    const readme = await readFile('README.md', 'utf8');
    const registry = JSON.parse(await readFile('models/registry.json', 'utf8')) as { default: string | null };
    const inputs = {
      records: await readRunRecords('models'),
      ensembles: await readEnsembleReports('models/ensembles.json'),
      benches: await readBenchRecords(),
      servedId: registry.default,
    };
    expect(readme).toBe(withGeneratedTables(readme, inputs));
  });
});

describe('README results table', () => {
  it('is the one generated from the committed run records (run `npm run results` after training)', async () => {
    const readme = await readFile('README.md', 'utf8');
    const records = await readRunRecords('models');
    expect(readme).toBe(withGeneratedBlock(readme, RESULTS_BLOCK, renderResultsTable(records)));
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
    expect(() => withGeneratedBlock('# nothing here', RESULTS_BLOCK, 'table')).toThrow(
      /expected the README to contain the markers/,
    );
    const { start, end } = RESULTS_BLOCK;
    expect(withGeneratedBlock(`a\n${start}\nold\n${end}\nb`, RESULTS_BLOCK, 'new')).toBe(
      `a\n${start}\nnew\n${end}\nb`,
    );
  });
});

describe('README leave-one-corpus-out table', () => {
  it('is the one generated from the committed run records', async () => {
    const readme = await readFile('README.md', 'utf8');
    const records = await readRunRecords('models');
    expect(readme).toBe(
      withGeneratedBlock(readme, LEAVE_ONE_CORPUS_OUT_BLOCK, renderLeaveOneCorpusOutTable(records)),
    );
  });

  it('gives each held-out corpus its labels and chance, then the mean and the worst multiple of chance', async () => {
    const [base] = await readRunRecords('test/fixtures/run-records');
    const held = (corpus: string, ua: number, supported: number) => ({
      ...base,
      id: `serving-x-loco-${corpus}`,
      task: { ...base.task, heldOutCorpus: corpus },
      summary: {
        ...base.summary,
        ua: { mean: ua, std: 0, n: 1 },
        perClass: base.summary.perClass.map((entry, i) => ({ ...entry, support: i < supported ? 5 : 0 })),
      },
    });
    const records = [base, held('urdu', 0.5, 4), held('ased', 0.3, 2)];
    const rows = renderLeaveOneCorpusOutTable(records).split('\n').slice(2);
    const labels = base.summary.perClass.map((entry) => entry.label);
    expect(rows).toEqual([
      `| \`serving-x\` | [ased](models/serving-x-loco-ased/MODEL_CARD.md) | 2: ${labels.slice(0, 2).join(', ')} | 50.0 | 30.0 | ${(100 * base.summary.wa.mean).toFixed(1)} |`,
      `| \`serving-x\` | [urdu](models/serving-x-loco-urdu/MODEL_CARD.md) | 4: ${labels.slice(0, 4).join(', ')} | 25.0 | 50.0 | ${(100 * base.summary.wa.mean).toFixed(1)} |`,
      '| `serving-x` | **mean of 2** |  | 37.5 | **40.0 ± 14.1** | lowest UA 0.60 × its chance |',
    ]);
    // Leave-one-corpus-out records are not rows of the main results table.
    expect(renderResultsTable(records).split('\n')).toHaveLength(3);
  });
});

describe('README ensembles table', () => {
  const report = (ids: string[], ensemble: number[]): EnsembleReport => ({
    protocol: 'loso',
    labels: ['angry', 'sad'],
    testClips: [10, 12],
    members: ids.map((id, i) => ({ id, ua: [0.5 + i / 10, 0.4] })),
    ensemble: { id: `ensemble of ${ids.join(' + ')}`, ua: ensemble },
  });

  it('is the one generated from models/ensembles.json (run `npm run results` after `npm run ensemble -- … --record`)', async () => {
    const readme = await readFile('README.md', 'utf8');
    const reports = await readEnsembleReports('models/ensembles.json');
    expect(readme).toBe(withGeneratedBlock(readme, ENSEMBLES_BLOCK, renderEnsemblesTable(reports)));
  });

  it('gives each member and the ensemble with mean ± sd and the protocol, and says when every fold rose', () => {
    const [header, , up, mixed] = renderEnsemblesTable([
      report(['a', 'b'], [0.7, 0.5]),
      report(['a', 'c'], [0.55, 0.45]),
    ]).split('\n');
    expect(header).toBe('| members | protocol | members’ UA % | ensemble UA % |');
    expect(up).toBe(
      '| `a` + `b` | loso, 2 folds | 45.0 ± 7.1; 50.0 ± 14.1 | **60.0 ± 14.1** (every fold above every member) |',
    );
    expect(mixed).toBe('| `a` + `c` | loso, 2 folds | 45.0 ± 7.1; 50.0 ± 14.1 | **50.0 ± 7.1** |');
  });

  it('keeps one report per set of members, and names a malformed file', async () => {
    const path = join(await makeTempDir(), 'ensembles.json');
    expect(await readEnsembleReports(path)).toEqual([]);
    await recordEnsembleReport(path, report(['a', 'b'], [0.6, 0.5]));
    await recordEnsembleReport(path, report(['a', 'c'], [0.6, 0.5]));
    await recordEnsembleReport(path, report(['a', 'b'], [0.7, 0.5]));
    const reports = await readEnsembleReports(path);
    expect(reports.map((entry) => [entry.ensemble.id, entry.ensemble.ua[0]])).toEqual([
      ['ensemble of a + b', 0.7],
      ['ensemble of a + c', 0.6],
    ]);
    await writeFile(path, JSON.stringify([{ protocol: 'loso' }]));
    await expect(readEnsembleReports(path)).rejects.toThrow(
      `expected ${path} to hold ensemble reports, got:`,
    );
  });
});

describe('README papers table', () => {
  it('is the one generated from core/results/papers.ts and the committed run records', async () => {
    const readme = await readFile('README.md', 'utf8');
    const records = await readRunRecords('models');
    expect(readme).toBe(
      withGeneratedBlock(readme, PAPERS_BLOCK, renderPapersTable(records, PAPER_EXPERIMENTS)),
    );
  });

  it("gives each experiment's reported figure, ours with its protocol, or why there is none", async () => {
    const records = await readRunRecords('test/fixtures/run-records');
    const [record] = records;
    const rows = renderPapersTable(records, [
      { ...PAPER_EXPERIMENTS[0], ours: { paperProtocol: null, speakerIndependent: record.id } },
      { ...PAPER_EXPERIMENTS[0], ours: { paperProtocol: 'missing-run', speakerIndependent: null } },
    ]).split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toContain('90.0 % accuracy on SAVEE');
    expect(rows[2]).toContain('not run yet');
    expect(rows[2]).toContain(`${(100 * record.summary.wa.mean).toFixed(1)} %`);
    expect(rows[2]).toContain(`UA ${(100 * record.summary.ua.mean).toFixed(1)} %; ${record.task.protocol}`);
    expect(rows[3]).toContain('`missing-run` not trained yet');
  });
});
