/**
 * JS face of the dense, convolution and 16-bit recurrence loops in `network.wasm` (source: `assembly/network.ts`,
 * built by `npm run build:kernels`), for core/network/compiled-network.ts. Instantiation takes an already compiled
 * module because workerd cannot compile wasm at run time: there `import networkWasm from './network.wasm'`
 * gives the module; Node reads the file (`load-node.ts`). The float loops use relaxed SIMD's multiply-add, which V8
 * runs by default since 11.4 (Node 22, the workerd we pin, Chrome 114): Node 20's V8 rejects the module.
 *
 * Memory: each layer's weights are copied in once, padded to whole blocks of 8 output columns, and stay for
 * the kernels' lifetime (a served network is loaded once per isolate: the default model's memory is 384 KiB at
 * int16, 512 KiB at float32). Above them, one call's input and output. Memory grows to the largest need and stays.
 *
 * Precision: `float32` runs the products in floats; `int16` quantises every layer's weights per output column
 * when they are loaded, and each call's input with one scale (see assembly/network.ts), and also runs LSTM
 * recurrences (`loadRecurrent`, `recurrence`). Values become 16-bit integers of magnitude at most q
 * ({@link int16Factor}: 2590–8191 for the default model's layers, 12 to 13 bits of resolution), which keeps every
 * 32-bit sum in range, so the only error is that rounding: within 1 / (2q) of each input's largest value.
 */
import { align16 } from './wasm-memory.ts';

/** How the products run: in floats, or on 16-bit integers (the served network about 1.3× faster, bench:window-cpu). */
export type NetworkPrecision = 'float32' | 'int16';

/**
 * The precision served networks run at: in the Worker, `npm run classify`, the benches and training's scores
 * through the serving path. `npm run bench:precision` measures what it changes in the answers.
 */
export const SERVED_PRECISION: NetworkPrecision = 'int16';

/** A layer's 16-bit weights: pair-interleaved int16 at `kernelAt`, column scales at `scaleAt`. */
interface Int16Weights {
  kernelAt: number;
  scaleAt: number;
  /** Input pairs: inputs / 2, rounded up. */
  pairs: number;
  /** The factor both the weights and each call's inputs are quantised with ({@link int16Factor}). */
  q: number;
}

/** A layer's weights in wasm memory, from {@link NetworkKernels.loadDense}. */
export interface DenseWeights {
  readonly inputs: number;
  readonly outputs: number;
  /** Byte addresses of the padded kernel and bias, and the padded column count. */
  readonly kernelAt: number;
  readonly biasAt: number;
  readonly paddedOutputs: number;
  /** Byte address of the padded scale and shift applied after the activation, or 0 for none. */
  readonly affineAt: number;
  /** The 16-bit copy the products run on, when the kernels' precision is `int16` (then `kernelAt` is unused). */
  readonly int16: Int16Weights | null;
}

/** An LSTM direction's recurrent kernel in wasm memory, from {@link NetworkKernels.loadRecurrent}. */
export interface RecurrentWeights {
  readonly units: number;
  readonly weights: Int16Weights;
}

/** Per output column: y · scale + shift after the activation (a following batch normalisation, folded in). */
export interface ColumnAffine {
  scale: Float32Array;
  shift: Float32Array;
}

/** Max pooling over the output rows, as a following MaxPooling1D ('valid') does. */
export interface RowPooling {
  size: number;
  stride: number;
}

/** Rows left after pooling `rows` ('valid'): none when the pool is longer than the rows. */
export function pooledRows(rows: number, pool: RowPooling): number {
  return Math.max(0, Math.floor((rows - pool.size) / pool.stride) + 1);
}

