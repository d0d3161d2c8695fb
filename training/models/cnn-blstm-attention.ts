import type * as tfl from '@tensorflow/tfjs-layers';
import type { CnnBlstmAttentionConfig } from '../../core/contracts/model-configs.ts';
import { blstmAttentionPooling } from './attention-blstm.ts';
import { classifierHead, convolutionStack, dropout, type ModelBuilder } from './blocks.ts';

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
  let x = convolutionStack(builder, input, config.filters, { dimensions: 1, kernelSize: config.kernelSize });
  if (config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  const pooled = blstmAttentionPooling(builder, x, config.units, config.attentionUnits);
  return classifierHead(builder, pooled, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}
