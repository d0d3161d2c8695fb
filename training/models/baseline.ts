import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { UtteranceStatistics } from '../../functions/model/utterance-statistics.ts';
import { dense, dropout, type ModelBuilder, OUTPUT_LAYER } from './blocks.ts';

/**
 * Classical baseline: utterance-level statistics (mean, std, min, max per feature), standardised by batch
 * normalisation, then logistic regression (no hidden units) or a small MLP.
 */
export const BaselineConfigSchema = z.strictObject({
  architecture: z.literal('baseline'),
  /** Hidden ReLU layers of the MLP; empty for logistic regression. */
  hiddenUnits: z.array(z.number().int().positive()).default([]),
  dropout: z.number().min(0).lt(1).default(0),
});

export type BaselineConfig = z.output<typeof BaselineConfigSchema>;

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
