import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { attentionPooling, bidirectionalLstm, classifierHead, type ModelBuilder } from './blocks.ts';

/**
 * BiLSTM with additive attention pooling over its states, concatenated with the last state of each direction
 * ("Emotion detection from speech using Bi-directional LSTM networks and attention mechanism in Keras").
 */
export const AttentionBlstmConfigSchema = z.strictObject({
  architecture: z.literal('attention-blstm'),
  /** Units per direction. */
  units: z.number().int().positive().default(64),
  /** Width of the tanh layer that scores each time step. */
  attentionUnits: z.number().int().positive().default(32),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type AttentionBlstmConfig = z.output<typeof AttentionBlstmConfigSchema>;

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
