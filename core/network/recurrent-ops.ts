/**
 * LSTM and Bidirectional(LSTM) layers compiled to one fused kernel call per direction: the fused LSTM kernels
 * (float), or the network kernels' 16-bit recurrence when they run at `int16`.
 */
import { denseOp, expectRank } from './layer-ops.ts';
import {
  type LayerSpec,
  type NetworkCompileKernels,
  type Step,
  Unsupported,
  type Value,
} from './network-types.ts';
import { requiredWeight, single, weightOf } from './saved-model.ts';

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
  const int16 =
    kernels.network.precision === 'int16' ? kernels.network.loadRecurrent(recurrentKernel, units) : null;
  return {
    units,
    run(x) {
      expectRank(layer.name, x, 2);
      const [steps, width] = x.shape;
      if (width !== inputs)
        throw new Error(`compiled network: '${layer.name}' expected ${inputs} inputs, got ${width}`);
      const xw = project(x.data, steps, inputs);
      const { outputs, finalCell } = int16
        ? kernels.network.recurrence(int16, xw, steps, goBackwards, gateActivation)
        : kernels.lstm.forward(
            xw,
            recurrentKernel,
            { batch: 1, steps, units, goBackwards, gateActivation },
            false,
          );
      return { outputs, steps, lastOutput: outputs.slice((steps - 1) * units), finalCell };
    },
  };
}

export function recurrent(
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

export function bidirectional(
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
