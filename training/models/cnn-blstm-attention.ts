import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { blstmAttentionPooling } from './attention-blstm.ts';
import { classifierHead, dropout, glorot, type ModelBuilder } from './blocks.ts';

/**
 * Conv1D front end pooling time by 2 per block (two blocks: 188 → 47 frames), then BiLSTM + attention pooling.
 * The recurrent part is the serving cost and it scales with time steps, so this is the likely serving model.
 */
export const CnnBlstmAttentionConfigSchema = z.strictObject({
  architecture: z.literal('cnn-blstm-attention'),
  /** Filters of each Conv1D → BatchNorm → MaxPool1D(2) block. */
  filters: z.array(z.number().int().positive()).min(1).default([64, 64]),
  kernelSize: z.number().int().positive().default(5),
  /** BiLSTM units per direction. */
  units: z.number().int().positive().default(64),
  attentionUnits: z.number().int().positive().default(32),
  dropout: z.number().min(0).lt(1).default(0.3),
  denseUnits: z.number().int().nonnegative().default(64),
});

export type CnnBlstmAttentionConfig = z.output<typeof CnnBlstmAttentionConfigSchema>;

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
  let x = input;
  for (const filters of config.filters) {
    x = tfl.layers
      .conv1d({
        filters,
        kernelSize: config.kernelSize,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: glorot(builder),
        name: builder.name('conv1d'),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ name: builder.name('batch_normalization') })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .maxPooling1d({ poolSize: 2, name: builder.name('max_pooling1d') })
      .apply(x) as tfl.SymbolicTensor;
  }
  if (config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  const pooled = blstmAttentionPooling(builder, x, config.units, config.attentionUnits);
  return classifierHead(builder, pooled, {
    denseUnits: config.denseUnits,
    dropout: config.dropout,
    numClasses,
  });
}
