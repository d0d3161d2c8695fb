/**
 * Stock tfjs LSTM vs the fused kernels (core/network/fast-lstm.ts), same run, wasm backend in Node:
 * forward time of one 3 s clip (batch 1; 188 and 47 frames × 40 features; and a Conv1D front end that pools
 * 188 → 47) and train-step time (forward + backward + Adam) for batch 32 × 188 × 40 of a BiLSTM-64 +
 * attention classifier. Both models of a pair share their weights; the bench also prints how far their
 * outputs and losses differ.
 *
 * Usage: npm run bench:lstm [-- --steps N]   (N timed train steps per implementation, default 3)
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadLstmKernels } from '../../core/kernels/load-node.ts';
import { registerFastRecurrentLayers } from '../../core/network/fast-lstm.ts';
import { parseCommandLine } from '../cli/parse-args.ts';
import { registerTfjsGradients } from '../tfjs-node.ts';
import { timeRuns } from '../timing.ts';

type LstmFactory = (args: tfl.LSTMLayerArgs) => ReturnType<typeof tfl.layers.lstm>;

const features = 40;
const classes = 8;
const usage = 'usage: npm run bench:lstm [-- --steps N]';
const { values } = parseCommandLine({ options: { steps: { type: 'string', default: '3' } } }, usage, {
  summary:
    'Stock tfjs LSTM against the fused kernels, in one run: forward time of one 3 s clip and train-step time ' +
    'for a batch of 32, and how far the two outputs and losses differ.',
  options: { steps: 'timed train steps per implementation' },
});
const trainSteps = Number(values.steps);
if (!(Number.isInteger(trainSteps) && trainSteps >= 1)) {
  console.error(`expected --steps to be a whole number ≥ 1, got ${values.steps}\n${usage}`);
  process.exit(2);
}

await registerTfjsGradients();
await tf.setBackend('wasm');
if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got '${tf.getBackend()}'`);
const fast = registerFastRecurrentLayers(loadLstmKernels());
const stockLstm: LstmFactory = (args) => tfl.layers.lstm(args);

/** BiLSTM-64 + attention pooling over time (built-in layers only), optionally after a Conv1D front end. */
function buildClassifier(lstm: LstmFactory, frames: number, convFrontEnd: boolean): tfl.LayersModel {
  const input = tfl.input({ shape: [frames, features] });
  let x = input;
  if (convFrontEnd) {
    x = tfl.layers
      .conv1d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' })
      .apply(x) as typeof x;
    x = tfl.layers.maxPooling1d({ poolSize: 4 }).apply(x) as typeof x;
  }
  const steps = x.shape[1] as number;
  // glorotNormal instead of tfjs's default orthogonal: same cost per step, without its slow-init warnings.
  const recurrent = lstm({
    units: 64,
    returnSequences: true,
    recurrentActivation: 'sigmoid',
    recurrentInitializer: 'glorotNormal',
  });
  const sequence = tfl.layers
    .bidirectional({ layer: recurrent as never, mergeMode: 'concat' })
    .apply(x) as typeof x;
  const scores = tfl.layers.dense({ units: 1, activation: 'tanh' }).apply(sequence) as typeof x;
  const weights = tfl.layers.softmax().apply(tfl.layers.flatten().apply(scores)) as typeof x;
  const column = tfl.layers.reshape({ targetShape: [steps, 1] }).apply(weights) as typeof x;
  const pooled = tfl.layers.dot({ axes: 1 }).apply([column, sequence]) as typeof x;
  const output = tfl.layers
    .dense({ units: classes, activation: 'softmax' })
    .apply(tfl.layers.flatten().apply(pooled)) as typeof x;
  return tfl.model({ inputs: input, outputs: output });
}

