/**
 * A served network's inference without tfjs: the layers of a saved tfjs layers model (model.json and its weight
 * shards, read here directly: no tfjs backend, no tensors) run in graph order, one input at a time, the dense and convolution layers as one WebAssembly SIMD call each
 * (core/kernels/network-kernels.ts), the recurrences as one fused LSTM call per direction
 * (core/kernels/lstm-kernels.ts), and the small glue (batch norm, pooling, softmax, attention's dot
 * product, concatenation) in plain loops. The default model's forward pass is about twenty calls instead of
 * tfjs's hundred-odd kernel launches.
 *
 * Compiling reads the weights once and checks every layer, synchronously, so the Worker does it at start-up: a
 * network with a layer or option not listed here is not compiled, with the reason, and keeps running on tfjs. Inference semantics throughout: dropout and
 * noise layers pass their input on. Outputs match tfjs's within float rounding (sums run in another order).
 *
 * Supported: InputLayer; Conv1D (stride 1, no dilation, 'same' or 'valid'); BatchNormalization (last axis);
 * MaxPooling1D ('valid'); GlobalAveragePooling1D, GlobalMaxPooling1D; Dense (any rank); LSTM and
 * Bidirectional(LSTM) (tanh, sigmoid or hard-sigmoid gates, units a multiple of 4, merge 'concat', 'sum',
 * 'ave' or 'mul', with sequences and states); Flatten, Reshape; Softmax and Activation (last axis); Dot of
 * inputs of rank 1 or 2 (without the batch); Concatenate (last axis); UtteranceStatistics (the baselines');
 * Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout.
 * Activations: linear, relu, tanh, sigmoid, softmax.
 */
import type { LstmKernels } from '../kernels/lstm-kernels.ts';
import type { DenseWeights, NetworkKernels } from '../kernels/network-kernels.ts';

/** One input's value at a layer output: row-major data and its shape without the batch dimension. */
interface Value {
  data: Float32Array;
  shape: number[];
}

/** Where a layer's input comes from: a layer and which of its outputs. */
interface Source {
  layer: string;
  output: number;
}

interface Step {
  name: string;
  sources: Source[];
  run(inputs: Value[]): Value[];
}

export interface CompiledNetworkResult {
  /** The model's output for the input, e.g. class probabilities. */
  output: Float32Array;
  /** The probed layer's output (e.g. attention weights), or null when none was asked for. */
  probe: Float32Array | null;
}

export interface CompiledNetwork {
  /** The input shape without the batch dimension, e.g. [frames, features]. */
  readonly inputShape: readonly number[];
  /** Runs one input of that shape. */
  run(input: Float32Array): CompiledNetworkResult;
}

export interface NetworkCompileKernels {
  lstm: LstmKernels;
  network: NetworkKernels;
}

/** A compiled network, or why the model cannot be compiled (it keeps running on tfjs). */
export type CompileOutcome =
  | { network: CompiledNetwork; unsupported: null }
  | { network: null; unsupported: string };

class Unsupported extends Error {}

type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax';
const ACTIVATIONS = new Set<string>(['linear', 'relu', 'tanh', 'sigmoid', 'softmax']);
const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout']);

/** A saved tfjs layers model as the Worker receives it: model.json's content and its weight shards by path. */
export interface SavedModel {
  modelJson: unknown;
  shards: Readonly<Record<string, ArrayBuffer>>;
}

/** One layer as model.json describes it, with its weights by name (the part after `<layer>/`). */
interface LayerSpec {
  name: string;
  className: string;
  /** The Keras config with camelCase keys, as tfjs's `getConfig()` has it. */
  config: Record<string, unknown>;
  weights: Map<string, Float32Array>;
  sources: Source[];
}

/**
 * Compiles a saved model (one input, one output). `probeLayer` names a layer whose output `run` also returns
 * (the attention weights); it must be one of the model's layers.
 */
export function compileNetwork(
  saved: SavedModel,
  kernels: NetworkCompileKernels,
  probeLayer: string | null = null,
): CompileOutcome {
  try {
    return { network: compile(saved, kernels, probeLayer), unsupported: null };
  } catch (error) {
    if (error instanceof Unsupported) return { network: null, unsupported: error.message };
    throw error;
  }
}

