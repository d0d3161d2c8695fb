/**
 * A drop-in tfjs LSTM layer whose recurrence runs as one fused wasm kernel per layer, forward and backward.
 *
 * The layer is a subclass of tfjs-layers' LSTM registered under the same class name 'LSTM', so
 * `tf.loadLayersModel` and `Bidirectional` (which rebuilds its inner layers from their config) build it from
 * an unchanged model.json, and a model built with it saves a model.json that stock tfjs loads.
 *
 * Per call: x·W + b for all steps is one tfjs matMul (XNNPACK on the wasm backend); the recurrence
 * h_t = o ⊙ tanh(c_t), c_t = f ⊙ c_{t−1} + i ⊙ tanh(z_c) with z = xw_t + h_{t−1}·R is one op with a custom
 * gradient (BPTT in one kernel call).
 *
 * Fast path: activation 'tanh', recurrentActivation 'sigmoid' or 'hardSigmoid', units a multiple of 4,
 * float32 rank-3 input, with or without bias, returnSequences true/false, goBackwards, input dropout.
 * returnState gives [output, h, c] (no gradient through c). Anything else — masks, initial states, stateful, recurrentDropout while training, other
 * activations — runs tfjs's stock implementation unchanged (`fastPathBlocker` says why).
 */
import * as tf from '@tensorflow/tfjs-core';
// For its side effect: registering the stock LSTM class that is read below.
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LstmKernels, LstmRecurrenceShape } from '../kernels/lstm-kernels.ts';

type StockLstm = ReturnType<typeof tfl.layers.lstm>;
type LayerCallArgs = Parameters<StockLstm['call']>;
type LstmConstructor = new (args: tfl.LSTMLayerArgs) => StockLstm;

/** The parts of tfjs's LSTMCell that the fused path reads. */
interface LstmCellView {
  units: number;
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  dropoutFunc?: (ones: tf.Tensor, rate: number) => tf.Tensor;
  kernel: tfl.LayerVariable;
  recurrentKernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
}

// Captured at import, before any registration replaces the 'LSTM' entry.
const StockLstmClass = tf.serialization.SerializationMap.getMap().classNameMap
  .LSTM[0] as unknown as LstmConstructor;

export interface LstmRecurrenceOptions {
  goBackwards: boolean;
  gateActivation: LstmRecurrenceShape['gateActivation'];
}

/**
 * The fused recurrence as a tfjs op: `xw` [batch, steps, 4·units] (x·W + b, gates i|f|c|o) and
 * `recurrentKernel` [units, 4·units] → hidden states [batch, steps, units] in processing order, and the cell
 * state after the last step [batch, units]. Differentiable w.r.t. both inputs through the hidden states; saves
 * state for BPTT only while a gradient tape is recording. The kernel's BPTT starts from a zero cell-state
 * gradient, so a loss that depends on the returned cell state is refused rather than silently mis-trained.
 */
