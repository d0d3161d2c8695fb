import * as tfl from '@tensorflow/tfjs-layers';
import type { BaselineConfig } from '../../core/contracts/model-configs.ts';
import { UtteranceStatistics } from '../../core/network/utterance-statistics.ts';
import { dense, dropout, type ModelBuilder, OUTPUT_LAYER } from './blocks.ts';

export function buildBaseline(
  config: BaselineConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  let x = new UtteranceStatistics({ name: builder.name('utterance_statistics') }).apply(
    input,
  ) as tfl.SymbolicTensor;
  x = tfl.layers
    .batchNormalization({ name: builder.name('batch_normalization') })
    .apply(x) as tfl.SymbolicTensor;
  for (const units of config.hiddenUnits) {
    x = dense(builder, units, 'relu').apply(x) as tfl.SymbolicTensor;
    if (config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  }
  return dense(builder, numClasses, 'softmax', { name: OUTPUT_LAYER }).apply(x) as tfl.SymbolicTensor;
}