interface TopologyJson {
  modelTopology?: {
    class_name?: string;
    config?: unknown;
    model_config?: { class_name?: string; config?: unknown };
  };
  weightsManifest?: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype?: string; quantization?: unknown }[];
  }[];
}

interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes?: [string, number, number, unknown?][][];
}

interface ModelConfigJson {
  layers: LayerJson[];
  input_layers: [string, number, number][];
  output_layers: [string, number, number][];
}

function compile(
  saved: SavedModel,
  kernels: NetworkCompileKernels,
  probeLayer: string | null,
): CompiledNetwork {
  const json = saved.modelJson as TopologyJson;
  const topology = json.modelTopology?.model_config ?? json.modelTopology;
  if (topology?.class_name !== 'Model' && topology?.class_name !== 'Functional') {
    throw new Unsupported(`expected a functional model, got ${JSON.stringify(topology?.class_name)}`);
  }
  const config = topology.config as ModelConfigJson;
  if (config.input_layers.length !== 1 || config.output_layers.length !== 1) {
    throw new Unsupported(
      `expected one input and one output, got ${config.input_layers.length} and ${config.output_layers.length}`,
    );
  }
  const weights = readWeights(json, saved.shards);
  const layers = config.layers.map((layer) => layerSpec(layer, weights));
  if (probeLayer !== null && !layers.some((layer) => layer.name === probeLayer)) {
    throw new Unsupported(`expected a layer named '${probeLayer}' to probe, got none`);
  }
  const [inputLayer] = config.input_layers[0];
  const [outputLayer, , outputIndex] = config.output_layers[0];
  const input = layers.find((layer) => layer.name === inputLayer);
  const batchShape = input?.config.batchInputShape;
  const inputShape = Array.isArray(batchShape) ? (batchShape.slice(1) as (number | null)[]) : [];
  if (
    inputShape.length === 0 ||
    !inputShape.every((size) => Number.isInteger(size) && (size as number) > 0)
  ) {
    throw new Unsupported(`expected a fixed input shape, got ${JSON.stringify(batchShape)}`);
  }
  const steps: Step[] = layers
    .filter((layer) => layer.name !== inputLayer)
    .map((layer) => ({ name: layer.name, sources: layer.sources, run: compileLayer(layer, kernels) }));

  return {
    inputShape: inputShape as number[],
    run(input) {
      const size = (inputShape as number[]).reduce((a, b) => a * b, 1);
      if (input.length !== size) {
        throw new RangeError(
          `compiled network: expected ${size} input floats [${inputShape.join(', ')}], got ${input.length}`,
        );
      }
      const values = new Map<string, Value[]>([
        [inputLayer, [{ data: input, shape: inputShape as number[] }]],
      ]);
      for (const step of steps) {
        const inputs = step.sources.map(({ layer, output }) => {
          const value = values.get(layer)?.[output];
          if (!value)
            throw new Error(
              `compiled network: '${step.name}' needs output ${output} of '${layer}', not computed`,
            );
          return value;
        });
        values.set(step.name, step.run(inputs));
      }
      const output = values.get(outputLayer)?.[outputIndex];
      if (!output) throw new Error(`compiled network: output '${outputLayer}' not computed`);
      const probe = probeLayer === null ? null : (values.get(probeLayer)?.[0].data ?? null);
      return { output: output.data, probe };
    },
  };
}

/** Every float32 weight of the manifest by name, from the shard bytes (concatenated per group, in order). */
function readWeights(json: TopologyJson, shards: SavedModel['shards']): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const group of json.weightsManifest ?? []) {
    const parts = group.paths.map((path) => {
      const shard = shards[path];
      if (shard === undefined) throw new Unsupported(`weight shard '${path}' is missing`);
      return new Uint8Array(shard);
    });
    let bytes = parts[0] ?? new Uint8Array(0);
    if (parts.length > 1) {
      bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
    }
    let offset = 0;
    for (const { name, shape, dtype, quantization } of group.weights) {
      if ((dtype ?? 'float32') !== 'float32' || quantization !== undefined) {
        throw new Unsupported(`weight '${name}' is ${quantization ? 'quantised' : dtype}, not float32`);
      }
      const count = shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > bytes.length) throw new Unsupported(`weight '${name}' runs past its shards`);
      // A copy: shards need not be 4-byte aligned, and the values are read once, at compile time.
      weights.set(name, new Float32Array(bytes.slice(offset, offset + count * 4).buffer));
      offset += count * 4;
    }
  }
  return weights;
}

