/** One compiled operation per layer kind but the recurrences: dense and convolution on the kernels, the glue in loops. */
import {
  type ColumnAffine,
  type DenseWeights,
  type NetworkKernels,
  pooledRows,
  type RowPooling,
} from '../kernels/network-kernels.ts';
import { type Activation, type LayerSpec, type Step, Unsupported, type Value } from './network-types.ts';
import { activationOf, requiredWeight, single, weightOf } from './saved-model.ts';

export function expectRank(layer: string, value: Value, rank: number): void {
  if (value.shape.length !== rank) {
    throw new Error(
      `compiled network: '${layer}' expected rank ${rank} per input, got [${value.shape.join(', ')}]`,
    );
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

/**
 * What the layers after a convolution leave to its kernel call (compiled-network.ts decides): a batch
 * normalisation as a per-column affine after the activation, then max pooling over the rows. Only after a relu
 * or linear activation, which the kernel applies itself.
 */
export interface ConvEpilogue {
  affine?: ColumnAffine;
  pool?: RowPooling;
}

/** Dense weights in the kernels, and how to apply them to rows of a value (relu fused into the kernel). */
export function denseOp(
  network: NetworkKernels,
  kernel: Float32Array,
  bias: Float32Array | null,
  inputs: number,
  outputs: number,
  activation: Activation,
  epilogue: ConvEpilogue = {},
) {
  const inKernel = activation === 'relu' || activation === 'linear';
  if (!inKernel && (epilogue.affine || epilogue.pool)) {
    throw new Error(
      `compiled network: expected a relu or linear activation before an epilogue, got ${activation}`,
    );
  }
  const weights: DenseWeights = network.loadDense(kernel, bias, inputs, outputs, epilogue.affine);
  return (x: Float32Array, rows: number, rowStride: number): Float32Array => {
    const out = network.dense(weights, x, rows, rowStride, activation === 'relu', epilogue.pool);
    if (!inKernel) activate(out, outputs, activation);
    return out;
  };
}

export function conv1d(
  layer: LayerSpec,
  config: Record<string, unknown>,
  network: NetworkKernels,
  epilogue: ConvEpilogue = {},
): Step['run'] {
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
  const apply = denseOp(
    network,
    kernel,
    bias,
    size * channels,
    filters,
    activationOf(layer, config),
    epilogue,
  );
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
    const outRows = epilogue.pool ? pooledRows(rows, epilogue.pool) : rows;
    return [{ data: apply(padded, rows, channels), shape: [outRows, filters] }];
  };
}

/** A BatchNormalization layer as one multiply and one add per channel: y = x · scale + shift. */
export function batchNormAffine(layer: LayerSpec, config: Record<string, unknown>): ColumnAffine {
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
  // y = (x − mean) · γ / √(var + ε) + β.
  const scale = Float32Array.from(mean, (_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon));
  const shift = Float32Array.from(mean, (m, c) => (beta ? beta[c] : 0) - m * scale[c]);
  return { scale, shift };
}

export function batchNormalization(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const { scale: factor, shift } = batchNormAffine(layer, config);
  const channels = factor.length;
  return ([x]) => {
    const { data, shape } = x;
    if (shape.at(-1) !== channels) {
      throw new Error(`compiled network: '${layer.name}' expected ${channels} channels, got ${shape.at(-1)}`);
    }
    const out = new Float32Array(data.length);
    // Row by row rather than `i % channels` per value: the division costs more than the multiply-add.
    for (let row = 0; row < data.length; row += channels) {
      for (let c = 0; c < channels; c++) out[row + c] = data[row + c] * factor[c] + shift[c];
    }
    return [{ data: out, shape: x.shape }];
  };
}

/** A MaxPooling1D layer's pool and stride ('valid' padding, channels last). */
export function maxPooling1dOf(layer: LayerSpec, config: Record<string, unknown>): RowPooling {
  const size = single(layer, config, 'poolSize');
  const stride = config.strides == null ? size : single(layer, config, 'strides');
  if (
    config.padding !== 'valid' ||
    (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
  ) {
    throw new Unsupported(
      `layer '${layer.name}': expected 'valid' padding and channels last, got ${String(config.padding)}`,
    );
  }
  return { size, stride };
}

export function maxPooling1d(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
  const pooling = maxPooling1dOf(layer, config);
  const { size: pool, stride } = pooling;
  return ([x]) => {
    expectRank(layer.name, x, 2);
    const [frames, channels] = x.shape;
    const rows = pooledRows(frames, pooling);
    const { data } = x;
    const out = new Float32Array(rows * channels);
    // The first frame of each pool seeds the output row; the rest raise it channel by channel in memory order.
    for (let t = 0; t < rows; t++) {
      const first = t * stride * channels;
      out.set(data.subarray(first, first + channels), t * channels);
      for (let k = 1; k < pool; k++) {
        const from = first + k * channels;
        for (let c = 0; c < channels; c++) {
          const value = data[from + c];
          // A NaN wins, as with Math.max: the seed keeps its own (nothing compares greater). Unlike Math.max, a
          // tie between −0 and +0 keeps the earlier one, which no later layer can tell apart.
          if (value > out[t * channels + c] || Number.isNaN(value)) out[t * channels + c] = value;
        }
      }
    }
    return [{ data: out, shape: [rows, channels] }];
  };
}

export function globalPooling1d(name: string, max: boolean): Step['run'] {
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
export function utteranceStatistics(name: string): Step['run'] {
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

export function dense(
  layer: LayerSpec,
  config: Record<string, unknown>,
  network: NetworkKernels,
): Step['run'] {
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

export function reshape(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
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
export function lastAxisActivation(
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

export function dot(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
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

export function concatenate(layer: LayerSpec, config: Record<string, unknown>): Step['run'] {
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