export interface NetworkKernels {
  readonly precision: NetworkPrecision;
  /**
   * Copies a layer's kernel ([inputs, outputs] row-major, the Keras layout; a Conv1D's [K, C, filters] is
   * [K·C, filters]) and bias (null: zeros) into the kernels' memory.
   */
  loadDense(
    kernel: Float32Array,
    bias: Float32Array | null,
    inputs: number,
    outputs: number,
    affine?: ColumnAffine,
  ): DenseWeights;
  /**
   * [rows, outputs]: row r of `x` (the `inputs` floats from r·rowStride) times the kernel, plus the bias, then
   * max(0, ·) when `relu`, then the weights' affine if they have one. Rows may overlap (rowStride < inputs: a
   * convolution over a padded signal). With `pool`, the rows are max-pooled before they leave the kernels:
   * [floor((rows − size) / stride) + 1, outputs].
   */
  dense(
    weights: DenseWeights,
    x: Float32Array,
    rows: number,
    rowStride: number,
    relu: boolean,
    pool?: RowPooling,
  ): Float32Array;
  /**
   * Copies an LSTM direction's recurrent kernel ([units, 4·units], gates i | f | c | o) in, as 16-bit values; only
   * `int16` kernels run recurrences (float ones run in the fused LSTM kernels, core/kernels/lstm-kernels.ts).
   */
  loadRecurrent(recurrentKernel: Float32Array, units: number): RecurrentWeights;
  /**
   * One LSTM direction over `xw` [steps, 4·units] (x·W + b, indexed by input time) from a zero state: hidden
   * states [steps, units] in processing order (t = steps − 1 … 0 when `goBackwards`) and the final cell state.
   */
  recurrence(
    weights: RecurrentWeights,
    xw: Float32Array,
    steps: number,
    goBackwards: boolean,
    gateActivation: 'sigmoid' | 'hardSigmoid',
  ): { outputs: Float32Array; finalCell: Float32Array };
  /** Size of the kernels' wasm memory. */
  memoryBytes(): number;
}

interface NetworkExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  dense(...args: number[]): void;
  maxPoolRows(...args: number[]): void;
  quantise(x: number, count: number, q: number, out: number): number;
  denseInt16(...args: number[]): void;
  lstmInt16(...args: number[]): void;
}

/** Output columns per block of the kernel (two f32x4 vectors). */
const BLOCK = 8;
const PAGE_BYTES = 65536;
const INT32_MAX = 2 ** 31 - 1;

/**
 * The factor both sides of a 16-bit product over `inputs` values are quantised with: |value| ≤ q on each side, so
 * a sum of inputs · q² stays within 32 bits (q = 4095 for 128 inputs, 2590 for 320).
 */
export function int16Factor(inputs: number): number {
  return Math.min(32767, Math.floor(Math.sqrt(INT32_MAX / inputs)));
}

