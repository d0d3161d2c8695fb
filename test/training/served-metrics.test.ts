import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ModelMetadataSchema, ModelRegistrySchema } from '../../core/contracts/model-metadata.ts';
import type { HeldOutRecipe } from '../../core/results/held-out-corpora.ts';
import { heldOutRecipes } from '../../core/results/held-out-corpora.ts';
import { readRunRecords } from '../../training/results-table.ts';
import { withHeldOutMetrics } from '../../training/served-metrics.ts';

const own = { corpus: 'ravdess+emodb', protocol: 'speaker-5fold', ua: 0.58, wa: 0.52, macroF1: 0.5 };
const recipe: HeldOutRecipe = {
  recipe: 'serving',
  runs: [
    {
      model: 'serving-loco-emodb',
      corpus: 'emodb',
      labels: ['happy', 'sad'],
      chance: 0.5,
      ua: 0.6,
      wa: 0.7,
      macroF1: 0.55,
    },
  ],
  meanUa: 0.6,
  lowestChanceMultiple: 1.2,
  speakerNormalised: false,
};

describe('withHeldOutMetrics', () => {
  it("keeps the model's own metrics and replaces the held-out ones with the recipe's runs", () => {
    const stale = { corpus: 'urdu', protocol: 'leave-one-corpus-out', ua: 0.1, wa: 0.1, macroF1: 0.1 };
    expect(withHeldOutMetrics([own, stale], recipe)).toEqual([
      own,
      {
        corpus: 'emodb',
        protocol: 'leave-one-corpus-out',
        ua: 0.6,
        wa: 0.7,
        macroF1: 0.55,
        labels: ['happy', 'sad'],
      },
    ]);
    expect(withHeldOutMetrics([own, stale], undefined)).toEqual([own]);
  });

  it('is what the served models publish (run `npm run results` after leave-one-corpus-out runs)', async () => {
    const registry = ModelRegistrySchema.parse(JSON.parse(await readFile('models/registry.json', 'utf8')));
    const recipes = heldOutRecipes(await readRunRecords('models'));
    for (const id of registry.models) {
      const { metrics } = ModelMetadataSchema.parse(
        JSON.parse(await readFile(`models/${id}/metadata.json`, 'utf8')),
      );
      const served = recipes.find(({ recipe: name }) => name === id);
      expect(served?.runs.length, id).toBeGreaterThan(0);
      expect(metrics).toEqual(withHeldOutMetrics(metrics, served));
    }
  });
});