/** snake_case → camelCase, for keys and the few enum values Keras and tfjs spell differently. */
const camel = (text: string) => text.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
const PYTHONIC_VALUES = new Set(['hard_sigmoid', 'channels_last', 'channels_first']);

function camelCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCased);
  if (typeof value === 'string') return PYTHONIC_VALUES.has(value) ? camel(value) : value;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [camel(key), camelCased(entry)]));
}

function layerSpec(layer: LayerJson, weights: Map<string, Float32Array>): LayerSpec {
  const { name } = layer.config;
  const nodes = layer.inbound_nodes ?? [];
  if (nodes.length > 1)
    throw new Unsupported(`layer '${name}' is applied ${nodes.length} times; expected once`);
  const sources = (nodes[0] ?? []).map(([from, node, output]) => {
    if (node !== 0) throw new Unsupported(`layer '${name}' reads a shared layer's output`);
    return { layer: from, output };
  });
  const own = new Map<string, Float32Array>();
  for (const [key, values] of weights)
    if (key.startsWith(`${name}/`)) own.set(key.slice(name.length + 1), values);
  return {
    name,
    className: layer.class_name,
    config: camelCased(layer.config) as Record<string, unknown>,
    weights: own,
    sources,
  };
}

/** The layer's weight `key` (e.g. 'kernel', 'forward_lstm_1/bias'), or null when it has none. */
function weightOf(layer: LayerSpec, key: string): Float32Array | null {
  return layer.weights.get(key) ?? null;
}

function requiredWeight(layer: LayerSpec, key: string): Float32Array {
  const values = weightOf(layer, key);
  if (values === null) throw new Unsupported(`layer '${layer.name}': weight '${key}' is missing`);
  return values;
}

function activationOf(layer: LayerSpec, config: Record<string, unknown>, key = 'activation'): Activation {
  const name = config[key] ?? 'linear';
  if (typeof name !== 'string' || !ACTIVATIONS.has(name)) {
    throw new Unsupported(`layer '${layer.name}': activation ${JSON.stringify(name)} is not supported`);
  }
  return name as Activation;
}

/** A config entry that Keras may store as a number or a one-element list. */
function single(layer: LayerSpec, config: Record<string, unknown>, key: string): number {
  const value = config[key];
  const number = Array.isArray(value) ? (value.length === 1 ? value[0] : Number.NaN) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new Unsupported(`layer '${layer.name}': expected one integer ${key}, got ${JSON.stringify(value)}`);
  }
  return number;
}

function expectRank(layer: string, value: Value, rank: number): void {
  if (value.shape.length !== rank) {
    throw new Error(
      `compiled network: '${layer}' expected rank ${rank} per input, got [${value.shape.join(', ')}]`,
    );
  }
}

function compileLayer(layer: LayerSpec, kernels: NetworkCompileKernels): Step['run'] {
  const { className, config } = layer;
  if (PASS_THROUGH.has(className)) return (inputs) => [inputs[0]];
  switch (className) {
    case 'Conv1D':
      return conv1d(layer, config, kernels.network);
    case 'BatchNormalization':
      return batchNormalization(layer, config);
    case 'MaxPooling1D':
      return maxPooling1d(layer, config);
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
      return globalPooling1d(layer.name, className === 'GlobalMaxPooling1D');
    case 'UtteranceStatistics':
      return utteranceStatistics(layer.name);
    case 'Dense':
      return dense(layer, config, kernels.network);
    case 'LSTM':
      return recurrent(layer, config, kernels);
    case 'Bidirectional':
      return bidirectional(layer, config, kernels);
    case 'Flatten':
      return ([x]) => [{ data: x.data, shape: [x.data.length] }];
    case 'Reshape':
      return reshape(layer, config);
    case 'Softmax':
      return lastAxisActivation(layer, config, 'softmax');
    case 'Activation':
      return lastAxisActivation(layer, config, activationOf(layer, config));
    case 'Dot':
      return dot(layer, config);
    case 'Concatenate':
      return concatenate(layer, config);
    default:
      throw new Unsupported(`layer '${layer.name}' (${className}) is not supported`);
  }
}

