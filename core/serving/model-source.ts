import type { ModelRegistry } from '../contracts/model-metadata.ts';

/**
 * The files of one model folder (`models/<id>/`) as the Worker receives them: `model.json` and
 * `metadata.json` parsed, and every weight shard named in `model.json`'s manifest as bytes, keyed by its path.
 */
export interface ModelFiles {
  modelJson: unknown;
  metadata: unknown;
  shards: Readonly<Record<string, ArrayBuffer>>;
}

/**
 * Where the served models come from. Production uses the generated `functions/model/bundled-models.ts`
 * (models bundled into the Worker as modules); tests pass a source holding the fixture model.
 * `registry` is null when no model has been published yet.
 */
export interface ModelSource {
  registry: ModelRegistry | null;
  models: Readonly<Record<string, ModelFiles>>;
}
