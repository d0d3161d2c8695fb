/** Examples held in memory: features [count, frames, dims] row-major (normalised), labels as class indices. */
export interface FeatureSet {
  features: Float32Array;
  labels: readonly number[];
  frames: number;
  dims: number;
  /**
   * Augmented copies of `features` (same shape, same order: copy k of example i is the same clip transformed);
   * each epoch every training example is drawn from the original or one of them, uniformly.
   */
  variants?: readonly Float32Array[];
  /** Group (corpus) of each example, for `maxExamplesPerGroup`. */
  groups?: readonly number[];
}