/** Applies `activation` in place, along the last axis of rows of `width` for softmax. */
function activate(data: Float32Array, width: number, activation: Activation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < data.length; i++) data[i] = Math.max(0, data[i]);
      return;
    case 'tanh':
      for (let i = 0; i < data.length; i++) data[i] = Math.tanh(data[i]);
      return;
    case 'sigmoid':
      for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]));
      return;
    case 'softmax':
      for (let row = 0; row < data.length; row += width) {
        let peak = Number.NEGATIVE_INFINITY;
        for (let i = row; i < row + width; i++) peak = Math.max(peak, data[i]);
        let sum = 0;
        for (let i = row; i < row + width; i++) {
          data[i] = Math.exp(data[i] - peak);
          sum += data[i];
        }
        for (let i = row; i < row + width; i++) data[i] /= sum;
      }
  }
}

/** Dense weights in the kernels, and how to apply them to rows of a value (relu fused into the kernel). */
function denseOp(
  network: NetworkKernels,
  kernel: Float32Array,
  bias: Float32Array | null,
  inputs: number,
  outputs: number,
  activation: Activation,
) {
  const weights: DenseWeights = network.loadDense(kernel, bias, inputs, outputs);
  return (x: Float32Array, rows: number, rowStride: number): Float32Array => {
    const out = network.dense(weights, x, rows, rowStride, activation === 'relu');
    if (activation !== 'relu') activate(out, outputs, activation);
    return out;
  };
}

function conv1d(layer: LayerSpec, config: Record<string, unknown>, network: NetworkKernels): Step['run'] {
  const size = single(layer, config, 'kernelSize');
  const stride = single(layer, config, 'strides');
  const dilation = single(layer, config, 'dilationRate');
  const { padding, dataFormat } = config;
  // tfjs's 1-D layers are always channels last and leave dataFormat out of their config.
  const channelsLast = dataFormat === undefined || dataFormat === 'channelsLast';
  if (stride !== 1 || dilation !== 1 || (padding !== 'same' && padding !== 'valid') || !channelsLast) {
    throw new Unsupported(
      `layer '${layer.name}': expected stride 1, dilation 1, 'same' or 'valid' padding and channels last, got ${stride}, ${dilation}, ${String(padding)}, ${String(dataFormat)}`,
    );
  }
  const kernel = requiredWeight(layer, 'kernel');
  const bias = weightOf(layer, 'bias');
  const filters = single(layer, config, 'filters');
  const channels = kernel.length / (size * filters);
  const apply = denseOp(network, kernel, bias, size * channels, filters, activationOf(layer, config));
  // TensorFlow's 'same' puts the odd padding sample after the signal.
  const before = padding === 'same' ? Math.floor((size - 1) / 2) : 0;
  const after = padding === 'same' ? size - 1 - before : 0;
  return ([x]) => {
    expectRank(layer.name, x, 2);
    const [frames, width] = x.shape;
    if (width !== channels)
      throw new Error(`compiled network: '${layer.name}' expected ${channels} channels, got ${width}`);
    const rows = frames + before + after - size + 1;
    if (rows < 1)
      throw new Error(`compiled network: '${layer.name}' got ${frames} frames, fewer than its kernel`);
    let padded = x.data;
    if (before + after > 0) {
      padded = new Float32Array((frames + before + after) * channels);
      padded.set(x.data, before * channels);
    }
    return [{ data: apply(padded, rows, channels), shape: [rows, filters] }];
  };
}

function batchNormalization(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const axis = config.axis;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw new Unsupported(
      `layer '${layer.name}': expected normalisation over the last axis, got ${JSON.stringify(axis)}`,
    );
  }
  const gamma = weightOf(layer, 'gamma');
  const beta = weightOf(layer, 'beta');
  const mean = requiredWeight(layer, 'moving_mean');
  const variance = requiredWeight(layer, 'moving_variance');
  const epsilon = Number(config.epsilon);
  // y = (x − mean) · γ / √(var + ε) + β, as one multiply and one add per value.
  const factor = Float32Array.from(mean, (_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon));
  const shift = Float32Array.from(mean, (m, c) => (beta ? beta[c] : 0) - m * factor[c]);
  const channels = mean.length;
  return ([x]) => {
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      const c = i % channels;
      out[i] = x.data[i] * factor[c] + shift[c];
    }
    return [{ data: out, shape: x.shape }];
  };
}