export function createNetworkKernels(
  module: WebAssembly.Module,
  precision: NetworkPrecision = 'float32',
): NetworkKernels {
  if (precision !== 'float32' && precision !== 'int16') {
    throw new RangeError(`network kernels: expected precision float32 or int16, got ${String(precision)}`);
  }
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as NetworkExports;
  let weightsEnd = align16(wasm.heapBase());

  const ensure = (end: number) => {
    const missing = end - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / PAGE_BYTES));
  };
  const floats = (address: number, count: number) => new Float32Array(wasm.memory.buffer, address, count);
  /** Reserves `bytes` of weight memory (16-byte aligned) and returns its address. */
  const reserve = (bytes: number) => {
    const at = weightsEnd;
    weightsEnd = align16(at + bytes);
    ensure(weightsEnd);
    return at;
  };

  /**
   * Quantises a [inputs, outputs] kernel per column into pair-interleaved int16 over `paddedOutputs` columns
   * (padding 0), with each column's scale divided by `inputFactor`, the factor its inputs will be quantised with.
   */
  const loadInt16 = (
    kernel: Float32Array,
    inputs: number,
    outputs: number,
    paddedOutputs: number,
    inputFactor: number,
  ): Int16Weights => {
    const pairs = Math.ceil(inputs / 2);
    const q = int16Factor(2 * pairs);
    const kernelAt = reserve(pairs * paddedOutputs * 4);
    const scaleAt = reserve(paddedOutputs * 4);
    const values = new Int16Array(wasm.memory.buffer, kernelAt, 2 * pairs * paddedOutputs);
    values.fill(0);
    const scales = floats(scaleAt, paddedOutputs);
    scales.fill(0);
    for (let j = 0; j < outputs; j++) {
      let largest = 0;
      for (let i = 0; i < inputs; i++) largest = Math.max(largest, Math.abs(kernel[i * outputs + j]));
      if (largest === 0) continue;
      const factor = q / largest;
      for (let i = 0; i < inputs; i++) {
        values[((i >> 1) * paddedOutputs + j) * 2 + (i & 1)] = Math.round(kernel[i * outputs + j] * factor);
      }
      scales[j] = largest / q / inputFactor;
    }
    return { kernelAt, scaleAt, pairs, q };
  };

  return {
    precision,
    memoryBytes: () => wasm.memory.buffer.byteLength,

    loadDense(kernel, bias, inputs, outputs, affine) {
      if (!(Number.isInteger(inputs) && inputs > 0 && Number.isInteger(outputs) && outputs > 0)) {
        throw new RangeError(`loadDense: expected positive integer sizes, got ${inputs} × ${outputs}`);
      }
      if (kernel.length !== inputs * outputs) {
        throw new RangeError(
          `loadDense: expected a kernel of ${inputs} × ${outputs} floats, got ${kernel.length}`,
        );
      }
      if (bias && bias.length !== outputs) {
        throw new RangeError(`loadDense: expected a bias of ${outputs} floats, got ${bias.length}`);
      }
      if (affine && (affine.scale.length !== outputs || affine.shift.length !== outputs)) {
        throw new RangeError(
          `loadDense: expected a scale and shift of ${outputs} floats, got ${affine.scale.length} and ${affine.shift.length}`,
        );
      }
      const paddedOutputs = Math.ceil(outputs / BLOCK) * BLOCK;
      // The input scale is applied per call (the kernel's `xScale`), so the column scales keep only the weights'.
      const int16 = precision === 'int16' ? loadInt16(kernel, inputs, outputs, paddedOutputs, 1) : null;
      const kernelAt = int16 ? 0 : reserve(inputs * paddedOutputs * 4);
      const biasAt = reserve(paddedOutputs * 4);
      const affineAt = affine ? reserve(2 * paddedOutputs * 4) : 0;
      if (!int16) {
        const padded = floats(kernelAt, inputs * paddedOutputs);
        padded.fill(0);
        for (let i = 0; i < inputs; i++) {
          padded.set(kernel.subarray(i * outputs, (i + 1) * outputs), i * paddedOutputs);
        }
      }
      const paddedBias = floats(biasAt, paddedOutputs);
      paddedBias.fill(0);
      if (bias) paddedBias.set(bias);
      if (affine) {
        // Padded columns: scale 0 and shift 0, so they stay 0 as without an affine.
        const table = floats(affineAt, 2 * paddedOutputs);
        table.fill(0);
        table.set(affine.scale);
        table.set(affine.shift, paddedOutputs);
      }
      return { inputs, outputs, kernelAt, biasAt, paddedOutputs, affineAt, int16 };
    },

    dense(weights, x, rows, rowStride, relu, pool) {
      const { inputs, outputs, paddedOutputs } = weights;
      if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(rowStride) && rowStride > 0)) {
        throw new RangeError(
          `dense: expected whole rows and a positive row stride, got ${rows}, ${rowStride}`,
        );
      }
      if (
        pool &&
        !(Number.isInteger(pool.size) && pool.size > 0 && Number.isInteger(pool.stride) && pool.stride > 0)
      ) {
        throw new RangeError(
          `dense: expected a positive whole pool and stride, got ${pool.size}, ${pool.stride}`,
        );
      }
      const outRows = pool ? pooledRows(rows, pool) : rows;
      const needed = rows === 0 ? 0 : (rows - 1) * rowStride + inputs;
      if (x.length < needed) {
        throw new RangeError(
          `dense: expected at least ${needed} input floats for ${rows} rows, got ${x.length}`,
        );
      }
      const xAt = weightsEnd;
      // The 16-bit copy of x, with one more value for a pair that runs past an odd-length row.
      const xqAt = align16(xAt + needed * 4);
      const denseAt = align16(xqAt + (weights.int16 ? (needed + 1) * 2 : 0));
      const pooledAt = align16(denseAt + rows * paddedOutputs * 4);
      ensure(pooledAt + (pool ? outRows * paddedOutputs * 4 : 0));
      floats(xAt, needed).set(x.subarray(0, needed));
      const { int16 } = weights;
      if (int16) {
        const xScale = wasm.quantise(xAt, needed, int16.q, xqAt);
        wasm.denseInt16(
          xqAt,
          xScale,
          rows,
          rowStride,
          int16.pairs,
          int16.kernelAt,
          int16.scaleAt,
          weights.biasAt,
          paddedOutputs,
          denseAt,
          relu ? 1 : 0,
          weights.affineAt,
        );
      } else {
        wasm.dense(
          xAt,
          rows,
          rowStride,
          inputs,
          weights.kernelAt,
          weights.biasAt,
          paddedOutputs,
          denseAt,
          relu ? 1 : 0,
          weights.affineAt,
        );
      }
      if (pool) wasm.maxPoolRows(denseAt, outRows, paddedOutputs, pool.size, pool.stride, pooledAt);
      const padded = floats(pool ? pooledAt : denseAt, outRows * paddedOutputs);
      if (paddedOutputs === outputs) return padded.slice();
      const out = new Float32Array(outRows * outputs);
      for (let r = 0; r < outRows; r++)
        out.set(padded.subarray(r * paddedOutputs, r * paddedOutputs + outputs), r * outputs);
      return out;
    },

    loadRecurrent(recurrentKernel, units) {
      if (precision !== 'int16') {
        throw new Error(
          `loadRecurrent: expected int16 kernels, got ${precision} (float recurrences run in the fused LSTM kernels)`,
        );
      }
      if (!(Number.isInteger(units) && units > 0 && units % 4 === 0)) {
        throw new RangeError(`loadRecurrent: expected units a positive multiple of 4, got ${units}`);
      }
      if (recurrentKernel.length !== 4 * units * units) {
        throw new RangeError(
          `loadRecurrent: expected a kernel of ${units} × ${4 * units} floats, got ${recurrentKernel.length}`,
        );
      }
      // h is quantised with the same factor as the kernel (|h| ≤ 1), so each column's scale also divides by it.
      const weights = loadInt16(recurrentKernel, units, 4 * units, 4 * units, int16Factor(units));
      return { units, weights };
    },

    recurrence(recurrent, xw, steps, goBackwards, gateActivation) {
      const { units, weights } = recurrent;
      if (!(Number.isInteger(steps) && steps > 0)) {
        throw new RangeError(`recurrence: expected a positive whole number of steps, got ${steps}`);
      }
      if (xw.length !== steps * 4 * units) {
        throw new RangeError(`recurrence: expected xw of ${steps} × ${4 * units} floats, got ${xw.length}`);
      }
      const xwAt = weightsEnd;
      const hAt = align16(xwAt + xw.length * 4);
      const zAt = align16(hAt + steps * units * 4);
      const hqAt = align16(zAt + 4 * units * 4);
      const cAt = align16(hqAt + units * 2);
      ensure(cAt + units * 4);
      floats(xwAt, xw.length).set(xw);
      wasm.lstmInt16(
        xwAt,
        weights.kernelAt,
        weights.scaleAt,
        hAt,
        zAt,
        hqAt,
        cAt,
        steps,
        units,
        goBackwards ? 1 : 0,
        gateActivation === 'hardSigmoid' ? 1 : 0,
        weights.q,
      );
      return { outputs: floats(hAt, steps * units).slice(), finalCell: floats(cAt, units).slice() };
    },
  };
}