/** The same architecture twice, stock and fused, with identical weights. */
function buildPair(frames: number, convFrontEnd: boolean) {
  const stock = fast.withStockLayers(() => buildClassifier(stockLstm, frames, convFrontEnd));
  const fused = buildClassifier(fast.lstm, frames, convFrontEnd);
  fused.setWeights(stock.getWeights());
  const recurrentClass = (model: tfl.LayersModel) =>
    (model.layers.find((l) => l.getClassName() === 'Bidirectional') as unknown as { forwardLayer: object })
      .forwardLayer.constructor;
  if (recurrentClass(stock) === recurrentClass(fused))
    throw new Error('expected stock and fused LSTM classes to differ');
  return { stock, fused };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time of `run` in ms after `warmup` untimed calls. */
function time(run: () => void, repeats: number, warmup = 2): number {
  return median(timeRuns(run, repeats, warmup));
}

const maxAbsDifference = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const format = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

console.log(`tfjs ${tf.version_core} on '${tf.getBackend()}' in Node ${process.version}\n`);
console.log('Forward, one 3 s clip (batch 1), median of 20:');
for (const [label, frames, conv] of [
  ['BiLSTM-64 + attention, 188 × 40', 188, false],
  ['BiLSTM-64 + attention, 47 × 40', 47, false],
  ['Conv1D(64, 5) + pool 4 → BiLSTM-64 + attention, 188 × 40', 188, true],
] as const) {
  const { stock, fused } = buildPair(frames, conv);
  const clip = tf.randomNormal([1, frames, features], 0, 1, 'float32', 1);
  const predict = (model: tfl.LayersModel) => () =>
    tf.tidy(() => (model.predict(clip) as tf.Tensor).dataSync());
  const stockMs = time(predict(stock), 20);
  const fusedMs = time(predict(fused), 20);
  const difference = tf.tidy(() =>
    maxAbsDifference(stock.predict(clip) as tf.Tensor, fused.predict(clip) as tf.Tensor),
  );
  console.log(
    `  ${label}: stock ${format(stockMs)}, fused ${format(fusedMs)} (${(stockMs / fusedMs).toFixed(1)}×), ` +
      `max |Δoutput| ${difference.toExponential(1)}`,
  );
  tf.dispose([clip]);
  stock.dispose();
  fused.dispose();
}

console.log(`\nTrain step (forward + backward + Adam), batch 32 × 188 × 40, median of ${trainSteps}:`);
{
  const { stock, fused } = buildPair(188, false);
  for (const model of [stock, fused]) {
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  }
  const x = tf.randomNormal([32, 188, features], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.randomUniform([32], 0, classes, 'int32', 3), classes);
  const losses = new Map<tfl.LayersModel, number[]>([
    [stock, []],
    [fused, []],
  ]);
  // Interleaved, so both see the same machine load; each model's weights evolve along its own trajectory.
  const step = (model: tfl.LayersModel) => async () => {
    const start = performance.now();
    losses.get(model)?.push((await model.trainOnBatch(x, y)) as number);
    return performance.now() - start;
  };
  const stockStep = step(stock);
  const fusedStep = step(fused);
  await stockStep(); // warm-up
  await fusedStep();
  const stockTimes: number[] = [];
  const fusedTimes: number[] = [];
  for (let i = 0; i < trainSteps; i++) {
    stockTimes.push(await stockStep());
    fusedTimes.push(await fusedStep());
  }
  const stockMs = median(stockTimes);
  const fusedMs = median(fusedTimes);
  const lossDifference = Math.max(
    ...(losses.get(stock) as number[]).map((loss, i) => Math.abs(loss - (losses.get(fused) as number[])[i])),
  );
  console.log(`  stock ${format(stockMs)}, fused ${format(fusedMs)} (${(stockMs / fusedMs).toFixed(1)}×)`);
  console.log(
    `  losses per step: stock ${losses
      .get(stock)
      ?.map((l) => l.toFixed(5))
      .join(' ')}`,
  );
  console.log(
    `                   fused ${losses
      .get(fused)
      ?.map((l) => l.toFixed(5))
      .join(' ')}`,
  );
  console.log(`  max |Δloss| ${lossDifference.toExponential(1)}`);
  console.log(
    `  one epoch of 1440 clips (45 steps): stock ≈ ${((45 * stockMs) / 1000).toFixed(0)} s, ` +
      `fused ≈ ${((45 * fusedMs) / 1000).toFixed(1)} s`,
  );
}
