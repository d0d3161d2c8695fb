import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { InferenceCost } from '../core/contracts/run-record.ts';
import type { CompiledNetwork } from '../core/network/compiled-network.ts';
import type { TrainingBackend } from './backend.ts';
import { createRandom } from './random.ts';
import { sortedMedian, sortedPercentile, timeRuns } from './timing.ts';

/**
 * What one forward pass of a layers model costs: multiply-accumulates counted analytically per layer, and wall
 * time measured on the current backend. One MAC is one multiplication added to an accumulator; a bias add
 * counts as one MAC (as in `(inputs + 1) × units`), activations, softmax and comparisons count nothing.
 */

/** MACs of one layer for one example (batch 1). */
export interface LayerMacs {
  name: string;
  className: string;
  macs: number;
}

export interface MacCount {
  total: number;
  layers: LayerMacs[];
}

type Shape = (number | null)[];

/** Layers that cost no multiply-accumulates: routing, reshaping, inference-time identity and pooling. */
const FREE_LAYERS = new Set([
  'InputLayer',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'Flatten',
  'Reshape',
  'Permute',
  'RepeatVector',
  'Concatenate',
  'Activation',
  'Softmax',
  'ReLU',
  'LeakyReLU',
  'ELU',
  // Pooling: max pooling only compares; average pooling adds window values (one add per input element, no
  // multiplication worth counting next to the layers around it).
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
]);

const product = (dims: readonly (number | null)[]) => dims.reduce<number>((total, d) => total * (d ?? 1), 1);

function single(shape: tfl.Shape | tfl.Shape[], layer: string, what: string): Shape {
  const first = Array.isArray(shape[0]) ? (shape as Shape[])[0] : (shape as Shape);
  if (first.slice(1).some((d) => d == null)) {
    throw new Error(`inference cost: expected a fixed ${what} shape for layer ${layer}, got [${first}]`);
  }
  return first;
}

interface RecurrentConfig {
  units: number;
  useBias?: boolean;
}

/** LSTM over [batch, steps, inputs]: 4 gates × (inputs + units + bias) × units per step. */
function lstmMacs(config: RecurrentConfig, input: Shape): number {
  const [, steps, inputs] = input as number[];
  return steps * 4 * (inputs + config.units + (config.useBias === false ? 0 : 1)) * config.units;
}

/** MACs of one layer for batch 1; throws for a layer class it has no rule for, so none is silently free. */
export function layerMacs(layer: tfl.layers.Layer): number {
  const className = layer.getClassName();
  if (FREE_LAYERS.has(className)) return 0;
  const config = layer.getConfig() as Record<string, unknown>;
  // The first call of the layer (a loaded model calls each layer once).
  const inputShapes = layer.inboundNodes[0]?.inputShapes ?? [];
  const input = () => single(inputShapes, layer.name, 'input');
  const output = () => single(layer.outputShape, layer.name, 'output');
  const bias = config.useBias === false ? 0 : 1;
  switch (className) {
    case 'Dense': {
      // Applied to the last axis at every position of the others.
      const shape = input();
      const inputs = shape.at(-1) as number;
      return product(shape.slice(1, -1)) * (inputs + bias) * (config.units as number);
    }
    case 'Conv1D':
    case 'Conv2D': {
      if (config.dataFormat === 'channelsFirst') {
        throw new Error(`inference cost: expected channelsLast for layer ${layer.name}, got channelsFirst`);
      }
      const kernel = product(config.kernelSize as number[]);
      const channels = input().at(-1) as number;
      // One kernel application (kernel × input channels + bias) per output position and filter.
      return product(output().slice(1)) * (kernel * channels + bias);
    }
    case 'BatchNormalization':
      // At inference a per-element scale and shift: one MAC per element.
      return product(output().slice(1));
    case 'LSTM':
      return lstmMacs(config as unknown as RecurrentConfig, input());
    case 'Bidirectional': {
      const wrapped = config.layer as { className: string; config: RecurrentConfig };
      if (wrapped.className !== 'LSTM') {
        throw new Error(
          `inference cost: expected Bidirectional to wrap an LSTM in layer ${layer.name}, got ${wrapped.className}`,
        );
      }
      return 2 * lstmMacs(wrapped.config, input());
    }
    case 'Dot': {
      // Each output element is a dot product over the contracted axis of the first input.
      const shapes = inputShapes as Shape[];
      const axes = Array.isArray(config.axes) ? (config.axes as number[]) : [config.axes as number];
      const axis = axes[0] < 0 ? shapes[0].length + axes[0] : axes[0];
      return product(output().slice(1)) * (shapes[0][axis] as number);
    }
    case 'UtteranceStatistics': {
      // core/network/utterance-statistics.ts: the mean accumulates every value, the variance squares and
      // accumulates every deviation; min and max only compare.
      const [, frames, dims] = input() as number[];
      return 2 * frames * dims;
    }
    default:
      throw new Error(
        `inference cost: no MAC rule for layer ${layer.name} of class ${className} (add one to training/inference-cost.ts)`,
      );
  }
}