export function lstmRecurrence(
  kernels: LstmKernels,
  xw: tf.Tensor3D,
  recurrentKernel: tf.Tensor2D,
  options: LstmRecurrenceOptions,
): { outputs: tf.Tensor3D; finalCell: tf.Tensor2D } {
  const [batch, steps, gateWidth] = xw.shape;
  const units = gateWidth / 4;
  if (recurrentKernel.shape[0] !== units || recurrentKernel.shape[1] !== gateWidth) {
    throw new Error(
      `expected recurrentKernel of shape [${units},${gateWidth}], got [${recurrentKernel.shape}]`,
    );
  }
  const shape: LstmRecurrenceShape = { batch, steps, units, ...options };
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  // tfjs turns the tape off inside a custom op, so whether to save for backward is decided here.
  if (tf.engine().state.gradientDepth === 0) {
    const { outputs, finalCell } = kernels.forward(read(xw), read(recurrentKernel), shape, false);
    return {
      outputs: tf.tensor3d(outputs, [batch, steps, units]),
      finalCell: tf.tensor2d(finalCell, [batch, units]),
    };
  }
  // tf.customGrad takes one output tensor: the final cell state rides along as an extra step,
  // [batch, steps + 1, units], and is sliced off outside (slices are differentiable).
  const stride = (steps + 1) * units;
  const op = tf.customGrad((xwInput, recurrentInput) => {
    const { outputs, finalCell, saved } = kernels.forward(
      read(xwInput as tf.Tensor),
      read(recurrentInput as tf.Tensor),
      shape,
      true,
    );
    const packed = new Float32Array(batch * stride);
    for (let b = 0; b < batch; b++) {
      packed.set(outputs.subarray(b * steps * units, (b + 1) * steps * units), b * stride);
      packed.set(finalCell.subarray(b * units, (b + 1) * units), b * stride + steps * units);
    }
    return {
      value: tf.tensor3d(packed, [batch, steps + 1, units]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const dPacked = read(dy as tf.Tensor);
        const dOutputs = new Float32Array(batch * steps * units);
        for (let b = 0; b < batch; b++) {
          const cellGradient = dPacked.subarray(b * stride + steps * units, (b + 1) * stride);
          if (cellGradient.some((value) => value !== 0)) {
            throw new Error(
              "expected no gradient through the fused LSTM's returned cell state, got a non-zero one: " +
                'use the hidden state (or the stock LSTM) for losses that depend on the cell state',
            );
          }
          dOutputs.set(dPacked.subarray(b * stride, b * stride + steps * units), b * steps * units);
        }
        const { dxw, dRecurrentKernel } = kernels.backward(saved as NonNullable<typeof saved>, dOutputs);
        return [tf.tensor3d(dxw, xw.shape), tf.tensor2d(dRecurrentKernel, recurrentKernel.shape)];
      },
    };
  });
  const packed = op(xw, recurrentKernel) as tf.Tensor3D;
  const outputs = tf.slice(packed, [0, 0, 0], [batch, steps, units]);
  const finalCell = tf.reshape(tf.slice(packed, [0, steps, 0], [batch, 1, units]), [
    batch,
    units,
  ]) as tf.Tensor2D;
  return { outputs, finalCell };
}

/**
 * Why `layer` cannot take the fused path for this call, or null if it can. Exported so callers can
 * check that their models are served fast.
 */
export function fastPathBlocker(
  layer: StockLstm,
  inputs: LayerCallArgs[0],
  kwargs: LayerCallArgs[1],
): string | null {
  const cell = layer.cell as unknown as LstmCellView;
  const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
  if (input == null) {
    return `expected one input tensor, got ${(inputs as tf.Tensor[]).length} (initial states)`;
  }
  if (input.rank !== 3 || input.dtype !== 'float32') {
    return `expected a float32 rank-3 input, got ${input.dtype} rank ${input.rank}`;
  }
  if (kwargs?.mask != null) return 'masks are not supported';
  if (kwargs?.initialState != null) return 'initial states are not supported';
  if (layer.stateful) return 'stateful layers are not supported';
  if (cell.units % 4 !== 0) return `expected units to be a multiple of 4, got ${cell.units}`;
  const activation = cell.activation.getClassName();
  if (activation !== 'tanh') return `expected activation 'tanh', got '${activation}'`;
  const gate = cell.recurrentActivation.getClassName();
  if (gate !== 'sigmoid' && gate !== 'hardSigmoid') {
    return `expected recurrentActivation 'sigmoid' or 'hardSigmoid', got '${gate}'`;
  }
  if (kwargs?.training === true && cell.recurrentDropout > 0 && cell.recurrentDropout < 1) {
    return 'recurrentDropout while training is not supported';
  }
  return null;
}

/** Builders for layers that take the fused path (the class itself is registered as 'LSTM'). */
export interface FastRecurrentLayers {
  /** Same arguments as `tf.layers.lstm`. */
  lstm(args: tfl.LSTMLayerArgs): StockLstm;
  /**
   * Runs `build` with tfjs's stock LSTM registered as 'LSTM' (so `Bidirectional` and `loadLayersModel`
   * build stock layers), then registers the fused one again. For comparisons in tests and benchmarks.
   */
  withStockLayers<T>(build: () => T): T;
}

