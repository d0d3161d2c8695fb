import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../../../core/contracts/run-record.ts';
import {
  machineOf,
  type ResultRow,
  resultRow,
  SORT_COLUMNS,
  type SortColumn,
  sortedPath,
  sortRows,
} from '../../../../../site/src/lib/content/result-rows.ts';
import { readRunRecord } from '../../../../../training/run-record-files.ts';
import { FIXTURE_MODELS_DIR } from '../../../support/fixtures.ts';

const row = (
  model: string,
  ua: number,
  parameters: number,
  protocol = 'loso',
  macs: number | null = null,
): ResultRow => ({
  model,
  architecture: 'cnn',
  corpus: 'emodb',
  protocol,
  speakerIndependent: true,
  classes: 7,
  task: 'emodb, 7 classes (chance UA 14.3 %)',
  folds: 10,
  ua: { mean: ua, std: 0.01, n: 10 },
  wa: { mean: ua, std: 0.01, n: 10 },
  macroF1: { mean: ua, std: 0.01, n: 10 },
  parameters,
  macs,
  msPerClip: macs === null ? null : macs / 1e6,
  machine: macs === null ? null : 'Example CPU × 2, Node 22, wasm',
});

describe('resultRow', () => {
  let record: RunRecord;
  beforeAll(async () => {
    record = await readRunRecord(join(FIXTURE_MODELS_DIR, 'cnn-emodb-loso', 'run.json'));
  });

  it('takes the summary and task straight from the run record', () => {
    expect(resultRow(record)).toEqual({
      model: 'cnn-emodb-loso',
      architecture: 'cnn',
      corpus: 'emodb',
      protocol: 'loso',
      speakerIndependent: true,
      classes: record.task.labels.length,
      task: `emodb, ${record.task.labels.length} classes (chance UA ${(100 / record.task.labels.length).toFixed(1)} %)`,
      folds: 10,
      ua: record.summary.ua,
      wa: record.summary.wa,
      macroF1: record.summary.macroF1,
      parameters: record.parameters,
      macs: null,
      msPerClip: null,
      machine: null,
    });
  });

  it('names a leave-one-corpus-out run by its held-out corpus and what it trained on', () => {
    const held = {
      ...record,
      task: {
        ...record.task,
        corpus: 'ravdess+emodb+urdu',
        protocol: 'leave-one-corpus-out',
        heldOutCorpus: 'emodb',
      },
    };
    expect(resultRow(held)).toMatchObject({
      corpus: 'emodb',
      protocol: 'leave-one-corpus-out (trained on ravdess+urdu)',
      task: expect.stringMatching(/^emodb held out of training, \d+ classes/),
    });
  });

  it('takes the inference cost and names the machine, without the list of custom kernels', async () => {
    const annotated = await readRunRecord(join(FIXTURE_MODELS_DIR, 'attention-blstm-ravdess', 'run.json'));
    expect(resultRow(annotated)).toMatchObject({
      macs: annotated.inference?.macs,
      msPerClip: annotated.inference?.msPerClip.median,
      machine: 'Example CPU @ 2.0GHz × 2, Node 22.23.3, wasm 4.22.0, SIMD on, 1 thread(s), fused LSTM',
    });
  });

  it('names a cost timed through the compiled network as such', async () => {
    const annotated = await readRunRecord(join(FIXTURE_MODELS_DIR, 'attention-blstm-ravdess', 'run.json'));
    const inference = annotated.inference;
    if (!inference) throw new Error('the fixture record has an inference cost');
    const backend = `network compiled to the inference kernels (network.wasm, fused LSTM); ${inference.backend}`;
    expect(machineOf({ ...inference, backend })).toBe(
      'Example CPU @ 2.0GHz × 2, Node 22.23.3, compiled network',
    );
  });
});

describe('sortRows', () => {
  const rows = [row('b', 0.6, 300), row('a', 0.7, 100), row('c', 0.6, 200)];

  it('orders by a metric mean in either direction, ties by model name', () => {
    expect(sortRows(rows, 'ua', 'descending').map((r) => r.model)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'ua', 'ascending').map((r) => r.model)).toEqual(['b', 'c', 'a']);
  });

  it('orders by parameters and by name', () => {
    expect(sortRows(rows, 'parameters', 'ascending').map((r) => r.model)).toEqual(['a', 'c', 'b']);
    expect(sortRows(rows, 'model', 'descending').map((r) => r.model)).toEqual(['c', 'b', 'a']);
  });

  it('orders by cost with unmeasured rows last in either direction', () => {
    const costed = [
      row('x', 0.5, 1, 'loso', null),
      row('y', 0.5, 1, 'loso', 7e6),
      row('z', 0.5, 1, 'loso', 2e4),
    ];
    expect(sortRows(costed, 'macs', 'ascending').map((r) => r.model)).toEqual(['z', 'y', 'x']);
    expect(sortRows(costed, 'macs', 'descending').map((r) => r.model)).toEqual(['y', 'z', 'x']);
    expect(sortRows(costed, 'msPerClip', 'ascending').map((r) => r.model)).toEqual(['z', 'y', 'x']);
  });

  it('leaves the input untouched', () => {
    sortRows(rows, 'model', 'ascending');
    expect(rows.map((r) => r.model)).toEqual(['b', 'a', 'c']);
  });
});

describe('sortedPath', () => {
  it('gives the default order the overview itself and every other order its own page', () => {
    expect(sortedPath('ua', 'descending')).toBe('/');
    const paths = (Object.keys(SORT_COLUMNS) as SortColumn[]).flatMap((column) => [
      sortedPath(column, 'ascending'),
      sortedPath(column, 'descending'),
    ]);
    expect(new Set(paths).size).toBe(paths.length);
    expect(sortedPath('parameters', 'ascending')).toBe('/sorted/parameters-ascending/');
  });
});
