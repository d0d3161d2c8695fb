import * as tfl from '@tensorflow/tfjs-layers';
import type { CnnBlstmAttentionConfig } from '../../core/contracts/model-configs.ts';
import { blstmAttentionPooling } from './attention-blstm.ts';
import { classifierHead, dropout, glorot, type ModelBuilder } from './blocks.ts';

export function buildCnnBlstmAttention(
  config: CnnBlstmAttentionConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  const frames = input.shape[1] ?? 0;
  if (frames < 2 ** config.filters.length) {
    throw new Error(
      `expected ≥ ${2 ** config.filters.length} frames for ${config.filters.length} pooling blocks, got ${frames}`,
    );
  }
  let x = input;
  for (const filters of config.filters) {
    x = tfl.layers
      .conv1d({
        filters,
        kernelSize: config.kernelSize,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: glorot(builder),
        name: builder.name('conv1d'),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ name: builder.name('batch_normalization') })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .maxPooling1d({ poolSize: 2, name: builder.name('max_pooling1d') })
      .apply(x) as tfl.SymbolicTensor;
  }
  if (config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  const pooled = blstmAttentionPooling(builder, x, config.units, config.attentionUnits);
  return classifierHead(builder, pooled, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}
