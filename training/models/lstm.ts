import type * as tfl from '@tensorflow/tfjs-layers';
import type { LstmConfig } from '../../core/contracts/model-configs.ts';
import { classifierHead, dropout, lstm, type ModelBuilder } from './blocks.ts';

/** One recurrent layer of `units` applied to `x`, returning its sequence or only its last output. */
export type RecurrentLayer = (
  x: tfl.SymbolicTensor,
  units: number,
  returnSequences: boolean,
) => tfl.SymbolicTensor;

/** `layer` stacked per `config.units` with dropout between, then the classifier head on the last output. */
export function buildStackedRecurrent(
  config: Omit<LstmConfig, 'architecture'>,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
  layer: RecurrentLayer,
): tfl.SymbolicTensor {
  let x = input;
  config.units.forEach((units, i) => {
    const last = i === config.units.length - 1;
    x = layer(x, units, !last);
    if (!last && config.dropout > 0) x = dropout(builder, config.dropout).apply(x) as tfl.SymbolicTensor;
  });
  return classifierHead(builder, x, { denseUnits: config.denseUnits, dropout: config.dropout, numClasses });
}

export function buildLstm(
  config: LstmConfig,
  input: tfl.SymbolicTensor,
  numClasses: number,
  builder: ModelBuilder,
): tfl.SymbolicTensor {
  return buildStackedRecurrent(
    config,
    input,
    numClasses,
    builder,
    (x, units, returnSequences) => lstm(builder, units, { returnSequences }).apply(x) as tfl.SymbolicTensor,
  );
}