/** MACs of one forward pass at batch 1, per layer and in total. */
export function countMacs(model: tfl.LayersModel): MacCount {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    macs: layerMacs(layer),
  }));
  return { total: layers.reduce((sum, layer) => sum + layer.macs, 0), layers };
}

export interface LatencyOptions {
  /** Timed forward passes (default 100). */
  runs?: number;
  /** Untimed passes first, so one-off costs (kernel setup, memory growth) stay out (default 10). */
  warmup?: number;
  /** Seed of the input values (seeded normal noise; the cost does not depend on them). */
  seed?: number;
}

export interface Latency {
  median: number;
  p95: number;
  runs: number;
}

/**
 * Times the model's forward pass on one input of its own shape (batch 1), reading the output back as the
 * serving path does: through `compiled` when given (core/network/compiled-network.ts, as the Worker runs
 * it), else on the current tfjs backend. Milliseconds, median and 95th percentile.
 */
export function measureLatency(
  model: tfl.LayersModel,
  options: LatencyOptions = {},
  compiled: CompiledNetwork | null = null,
): Latency {
  const runs = options.runs ?? 100;
  const warmup = options.warmup ?? 10;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`expected runs ≥ 1, got ${runs}`);
  const shape = single(model.inputs[0].shape, model.name, 'input').slice(1) as number[];
  const random = createRandom(options.seed ?? 1);
  const input = Float32Array.from({ length: product(shape) }, () => random.normal());
  const x = tf.tensor(input, [1, ...shape]);
  const pass = compiled
    ? () => compiled.run(input)
    : () =>
        tf.tidy(() => {
          (model.predict(x) as tf.Tensor).dataSync();
        });
  try {
    const times = timeRuns(pass, runs, warmup);
    return { median: sortedMedian(times), p95: sortedPercentile(times, 0.95), runs };
  } finally {
    x.dispose();
  }
}

/** The backend as one line: name, version, SIMD and threads, and the kernels registered on top. */
export function describeBackend(backend: TrainingBackend): string {
  const simd =
    backend.simd === null ? '' : `, SIMD ${backend.simd ? 'on' : 'off'}, ${backend.threads ?? '?'} thread(s)`;
  const kernels =
    backend.customKernels.length > 0 ? `; custom kernels: ${backend.customKernels.join(', ')}` : '';
  return `${backend.name} ${backend.versions.backend}${simd}${kernels}`;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * The run record's `inference`: MACs counted from the layers and latency measured here, now, through
 * `compiled` when given (as the Worker serves it).
 */
export function inferenceCost(
  model: tfl.LayersModel,
  backend: TrainingBackend,
  options: LatencyOptions = {},
  compiled: CompiledNetwork | null = null,
): InferenceCost {
  const macs = countMacs(model).total;
  const processors = cpus();
  const loadAverage = loadavg()[0];
  const latency = measureLatency(model, options, compiled);
  const kernels =
    compiled?.precision === 'int16' ? 'network.wasm, 16-bit products' : 'network.wasm, fused LSTM';
  const path = compiled ? `network compiled to the inference kernels (${kernels}); ` : '';
  return {
    macs,
    msPerClip: { median: round(latency.median, 3), p95: round(latency.p95, 3) },
    runs: latency.runs,
    backend: `${path}${describeBackend(backend)}`,
    cpu: { model: processors[0]?.model.trim() ?? 'unknown', cores: Math.max(1, processors.length) },
    node: process.versions.node,
    loadAverage: round(loadAverage, 2),
    measuredAt: new Date().toISOString(),
  };
}
