import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../core/contracts/run-record.ts';
import { heldOutRecipes, recipeOf } from '../../../core/results/held-out-corpora.ts';
import { readRunRecord } from '../../../training/run-record-files.ts';
import { FIXTURE_MODELS_DIR } from '../../site/support/fixtures.ts';

describe('heldOutRecipes', () => {
  let base: RunRecord;
  beforeAll(async () => {
    base = await readRunRecord(join(FIXTURE_MODELS_DIR, 'cnn-emodb-loso', 'run.json'));
  });
  const held = (id: string, corpus: string, ua: number, scored: number): RunRecord => ({
    ...base,
    id,
    task: { ...base.task, protocol: 'leave-one-corpus-out', heldOutCorpus: corpus },
    summary: {
      ...base.summary,
      ua: { mean: ua, std: 0, n: 1 },
      perClass: base.summary.perClass.map((entry, i) => ({ ...entry, support: i < scored ? 3 : 0 })),
    },
  });

  it('groups leave-one-corpus-out records by recipe, with chance from the labels scored', () => {
    const recipes = heldOutRecipes([
      base,
      held('serving-v2-loco-urdu', 'urdu', 0.5, 4),
      held('serving-v2-loco-ased', 'ased', 0.3, 5),
      held('other-loco-emodb', 'emodb', 0.2, 2),
    ]);
    expect(recipes.map((recipe) => recipe.recipe)).toEqual(['other', 'serving-v2']);
    const [, serving] = recipes;
    expect(serving.runs.map((run) => [run.corpus, run.labels.length, run.chance])).toEqual([
      ['ased', 5, 0.2],
      ['urdu', 4, 0.25],
    ]);
    expect(serving.meanUa).toBeCloseTo(0.4, 12);
    expect(serving.lowestChanceMultiple).toBeCloseTo(1.5, 12);
  });

  it('finds no recipe without leave-one-corpus-out records', () => {
    expect(heldOutRecipes([base])).toEqual([]);
    expect(recipeOf('serving-v2-loco-crema-d')).toBe('serving-v2');
  });
});
