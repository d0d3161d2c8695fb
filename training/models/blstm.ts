import type * as tfl from '@tensorflow/tfjs-layers';
import type { BlstmConfig } from '../../core/contracts/model-configs.ts';
import { bidirectionalLstm, type ModelBuilder } from './blocks.ts';
import { buildStackedRecurrent } from './lstm.ts';

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