function maxPooling1d(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const pool = single(layer, config, 'poolSize');
  const stride = config.strides == null ? pool : single(layer, config, 'strides');
  if (
    config.padding !== 'valid' ||
    (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
  ) {
    throw new Unsupported(
      `layer '${layer.name}': expected 'valid' padding and channels last, got ${String(config.padding)}`,
    );
  }
  return ([x]) => {
    expectRank(layer.name, x, 2);
    const [frames, channels] = x.shape;
    const rows = Math.floor((frames - pool) / stride) + 1;
    const out = new Float32Array(rows * channels);
    for (let t = 0; t < rows; t++) {
      for (let c = 0; c < channels; c++) {
        let peak = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < pool; k++) peak = Math.max(peak, x.data[(t * stride + k) * channels + c]);
        out[t * channels + c] = peak;
      }
    }
    return [{ data: out, shape: [rows, channels] }];
  };
}

function globalPooling1d(name: string, max: boolean): Step['run'] {
  return ([x]) => {
    expectRank(name, x, 2);
    const [frames, channels] = x.shape;
    const out = new Float32Array(channels).fill(max ? Number.NEGATIVE_INFINITY : 0);
    for (let t = 0; t < frames; t++) {
      for (let c = 0; c < channels; c++) {
        const value = x.data[t * channels + c];
        out[c] = max ? Math.max(out[c], value) : out[c] + value / frames;
      }
    }
    return [{ data: out, shape: [channels] }];
  };
}

/** utterance-statistics.ts's layer: per feature, mean, std (√(variance + 1e-8)), min and max over time. */
function utteranceStatistics(name: string): Step['run'] {
  return ([x]) => {
    expectRank(name, x, 2);
    const [frames, dims] = x.shape;
    const out = new Float32Array(4 * dims);
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < frames; t++) {
        const value = x.data[t * dims + d];
        sum += value;
        low = Math.min(low, value);
        high = Math.max(high, value);
      }
      const mean = sum / frames;
      let squares = 0;
      for (let t = 0; t < frames; t++) squares += (x.data[t * dims + d] - mean) ** 2;
      out[d] = mean;
      out[dims + d] = Math.sqrt(squares / frames + 1e-8);
      out[2 * dims + d] = low;
      out[3 * dims + d] = high;
    }
    return [{ data: out, shape: [4 * dims] }];
  };
}

function dense(layer: LayerSpec, config: Record<string, unknown>, network: NetworkKernels): Step['run'] {
  const kernel = requiredWeight(layer, 'kernel');
  const bias = weightOf(layer, 'bias');
  const units = single(layer, config, 'units');
  const inputs = kernel.length / units;
  const apply = denseOp(network, kernel, bias, inputs, units, activationOf(layer, config));
  return ([x]) => {
    const width = x.shape.at(-1);
    if (width !== inputs)
      throw new Error(`compiled network: '${layer.name}' expected ${inputs} inputs, got ${width}`);
    return [{ data: apply(x.data, x.data.length / inputs, inputs), shape: [...x.shape.slice(0, -1), units] }];
  };
}

/** One LSTM's compiled run: hidden states in processing order, the last one, and the final cell state. */
interface LstmRun {
  units: number;
  run(x: Value): { outputs: Float32Array; steps: number; lastOutput: Float32Array; finalCell: Float32Array };
}

/**
 * An LSTM's run from its config and its weights under `prefix` ('' for a plain LSTM layer, e.g.
 * 'forward_lstm_1/' inside a Bidirectional).
 */
