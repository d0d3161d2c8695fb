import { getCollection } from 'astro:content';
import { type HeldOutRecipe, heldOutRecipes } from '../../../../core/results/held-out-corpora.ts';
import { type ResultRow, resultRow } from './result-rows.ts';

/** Every run record as an overview row. */
export async function loadResultRows(): Promise<ResultRow[]> {
  return (await getCollection('runs')).map((entry) => resultRow(entry.data));
}

/** The leave-one-corpus-out runs, per recipe. */
export async function loadHeldOutRecipes(): Promise<HeldOutRecipe[]> {
  return heldOutRecipes((await getCollection('runs')).map((entry) => entry.data));
}
