import * as tfl from '@tensorflow/tfjs-layers';
import type { HybridConfig } from '../../core/contracts/model-configs.ts';
import { attentionPooling, classifierHead, lstm, type ModelBuilder } from './blocks.ts';
import { cnnEmbedding } from './cnn.ts';

export function buildHybrid(
  config: HybridConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  const [sequence, last] = lstm(builder, config.lstmUnits, {
    returnSequences: true,
    returnState: true,
  }).apply(input) as tfl.SymbolicTensor[];
  const attended = attentionPooling(builder, sequence, config.attentionUnits);
  const image = cnnEmbedding(builder, input, config.filters);
  const joined = tfl.layers
    .concatenate({ name: builder.name('concatenate') })
    .apply([attended, last, image]) as tfl.SymbolicTensor;
  return classifierHead(builder, joined, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}
