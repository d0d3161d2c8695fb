import type { RunRecord } from '../../../../core/contracts/run-record.ts';
import { CATEGORICAL } from '../charts/colour.ts';
import { type LineChartGeometry, lineChart } from '../charts/line-chart.ts';

type Fold = RunRecord['folds'][number];

/** Training solid, validation dashed: the styles tell the two apart without their colours. */
const TRAINING = CATEGORICAL[0];
const VALIDATION = CATEGORICAL[1];

const series = (fold: Fold, key: 'loss' | 'acc' | 'valLoss' | 'valUa') =>
  fold.history.flatMap((epoch) => {
    const y = epoch[key];
    return y === null ? [] : [{ x: epoch.epoch, y }];
  });

/** A fold's learning curves: loss, and training accuracy against validation UA, the best epoch marked. */
export function foldCurves(fold: Fold): { loss: LineChartGeometry; accuracy: LineChartGeometry } {
  const marker = { x: fold.bestEpoch, label: `kept: epoch ${fold.bestEpoch}` };
  const size = { width: 330, height: 200 };
  return {
    loss: lineChart(
      [
        { name: 'training loss', points: series(fold, 'loss'), colour: TRAINING },
        { name: 'validation loss', points: series(fold, 'valLoss'), colour: VALIDATION, dashed: true },
      ],
      { xLabel: 'epoch', yLabel: 'loss', marker, ...size },
    ),
    accuracy: lineChart(
      [
        { name: 'training accuracy', points: series(fold, 'acc'), colour: TRAINING },
        { name: 'validation UA', points: series(fold, 'valUa'), colour: VALIDATION, dashed: true },
      ],
      { xLabel: 'epoch', yLabel: 'accuracy / UA', yDomain: [0, 1], marker, ...size },
    ),
  };
}
