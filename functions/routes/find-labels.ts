import type { ModelMetadata } from '../../core/contracts/model-metadata.ts';
import { type LabelSubset, LabelSubsetError, labelSubset } from '../../core/serving/label-subset.ts';
import { ApiError } from '../errors.ts';

/** The labels a request answers over (`?labels=`), all of the model's when absent; 400 when it lacks one. */
export function findLabels(metadata: ModelMetadata, requested: readonly string[] | undefined): LabelSubset {
  try {
    return labelSubset(metadata.labels, requested);
  } catch (error) {
    if (error instanceof LabelSubsetError) throw new ApiError('invalid_query', error.message);
    throw error;
  }
}
