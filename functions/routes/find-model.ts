import type { ModelMetadata } from '../../core/contracts/model-metadata.ts';
import { type LabelSubset, LabelSubsetError, labelSubset } from '../../core/serving/label-subset.ts';
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

/** The labels a request answers over (`?labels=`), all of the model's when absent; 400 when it lacks one. */
export function findLabels(metadata: ModelMetadata, requested: readonly string[] | undefined): LabelSubset {
  try {
    return labelSubset(metadata.labels, requested);
  } catch (error) {
    if (error instanceof LabelSubsetError) throw new ApiError('invalid_query', error.message);
    throw error;
  }
}
