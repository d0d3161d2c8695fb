/** What the network compiler and its layer operations share: values between layers, steps, layer specs. */
import type { LstmKernels } from '../kernels/lstm-kernels.ts';
import type { NetworkKernels } from '../kernels/network-kernels.ts';

/** One input's value at a layer output: row-major data and its shape without the batch dimension. */
export interface Value {
  data: Float32Array;
  shape: number[];
}

/** Where a layer's input comes from: a layer and which of its outputs. */
export interface Source {
  layer: string;
  output: number;
}

/** A compiled layer: where its inputs come from and what it computes. */
export interface Step {
  name: string;
  sources: Source[];
  run(inputs: Value[]): Value[];
}

/** One layer as model.json describes it, with its weights by name (the part after `<layer>/`). */
export interface LayerSpec {
  name: string;
  className: string;
  /** The Keras config with camelCase keys, as tfjs's `getConfig()` has it. */
  config: Record<string, unknown>;
  weights: Map<string, Float32Array>;
  sources: Source[];
}

/** A layer or option the compiler does not take: the model keeps running on tfjs, with this as the reason. */
export class Unsupported extends Error {}

export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax';

export const ACTIVATIONS = new Set<string>(['linear', 'relu', 'tanh', 'sigmoid', 'softmax']);

export interface NetworkCompileKernels {
  lstm: LstmKernels;
  network: NetworkKernels;
}
