import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { bidirectionalLstm, classifierHead, dropout, type ModelBuilder } from './blocks.ts';

/** Stacked bidirectional LSTMs; the last one's final outputs (both directions) feed the classifier. */
export const BlstmConfigSchema = z.strictObject({
  architecture: z.literal('blstm'),
  /** Units per direction of each stacked layer, bottom first. */
  units: z.array(z.number().int().positive()).min(1).default([64, 64]),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(0),
});

export type BlstmConfig = z.output<typeof BlstmConfigSchema>;

export function buildBlstm(
  config: BlstmConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  let x = input;
  config.units.forEach((units, i) => {
    const last = i === config.units.length - 1;
    x = bidirectionalLstm(builder, x, units, { returnSequences: !last }) as tfl.SymbolicTensor;
    if (!last && config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  });
  return classifierHead(builder, x, { denseUnits: config.denseUnits, dropout: config.dropout, numClasses });
}
