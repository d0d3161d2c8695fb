import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { attentionPooling, classifierHead, lstm, type ModelBuilder } from './blocks.ts';
import { cnnEmbedding } from './cnn.ts';

/** An LSTM-with-attention branch and a CNN branch over the same features, concatenated, then dense layers. */
export const HybridConfigSchema = z.strictObject({
  architecture: z.literal('hybrid'),
  lstmUnits: z.number().int().positive().default(64),
  attentionUnits: z.number().int().positive().default(32),
  /** Filters of the CNN branch's Conv2D blocks (see cnn). */
  filters: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type HybridConfig = z.output<typeof HybridConfigSchema>;

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
