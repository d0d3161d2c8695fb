import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));

// The API page shows a real answer (site/src/data/api-example.json, from `npm run screenshots`): it must be the
// served model's, or the page shows labels and numbers the API no longer gives.
describe("the API page's example answer", () => {
  it('comes from the model the registry serves by default, with its labels', () => {
    const example = read('site/src/data/api-example.json');
    const registry = read('models/registry.json');
    const metadata = read(`models/${registry.default}/metadata.json`);
    expect(example.model).toEqual({ id: registry.default, version: metadata.version });
    expect(example.labels).toEqual(metadata.labels);
    expect(example.outcome).toBe('classified');
    expect(Object.keys(example.probabilities)).toEqual(metadata.labels);
  });
});
