import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldCurves } from '../../../../../site/src/lib/content/fold-curves.ts';
import { readRunRecord } from '../../../../../training/run-record-files.ts';
import { FIXTURE_MODELS_DIR } from '../../../support/fixtures.ts';

describe('foldCurves', () => {
  it('draws training and validation per fold, the kept epoch marked', async () => {
    const record = await readRunRecord(join(FIXTURE_MODELS_DIR, 'attention-blstm-ravdess', 'run.json'));
    const fold = record.folds[0];
    const { loss, accuracy } = foldCurves(fold);
    expect(loss.lines.map((line) => [line.name, line.dashed])).toEqual([
      ['training loss', false],
      ['validation loss', true],
    ]);
    expect(accuracy.lines.map((line) => line.name)).toEqual(['training accuracy', 'validation UA']);
    for (const line of [...loss.lines, ...accuracy.lines])
      expect(line.d.match(/[ML]/g)).toHaveLength(fold.history.length);
    expect(accuracy.yTicks.at(-1)?.text).toBe('1');
    expect(loss.marker?.label).toBe(`kept: epoch ${fold.bestEpoch}`);
  });

  it('skips epochs without validation scores', async () => {
    const record = await readRunRecord(join(FIXTURE_MODELS_DIR, 'cnn-emodb-loso', 'run.json'));
    const fold = {
      ...record.folds[0],
      history: record.folds[0].history.map((epoch) => ({ ...epoch, valLoss: null, valUa: null })),
    };
    const { loss } = foldCurves(fold);
    expect(loss.lines.map((line) => line.name)).toEqual(['training loss']);
  });
});
