import * as tfl from '@tensorflow/tfjs-layers';
import type { CnnConfig } from '../../core/contracts/model-configs.ts';
import { classifierHead, convolutionStack, type ModelBuilder } from './blocks.ts';

export function buildCnn(
  config: CnnConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  const pooled = cnnEmbedding(builder, input, config.filters);
  return classifierHead(builder, pooled, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}

/** The feature map as a one-channel image through the Conv2D stack, averaged to [batch, last filters]. */
export function cnnEmbedding(
  builder: ModelBuilder,
  input: tfl.SymbolicTensor,
  filters: number[],
): tfl.SymbolicTensor {
  const [, frames, dims] = input.shape;
  if (frames == null || dims == null)
    throw new Error(`expected a fixed [frames, dims] input, got ${input.shape}`);
  // Each block halves both axes; below 1 the wasm MaxPool reads out of bounds instead of failing cleanly.
  const reduction = 2 ** filters.length;
  if (frames < reduction || dims < reduction) {
    throw new Error(
      `expected frames and dims ≥ ${reduction} for ${filters.length} pooling blocks, got [${frames}, ${dims}]`,
    );
  }
  const image = tfl.layers
    .reshape({ targetShape: [frames, dims, 1], name: builder.name('reshape') })
    .apply(input) as tfl.SymbolicTensor;
  const features = convolutionStack(builder, image, filters, { dimensions: 2, kernelSize: 3 });
  return tfl.layers
    .globalAveragePooling2d({ name: builder.name('global_average_pooling2d') })
    .apply(features) as tfl.SymbolicTensor;
}
