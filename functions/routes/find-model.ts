import type { ModelEntry, ModelStore } from '../../core/serving/model-store.ts';
import { ApiError } from '../errors.ts';

/** The model a request names (`?model=`), or the registry default; 503 with none published, 404 unknown. */
export function findModel(store: ModelStore, requested: string | undefined): ModelEntry {
  const modelId = requested ?? store.defaultId;
  if (modelId === null) throw new ApiError('no_models', 'expected a published model, got an empty registry');
  const entry = store.find(modelId);
  if (entry === undefined) {
    const served = store.list().map((model) => model.metadata.id);
    throw new ApiError('unknown_model', `expected one of ${served.join(', ')}, got '${modelId}'`);
  }
  return entry;
}
