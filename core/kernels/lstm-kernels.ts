/**
 * JS face of the fused LSTM recurrence in `lstm.wasm` (source: `assembly/lstm.ts`, built by
 * `npm run build:kernels`). Instantiation takes an already compiled module because workerd cannot compile
 * wasm at run time: there `import lstmWasm from './lstm.wasm'` gives the module; Node reads the file
 * (`load-node.ts`).
 */

/** Shape and options of one recurrence call. */
export interface LstmRecurrenceShape {
  batch: number;
  steps: number;
  /** Must be a multiple of 4 (SIMD lanes). */
  units: number;
  /** Process t = steps − 1 … 0; outputs stay in processing order, as tfjs's RNN returns them. */
  goBackwards: boolean;
  /** Activation of the i, f, o gates; the cell and output activation is tanh. */
  gateActivation: 'sigmoid' | 'hardSigmoid';
}

/** What the backward pass needs from the forward pass (copies: the wasm memory is reused per call). */
export interface LstmSavedState {
  shape: LstmRecurrenceShape;
  recurrentKernel: Float32Array;
  outputs: Float32Array;
  cells: Float32Array;
  tanhCells: Float32Array;
  gates: Float32Array;
}

export interface LstmForwardResult {
  /** [batch, steps, units] hidden states in processing order. */
  outputs: Float32Array;
  /** [batch, units] cell state after the last processed step (for `returnState`). */
  finalCell: Float32Array;
  /** Present only when the forward pass was asked to save for backward. */
  saved: LstmSavedState | null;
}

export interface LstmGradients {
  /** [batch, steps, 4·units], indexed by input time like `xw`. */
  dxw: Float32Array;
  /** [units, 4·units]. */
  dRecurrentKernel: Float32Array;
}

export interface LstmKernels {
  /**
   * Runs the recurrence over all steps. `xw` [batch, steps, 4·units] is x·W + b with gates in tfjs order
   * i | f | c | o; `recurrentKernel` is [units, 4·units]. Initial states are zero.
   */
  forward(
    xw: Float32Array,
    recurrentKernel: Float32Array,
    shape: LstmRecurrenceShape,
    saveForBackward: boolean,
  ): LstmForwardResult;
  /** Backpropagation through time; `dOutputs` is [batch, steps, units] in processing order. */
  backward(saved: LstmSavedState, dOutputs: Float32Array): LstmGradients;
  /** Size of the kernels' wasm memory: it grows to the largest call's need, then stays. */
  memoryBytes(): number;
}

interface LstmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
}

const pageBytes = 65536;

export function createLstmKernels(module: WebAssembly.Module): LstmKernels {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as LstmExports;
  const base = align16(wasm.heapBase());

  /** Lays out buffers of the given float counts from the heap base, growing memory as needed. */
  const layout = (floatCounts: number[]): number[] => {
    let offset = base;
    const addresses = floatCounts.map((count) => {
      const at = offset;
      offset = align16(offset + count * 4);
      return at;
    });
    const missing = offset - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / pageBytes));
    return addresses;
  };
  const view = (address: number, count: number) => new Float32Array(wasm.memory.buffer, address, count);

  return {
    memoryBytes: () => wasm.memory.buffer.byteLength,

    forward(xw, recurrentKernel, shape, saveForBackward) {
      const { batch, steps, units } = checkShape(shape);
      const sequence = batch * steps * units;
      expectLength('xw', xw, 4 * sequence);
      expectLength('recurrentKernel', recurrentKernel, 4 * units * units);
      const history = saveForBackward ? sequence : 0;
      const [xwAt, rAt, hAt, cAt, tanhCAt, gatesAt, zAt, cStateAt] = layout([
        xw.length,
        recurrentKernel.length,
        sequence,
        history,
        history,
        4 * history,
        4 * batch * units,
        batch * units,
      ]);
      view(xwAt, xw.length).set(xw);
      view(rAt, recurrentKernel.length).set(recurrentKernel);
      wasm.lstmForward(
        xwAt,
        rAt,
        hAt,
        cAt,
        tanhCAt,
        gatesAt,
        zAt,
        cStateAt,
        batch,
        steps,
        units,
        shape.goBackwards ? 1 : 0,
        shape.gateActivation === 'hardSigmoid' ? 1 : 0,
        saveForBackward ? 1 : 0,
      );
      const outputs = view(hAt, sequence).slice();
      const finalCell = view(cStateAt, batch * units).slice();
      if (!saveForBackward) return { outputs, finalCell, saved: null };
      return {
        outputs,
        finalCell,
        saved: {
          shape: { ...shape },
          recurrentKernel: recurrentKernel.slice(),
          outputs,
          cells: view(cAt, sequence).slice(),
          tanhCells: view(tanhCAt, sequence).slice(),
          gates: view(gatesAt, 4 * sequence).slice(),
        },
      };
    },

    backward(saved, dOutputs) {
      const { batch, steps, units } = saved.shape;
      const sequence = batch * steps * units;
      expectLength('dOutputs', dOutputs, sequence);
      const [dxwAt, drAt, dhAt, rAt, hAt, cAt, tanhCAt, gatesAt, dhNextAt, dcNextAt] = layout([
        4 * sequence,
        4 * units * units,
        sequence,
        4 * units * units,
        sequence,
        sequence,
        sequence,
        4 * sequence,
        batch * units,
        batch * units,
      ]);
      view(dhAt, sequence).set(dOutputs);
      view(rAt, saved.recurrentKernel.length).set(saved.recurrentKernel);
      view(hAt, sequence).set(saved.outputs);
      view(cAt, sequence).set(saved.cells);
      view(tanhCAt, sequence).set(saved.tanhCells);
      view(gatesAt, 4 * sequence).set(saved.gates);
      wasm.lstmBackward(
        dxwAt,
        drAt,
        dhAt,
        rAt,
        hAt,
        cAt,
        tanhCAt,
        gatesAt,
        dhNextAt,
        dcNextAt,
        batch,
        steps,
        units,
        saved.shape.goBackwards ? 1 : 0,
        saved.shape.gateActivation === 'hardSigmoid' ? 1 : 0,
      );
      return {
        dxw: view(dxwAt, 4 * sequence).slice(),
        dRecurrentKernel: view(drAt, 4 * units * units).slice(),
      };
    },
  };
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

function checkShape(shape: LstmRecurrenceShape): LstmRecurrenceShape {
  for (const key of ['batch', 'steps', 'units'] as const) {
    const value = shape[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`expected ${key} ≥ 1, got ${value}`);
  }
  if (shape.units % 4 !== 0) throw new Error(`expected units to be a multiple of 4, got ${shape.units}`);
  return shape;
}

function expectLength(name: string, values: Float32Array, expected: number): void {
  if (values.length !== expected)
    throw new Error(`expected ${name} of ${expected} floats, got ${values.length}`);
}
