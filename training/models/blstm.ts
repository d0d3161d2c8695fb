import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { bidirectionalLstm, type ModelBuilder } from './blocks.ts';
import { buildStackedRecurrent, stackedRecurrentFields } from './lstm.ts';

/** Stacked bidirectional LSTMs; the last one's final outputs (both directions) feed the classifier. */
export const BlstmConfigSchema = z.strictObject({
  architecture: z.literal('blstm'),
  ...stackedRecurrentFields,
});

export type BlstmConfig = z.output<typeof BlstmConfigSchema>;

export function buildBlstm(
  config: BlstmConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  return buildStackedRecurrent(
    config,
    input,
    numClasses,
    builder,
    (x, units, returnSequences) =>
      bidirectionalLstm(builder, x, units, { returnSequences }) as tfl.SymbolicTensor,
  );
}
