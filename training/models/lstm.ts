import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { classifierHead, dropout, lstm, type ModelBuilder } from './blocks.ts';

/** Stacked unidirectional LSTMs; the last one's final output feeds the classifier. */
export const LstmConfigSchema = z.strictObject({
  architecture: z.literal('lstm'),
  /** Units of each stacked LSTM layer, bottom first. */
  units: z.array(z.number().int().positive()).min(1).default([64, 64]),
  /** Dropout rate between layers and before the output. */
  dropout: z.number().min(0).lt(1).default(0.3),
  /** Hidden dense layer before the output; 0 for none. */
  denseUnits: z.number().int().nonnegative().default(0),
});

export type LstmConfig = z.output<typeof LstmConfigSchema>;

export function buildLstm(
  config: LstmConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  let x = input;
  config.units.forEach((units, i) => {
    const last = i === config.units.length - 1;
    x = lstm(builder, units, { returnSequences: !last }).apply(x) as tfl.SymbolicTensor;
    if (!last && config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  });
  return classifierHead(builder, x, { denseUnits: config.denseUnits, dropout: config.dropout, numClasses });
}
