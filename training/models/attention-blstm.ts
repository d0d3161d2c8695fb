import * as tfl from '@tensorflow/tfjs-layers';
import type { AttentionBlstmConfig } from '../../core/contracts/model-configs.ts';
import { attentionPooling, bidirectionalLstm, classifierHead, type ModelBuilder } from './blocks.ts';

export function buildAttentionBlstm(
  config: AttentionBlstmConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  const pooled = blstmAttentionPooling(builder, input, config.units, config.attentionUnits);
  return classifierHead(builder, pooled, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}

/** [attention-pooled BiLSTM states, last forward state, last backward state], concatenated. */
export function blstmAttentionPooling(
  builder: ModelBuilder,
  input: tfl.SymbolicTensor,
  units: number,
  attentionUnits: number,
): tfl.SymbolicTensor {
  const [sequence, forwardLast, , backwardLast] = bidirectionalLstm(builder, input, units, {
    returnSequences: true,
    returnState: true,
  }) as tfl.SymbolicTensor[];
  const pooled = attentionPooling(builder, sequence, attentionUnits);
  return tfl.layers
    .concatenate({ name: builder.name('concatenate') })
    .apply([pooled, forwardLast, backwardLast]) as tfl.SymbolicTensor;
}
