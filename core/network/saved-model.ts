/** A saved tfjs layers model read without tfjs: model.json's topology and its weight shards, as layer specs. */
import { ACTIVATIONS, type Activation, type LayerSpec, Unsupported } from './network-types.ts';

/** A saved tfjs layers model as the Worker receives it: model.json's content and its weight shards by path. */
export interface SavedModel {
  modelJson: unknown;
  shards: Readonly<Record<string, ArrayBuffer>>;
}

export interface TopologyJson {
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

export interface ModelConfigJson {
  layers: LayerJson[];
  input_layers: [string, number, number][];
  output_layers: [string, number, number][];
}

/** Every float32 weight of the manifest by name, from the shard bytes (concatenated per group, in order). */
export function readWeights(json: TopologyJson, shards: SavedModel['shards']): Map<string, Float32Array> {
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

export function layerSpec(layer: LayerJson, weights: Map<string, Float32Array>): LayerSpec {
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
export function weightOf(layer: LayerSpec, key: string): Float32Array | null {
  return layer.weights.get(key) ?? null;
}

export function requiredWeight(layer: LayerSpec, key: string): Float32Array {
  const values = weightOf(layer, key);
  if (values === null) throw new Unsupported(`layer '${layer.name}': weight '${key}' is missing`);
  return values;
}

export function activationOf(
  layer: LayerSpec,
  config: Record<string, unknown>,
  key = 'activation',
): Activation {
  const name = config[key] ?? 'linear';
  if (typeof name !== 'string' || !ACTIVATIONS.has(name)) {
    throw new Unsupported(`layer '${layer.name}': activation ${JSON.stringify(name)} is not supported`);
  }
  return name as Activation;
}

/** A config entry that Keras may store as a number or a one-element list. */
export function single(layer: LayerSpec, config: Record<string, unknown>, key: string): number {
  const value = config[key];
  const number = Array.isArray(value) ? (value.length === 1 ? value[0] : Number.NaN) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new Unsupported(`layer '${layer.name}': expected one integer ${key}, got ${JSON.stringify(value)}`);
  }
  return number;
}