/**
 * Registers the fused LSTM under tfjs's class name 'LSTM': from then on `tf.loadLayersModel` and every
 * `Bidirectional` build it. `tf.layers.lstm` still builds the stock layer; use the returned `lstm`.
 */
export function registerFastRecurrentLayers(kernels: LstmKernels): FastRecurrentLayers {
  class FastLSTM extends StockLstmClass {
    static className = 'LSTM';

    override call(inputs: LayerCallArgs[0], kwargs: LayerCallArgs[1]): tf.Tensor | tf.Tensor[] {
      if (fastPathBlocker(this, inputs, kwargs) != null) return super.call(inputs, kwargs);
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.tidy(() => fusedLstmCall(this, kernels, input as tf.Tensor3D, kwargs?.training === true));
    }
  }
  register(FastLSTM);
  return {
    lstm: (args) => new FastLSTM(args),
    withStockLayers(build) {
      register(StockLstmClass);
      try {
        return build();
      } finally {
        register(FastLSTM);
      }
    },
  };
}

/**
 * x·W whose gradients use explicit transposes: tfjs's own matMul gradient multiplies with a transposed
 * operand, which misses XNNPACK's fast path on the wasm backend (x^T·dy took ~135 ms of a 530 ms train step).
 */
const inputProjection = tf.customGrad((x, kernel, save) => {
  // Saved, not captured: the caller's tidy disposes intermediates such as x before the backward pass.
  (save as tf.GradSaveFunc)([x as tf.Tensor, kernel as tf.Tensor]);
  return {
    value: tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [x2d, w]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)),
      tf.matMul(tf.transpose(x2d as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
}) as (x: tf.Tensor2D, kernel: tf.Tensor) => tf.Tensor2D;

/** Registers a layer class under its static className (tfjs's typing cannot see statics of a mixin base). */
function register(layerClass: LstmConstructor): void {
  tf.serialization.registerClass(
    layerClass as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}

function fusedLstmCall(
  layer: StockLstm,
  kernels: LstmKernels,
  input: tf.Tensor3D,
  training: boolean,
): tf.Tensor | tf.Tensor[] {
  const cell = layer.cell as unknown as LstmCellView;
  const [batch, steps, features] = input.shape;
  const units = cell.units;
  let x: tf.Tensor = input;
  if (training && cell.dropout > 0 && cell.dropout < 1) {
    // As tfjs's LSTMCell: one [batch, features] mask for all steps (it draws four and uses the first).
    const ones = tf.ones([batch, features]);
    const mask =
      cell.dropoutFunc != null ? cell.dropoutFunc(ones, cell.dropout) : tf.dropout(ones, cell.dropout);
    x = tf.mul(x, tf.expandDims(mask, 1));
  }
  const projected = inputProjection(
    tf.reshape(x, [batch * steps, features]) as tf.Tensor2D,
    cell.kernel.read(),
  );
  let xw = tf.reshape(projected, [batch, steps, 4 * units]);
  if (cell.useBias && cell.bias != null) xw = tf.add(xw, cell.bias.read());
  const { outputs, finalCell } = lstmRecurrence(
    kernels,
    xw as tf.Tensor3D,
    cell.recurrentKernel.read() as tf.Tensor2D,
    {
      goBackwards: layer.goBackwards,
      gateActivation: cell.recurrentActivation.getClassName() as LstmRecurrenceOptions['gateActivation'],
    },
  );
  const lastHidden = tf.reshape(tf.slice(outputs, [0, steps - 1, 0], [batch, 1, units]), [batch, units]);
  const output = layer.returnSequences ? outputs : lastHidden;
  // As tfjs: [output, h, c] with the states after the last processed step.
  return layer.returnState ? [output, lastHidden, finalCell] : output;
}