function lstmOf(
  layer: LayerSpec,
  config: Record<string, unknown>,
  prefix: string,
  goBackwards: boolean,
  kernels: NetworkCompileKernels,
): LstmRun {
  const units = single(layer, config, 'units');
  const gates = config.recurrentActivation;
  if (config.activation !== 'tanh' || (gates !== 'sigmoid' && gates !== 'hardSigmoid') || units % 4 !== 0) {
    throw new Unsupported(
      `layer '${layer.name}': expected tanh, sigmoid or hard-sigmoid gates and units a multiple of 4, got ${String(config.activation)}, ${String(gates)}, ${units}`,
    );
  }
  if (config.stateful || config.unroll === true)
    throw new Unsupported(`layer '${layer.name}': stateful or unrolled LSTMs are not supported`);
  const kernel = requiredWeight(layer, `${prefix}kernel`);
  const recurrentKernel = requiredWeight(layer, `${prefix}recurrent_kernel`);
  const bias = weightOf(layer, `${prefix}bias`);
  const inputs = kernel.length / (4 * units);
  const project = denseOp(kernels.network, kernel, bias, inputs, 4 * units, 'linear');
  const gateActivation = gates;
  return {
    units,
    run(x) {
      expectRank(layer.name, x, 2);
      const [steps, width] = x.shape;
      if (width !== inputs)
        throw new Error(`compiled network: '${layer.name}' expected ${inputs} inputs, got ${width}`);
      const xw = project(x.data, steps, inputs);
      const { outputs, finalCell } = kernels.lstm.forward(
        xw,
        recurrentKernel,
        { batch: 1, steps, units, goBackwards, gateActivation },
        false,
      );
      return { outputs, steps, lastOutput: outputs.slice((steps - 1) * units), finalCell };
    },
  };
}

function recurrent(
  layer: LayerSpec,
  config: Record<string, unknown>,
  kernels: NetworkCompileKernels,
): Step['run'] {
  const lstm = lstmOf(layer, config, '', Boolean(config.goBackwards), kernels);
  return ([x]) => {
    const { outputs, steps, lastOutput, finalCell } = lstm.run(x);
    const y = config.returnSequences
      ? { data: outputs, shape: [steps, lstm.units] }
      : { data: lastOutput, shape: [lstm.units] };
    if (!config.returnState) return [y];
    return [y, { data: lastOutput, shape: [lstm.units] }, { data: finalCell, shape: [lstm.units] }];
  };
}

function bidirectional(
  layer: LayerSpec,
  config: Record<string, unknown>,
  kernels: NetworkCompileKernels,
): Step['run'] {
  const wrapped = (config.layer ?? {}) as { className?: string; config?: Record<string, unknown> };
  const inner = wrapped.config ?? {};
  if (wrapped.className !== 'LSTM')
    throw new Unsupported(`layer '${layer.name}': wraps ${String(wrapped.className)}, not an LSTM`);
  const merge = config.mergeMode;
  if (merge !== 'concat' && merge !== 'sum' && merge !== 'ave' && merge !== 'mul') {
    throw new Unsupported(`layer '${layer.name}': merge mode ${JSON.stringify(merge)} is not supported`);
  }
  // The two directions' weights sit under forward_<lstm>/ and backward_<lstm>/.
  const prefixOf = (direction: string) => {
    const key = [...layer.weights.keys()].find(
      (name) => name.startsWith(direction) && name.endsWith('/kernel'),
    );
    if (key === undefined) throw new Unsupported(`layer '${layer.name}': no ${direction}… weights`);
    return key.slice(0, -'kernel'.length);
  };
  const goBackwards = Boolean(inner.goBackwards);
  const forward = lstmOf(layer, inner, prefixOf('forward_'), goBackwards, kernels);
  const backward = lstmOf(layer, inner, prefixOf('backward_'), !goBackwards, kernels);
  const { units } = forward;
  const returnSequences = Boolean(inner.returnSequences);
  const returnState = Boolean(inner.returnState);
  return ([x]) => {
    const f = forward.run(x);
    const b = backward.run(x);
    const rows = returnSequences ? f.steps : 1;
    const ys = returnSequences ? f.outputs : f.lastOutput;
    const width = merge === 'concat' ? 2 * units : units;
    const merged = new Float32Array(rows * width);
    for (let t = 0; t < rows; t++) {
      // tfjs reverses the backward layer's sequence so that both align with input time.
      const back = returnSequences ? (rows - 1 - t) * units : 0;
      const backSource = returnSequences ? b.outputs : b.lastOutput;
      for (let u = 0; u < units; u++) {
        const y = ys[t * units + u];
        const yRev = backSource[back + u];
        if (merge === 'concat') {
          merged[t * width + u] = y;
          merged[t * width + units + u] = yRev;
        } else {
          merged[t * width + u] = merge === 'sum' ? y + yRev : merge === 'mul' ? y * yRev : (y + yRev) / 2;
        }
      }
    }
    const output = { data: merged, shape: returnSequences ? [rows, width] : [width] };
    if (!returnState) return [output];
    const state = (data: Float32Array) => ({ data, shape: [units] });
    return [output, state(f.lastOutput), state(f.finalCell), state(b.lastOutput), state(b.finalCell)];
  };
}

