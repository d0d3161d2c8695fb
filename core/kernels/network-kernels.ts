/**
 * JS face of the dense and convolution loops in `network.wasm` (source: `assembly/network.ts`, built by
 * `npm run build:kernels`), for core/network/compiled-network.ts. Instantiation takes an already compiled
 * module because workerd cannot compile wasm at run time: there `import networkWasm from './network.wasm'`
 * gives the module; Node reads the file (`load-node.ts`).
 *
 * Memory: each layer's weights are copied in once, padded to whole blocks of 8 output columns, and stay for
 * the kernels' lifetime (a served network is loaded once per isolate: 0.5 MB for the default model). Above
 * them, one call's input and output. Memory grows to the largest need and stays.
 */
import { align16 } from './wasm-memory.ts';

/** A layer's weights in wasm memory, from {@link NetworkKernels.loadDense}. */
export interface DenseWeights {
  readonly inputs: number;
  readonly outputs: number;
  /** Byte addresses of the padded kernel and bias, and the padded column count. */
  readonly kernelAt: number;
  readonly biasAt: number;
  readonly paddedOutputs: number;
}

export interface NetworkKernels {
  /**
   * Copies a layer's kernel ([inputs, outputs] row-major, the Keras layout; a Conv1D's [K, C, filters] is
   * [K·C, filters]) and bias (null: zeros) into the kernels' memory.
   */
  loadDense(kernel: Float32Array, bias: Float32Array | null, inputs: number, outputs: number): DenseWeights;
  /**
   * [rows, outputs]: row r of `x` (the `inputs` floats from r·rowStride) times the kernel, plus the bias, then
   * max(0, ·) when `relu`. Rows may overlap (rowStride < inputs: a convolution over a padded signal).
   */
  dense(weights: DenseWeights, x: Float32Array, rows: number, rowStride: number, relu: boolean): Float32Array;
  /** Size of the kernels' wasm memory. */
  memoryBytes(): number;
}

interface NetworkExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  dense(...args: number[]): void;
}

/** Output columns per block of the kernel (two f32x4 vectors). */
const BLOCK = 8;
const PAGE_BYTES = 65536;

export function createNetworkKernels(module: WebAssembly.Module): NetworkKernels {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as NetworkExports;
  let weightsEnd = align16(wasm.heapBase());

  const ensure = (end: number) => {
    const missing = end - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / PAGE_BYTES));
  };
  const floats = (address: number, count: number) => new Float32Array(wasm.memory.buffer, address, count);

  return {
    memoryBytes: () => wasm.memory.buffer.byteLength,

    loadDense(kernel, bias, inputs, outputs) {
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
      const paddedOutputs = Math.ceil(outputs / BLOCK) * BLOCK;
      const kernelAt = weightsEnd;
      const biasAt = align16(kernelAt + inputs * paddedOutputs * 4);
      weightsEnd = align16(biasAt + paddedOutputs * 4);
      ensure(weightsEnd);
      const padded = floats(kernelAt, inputs * paddedOutputs);
      padded.fill(0);
      for (let i = 0; i < inputs; i++) {
        padded.set(kernel.subarray(i * outputs, (i + 1) * outputs), i * paddedOutputs);
      }
      const paddedBias = floats(biasAt, paddedOutputs);
      paddedBias.fill(0);
      if (bias) paddedBias.set(bias);
      return { inputs, outputs, kernelAt, biasAt, paddedOutputs };
    },

    dense(weights, x, rows, rowStride, relu) {
      const { inputs, outputs, paddedOutputs } = weights;
      if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(rowStride) && rowStride > 0)) {
        throw new RangeError(
          `dense: expected whole rows and a positive row stride, got ${rows}, ${rowStride}`,
        );
      }
      const needed = rows === 0 ? 0 : (rows - 1) * rowStride + inputs;
      if (x.length < needed) {
        throw new RangeError(
          `dense: expected at least ${needed} input floats for ${rows} rows, got ${x.length}`,
        );
      }
      const xAt = weightsEnd;
      const outAt = align16(xAt + needed * 4);
      ensure(outAt + rows * paddedOutputs * 4);
      floats(xAt, needed).set(x.subarray(0, needed));
      wasm.dense(
        xAt,
        rows,
        rowStride,
        inputs,
        weights.kernelAt,
        weights.biasAt,
        paddedOutputs,
        outAt,
        relu ? 1 : 0,
      );
      const padded = floats(outAt, rows * paddedOutputs);
      if (paddedOutputs === outputs) return padded.slice();
      const out = new Float32Array(rows * outputs);
      for (let r = 0; r < rows; r++)
        out.set(padded.subarray(r * paddedOutputs, r * paddedOutputs + outputs), r * outputs);
      return out;
    },
  };
}
