import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetsSummarySchema } from '../../../core/contracts/datasets-summary.ts';
import { FIXTURE_MODELS_DIR } from '../../site/support/fixtures.ts';

const fixture = () => JSON.parse(readFileSync(join(FIXTURE_MODELS_DIR, 'datasets.json'), 'utf8'));

describe('DatasetsSummarySchema', () => {
  it('accepts the example summary and defaults missing notes to none', () => {
    const summary = DatasetsSummarySchema.parse(fixture());
    expect(summary.corpora.map((corpus) => corpus.id)).toEqual(['emodb', 'urdu']);
    expect(summary.corpora[1].notes).toEqual([]);
  });

  it('rejects a histogram whose edges do not bound its counts', () => {
    const summary = fixture();
    summary.corpora[0].durations.histogram.edges.pop();
    const result = DatasetsSummarySchema.safeParse(summary);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/one more entry/);
  });
});