function reshape(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const target = config.targetShape;
  if (!Array.isArray(target) || !target.every((size) => Number.isInteger(size) && size > 0)) {
    throw new Unsupported(
      `layer '${layer.name}': expected a positive integer target shape, got ${JSON.stringify(target)}`,
    );
  }
  const size = target.reduce((a: number, b: number) => a * b, 1);
  return ([x]) => {
    if (x.data.length !== size)
      throw new Error(
        `compiled network: '${layer.name}' cannot reshape ${x.data.length} values to [${target.join(', ')}]`,
      );
    return [{ data: x.data, shape: target as number[] }];
  };
}

/** Softmax or another activation over the last axis; a Softmax layer must act on that axis. */
function lastAxisActivation(
  layer: LayerSpec,
  config: Record<string, unknown>,
  activation: Activation,
): Step['run'] {
  const axis = config.axis;
  return ([x]) => {
    // The config's axis counts the batch dimension.
    if (activation === 'softmax' && axis !== undefined && axis !== -1 && axis !== x.shape.length) {
      throw new Error(
        `compiled network: '${layer.name}' expected softmax over the last axis, got axis ${String(axis)}`,
      );
    }
    const data = x.data.slice();
    activate(data, x.shape.at(-1) ?? data.length, activation);
    return [{ data, shape: x.shape }];
  };
}

function dot(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const axes = Array.isArray(config.axes) ? config.axes : [config.axes, config.axes];
  if (config.normalize || !axes.every((axis) => axis === 1 || axis === 2)) {
    throw new Unsupported(
      `layer '${layer.name}': expected axes 1 or 2 without normalisation, got ${JSON.stringify(config.axes)}`,
    );
  }
  // Per input (no batch dimension): contract axis axes[0] − 1 of a with axis axes[1] − 1 of b. A rank-1
  // input is a column [n, 1] whose size-1 axis leaves the result (tfjs's batchDot of [B, n] and [B, n, m]).
  const [axisA, axisB] = axes.map((axis) => (axis as number) - 1);
  const asMatrix = (value: Value): Value => {
    if (value.shape.length === 1) return { data: value.data, shape: [value.shape[0], 1] };
    expectRank(layer.name, value, 2);
    return value;
  };
  return ([first, second]) => {
    const a = asMatrix(first);
    const b = asMatrix(second);
    const length = a.shape[axisA];
    if (b.shape[axisB] !== length) {
      throw new Error(`compiled network: '${layer.name}' contracts ${length} with ${b.shape[axisB]}`);
    }
    const restA = a.shape[1 - axisA];
    const restB = b.shape[1 - axisB];
    const at = (value: Value, axis: number, k: number, r: number) =>
      axis === 0 ? value.data[k * value.shape[1] + r] : value.data[r * value.shape[1] + k];
    const out = new Float32Array(restA * restB);
    for (let i = 0; i < restA; i++) {
      for (let j = 0; j < restB; j++) {
        let sum = 0;
        for (let k = 0; k < length; k++) sum += at(a, axisA, k, i) * at(b, axisB, k, j);
        out[i * restB + j] = sum;
      }
    }
    const shape = [
      ...(first.shape.length === 1 ? [] : [restA]),
      ...(second.shape.length === 1 ? [] : [restB]),
    ];
    return [{ data: out, shape: shape.length === 0 ? [1] : shape }];
  };
}

function concatenate(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  return (inputs) => {
    const rank = inputs[0].shape.length;
    if (config.axis !== -1 && config.axis !== rank) {
      throw new Error(
        `compiled network: '${layer.name}' expected concatenation along the last axis, got ${String(config.axis)}`,
      );
    }
    const widths = inputs.map((value) => value.shape.at(-1) ?? 1);
    const rows = inputs[0].data.length / widths[0];
    const width = widths.reduce((a, b) => a + b, 0);
    const out = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      let offset = r * width;
      inputs.forEach((value, i) => {
        out.set(value.data.subarray(r * widths[i], (r + 1) * widths[i]), offset);
        offset += widths[i];
      });
    }
    return [{ data: out, shape: [...inputs[0].shape.slice(0, -1), width] }];
  };
}
