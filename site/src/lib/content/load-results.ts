import { getCollection } from 'astro:content';
import { type ResultRow, resultRow } from './result-rows.ts';

/** Every run record as an overview row. */
export async function loadResultRows(): Promise<ResultRow[]> {
  return (await getCollection('runs')).map((entry) => resultRow(entry.data));
}
