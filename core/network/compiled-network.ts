/**
 * A served network's inference without tfjs: the layers of a saved tfjs layers model (model.json and its weight
 * shards, read without tfjs by saved-model.ts: no backend, no tensors) run in graph order, one input at a time. This
 * module orders the layers into steps and runs them; layer-ops.ts compiles the dense and convolution layers to
 * one WebAssembly SIMD call each (core/kernels/network-kernels.ts), a batch norm and max pooling straight after a
 * 1-D convolution into that call (fuseEpilogues), and the rest of the glue (batch norm and pooling elsewhere,
 * softmax, attention's dot product, concatenation) to plain loops; recurrent-ops.ts compiles the recurrences to
 * one fused LSTM call per direction (core/kernels/lstm-kernels.ts, or the network kernels' own at `int16`). The default
 * model's forward pass is about twenty calls instead of tfjs's hundred-odd kernel launches.
 *
 * Compiling reads the weights once and checks every layer, synchronously, so the Worker does it at start-up: a
 * network with a layer or option not listed here is not compiled, with the reason, and keeps running on tfjs. Inference semantics throughout: dropout and
 * noise layers pass their input on. Outputs match tfjs's within float rounding (sums run in another order) when the
 * network kernels run at `float32`; at `int16` (the served precision) within the 16-bit rounding of the products'
 * inputs, about 1e-3 in a probability (`npm run bench:precision`).
 *
 * Supported: InputLayer; Conv1D and Conv2D (stride 1, no dilation, 'same' or 'valid'; conv2d-ops.ts for the
 * 2-D layers); BatchNormalization (last axis); MaxPooling1D and MaxPooling2D ('valid'); GlobalAveragePooling1D/2D,
 * GlobalMaxPooling1D/2D; Dense (any rank); LSTM and
 * Bidirectional(LSTM) (tanh, sigmoid or hard-sigmoid gates, units a multiple of 4, merge 'concat', 'sum',
 * 'ave' or 'mul', with sequences and states); Flatten, Reshape; Softmax and Activation (last axis); Dot of
 * inputs of rank 1 or 2 (without the batch); Concatenate (last axis); UtteranceStatistics (the baselines');
 * Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout.
 * Activations: linear, relu, tanh, sigmoid, softmax.
 */
import type { NetworkPrecision } from '../kernels/network-kernels.ts';
import { conv2d, globalPooling2d, maxPooling2d } from './conv2d-ops.ts';
import {
  batchNormAffine,
  batchNormalization,
  type ConvEpilogue,
  concatenate,
  conv1d,
  dense,
  dot,
  globalPooling1d,
  lastAxisActivation,
  maxPooling1d,
  maxPooling1dOf,
  reshape,
  utteranceStatistics,
} from './layer-ops.ts';
import {
  type LayerSpec,
  type NetworkCompileKernels,
  type Step,
  Unsupported,
  type Value,
} from './network-types.ts';
import { bidirectional, recurrent } from './recurrent-ops.ts';
import {
  activationOf,
  layerSpec,
  type ModelConfigJson,
  readWeights,
  type SavedModel,
  type TopologyJson,
} from './saved-model.ts';

export interface CompiledNetworkResult {
  /** The model's output for the input, e.g. class probabilities. */
  output: Float32Array;
  /** The probed layer's output (e.g. attention weights), or null when none was asked for. */
  probe: Float32Array | null;
}

export interface CompiledNetwork {
  /** The input shape without the batch dimension, e.g. [frames, features]. */
  readonly inputShape: readonly number[];
  /** How its products run (core/kernels/network-kernels.ts). */
  readonly precision: NetworkPrecision;
  /** Runs one input of that shape. */
  run(input: Float32Array): CompiledNetworkResult;
}

/** A compiled network, or why the model cannot be compiled (it keeps running on tfjs). */
export type CompileOutcome =
  | { network: CompiledNetwork; unsupported: null }
  | { network: null; unsupported: string };

const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout']);

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
  const kept = new Set(probeLayer === null ? [outputLayer] : [outputLayer, probeLayer]);
  const { epilogues, absorbed } = fuseEpilogues(layers, kept);
  const steps: Step[] = layers
    .filter((layer) => layer.name !== inputLayer)
    .map((layer) => ({
      name: layer.name,
      sources: layer.sources,
      run: absorbed.has(layer.name)
        ? (inputs: Value[]) => [inputs[0]]
        : compileLayer(layer, kernels, epilogues.get(layer.name)),
    }));

  return {
    inputShape: inputShape as number[],
    precision: kernels.network.precision,
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

/**
 * The BatchNormalization and MaxPooling1D layers that can run inside the kernel call of the Conv1D before them:
 * each the only reader of the layer before it, in the order conv → batch norm → pooling (either may be
 * missing), after a relu or linear activation, and none of them the model's output or the probed layer. The
 * absorbed layers then pass their input on; a JS loop per value costs more than the convolution's own epilogue.
 */
function fuseEpilogues(
  layers: LayerSpec[],
  kept: Set<string>,
): { epilogues: Map<string, ConvEpilogue>; absorbed: Set<string> } {
  const readers = new Map<string, LayerSpec[]>();
  for (const layer of layers) {
    for (const { layer: from } of layer.sources) readers.set(from, [...(readers.get(from) ?? []), layer]);
  }
  const onlyReader = (name: string, className: string): LayerSpec | null => {
    const found = readers.get(name) ?? [];
    if (kept.has(name) || found.length !== 1) return null;
    const [reader] = found;
    return reader.className === className && reader.sources.length === 1 && !kept.has(reader.name)
      ? reader
      : null;
  };
  const epilogues = new Map<string, ConvEpilogue>();
  const absorbed = new Set<string>();
  for (const conv of layers) {
    if (conv.className !== 'Conv1D') continue;
    const activation = activationOf(conv, conv.config);
    if (activation !== 'relu' && activation !== 'linear') continue;
    const epilogue: ConvEpilogue = {};
    let last = conv.name;
    const norm = onlyReader(last, 'BatchNormalization');
    if (norm) {
      epilogue.affine = batchNormAffine(norm, norm.config);
      absorbed.add(norm.name);
      last = norm.name;
    }
    const pool = onlyReader(last, 'MaxPooling1D');
    if (pool) {
      epilogue.pool = maxPooling1dOf(pool, pool.config);
      absorbed.add(pool.name);
    }
    if (norm || pool) epilogues.set(conv.name, epilogue);
  }
  return { epilogues, absorbed };
}

function compileLayer(
  layer: LayerSpec,
  kernels: NetworkCompileKernels,
  epilogue?: ConvEpilogue,
): Step['run'] {
  const { className, config } = layer;
  if (PASS_THROUGH.has(className)) return (inputs) => [inputs[0]];
  switch (className) {
    case 'Conv1D':
      return conv1d(layer, config, kernels.network, epilogue);
    case 'BatchNormalization':
      return batchNormalization(layer, config);
    case 'MaxPooling1D':
      return maxPooling1d(layer, config);
    case 'Conv2D':
      return conv2d(layer, config, kernels.network);
    case 'MaxPooling2D':
      return maxPooling2d(layer, config);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return globalPooling2d(layer, config, className === 'GlobalMaxPooling2D');
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
