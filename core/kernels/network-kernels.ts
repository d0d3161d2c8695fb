/**
 * JS face of the dense and convolution loops in `network.wasm` (source: `assembly/network.ts`, built by
 * `npm run build:kernels`), for core/network/compiled-network.ts. Instantiation takes an already compiled
 * module because workerd cannot compile wasm at run time: there `import networkWasm from './network.wasm'`
 * gives the module; Node reads the file (`load-node.ts`). The loops use relaxed SIMD's multiply-add, which V8 runs
 * by default since 11.4 (Node 22, the workerd we pin, Chrome 114): Node 20's V8 rejects the module.
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
  /** Byte address of the padded scale and shift applied after the activation, or 0 for none. */
  readonly affineAt: number;
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
  /** Size of the kernels' wasm memory. */
  memoryBytes(): number;
}

interface NetworkExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  dense(...args: number[]): void;
  maxPoolRows(...args: number[]): void;
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
      const kernelAt = weightsEnd;
      const biasAt = align16(kernelAt + inputs * paddedOutputs * 4);
      const affineAt = affine ? align16(biasAt + paddedOutputs * 4) : 0;
      weightsEnd = align16((affine ? affineAt + paddedOutputs * 4 : biasAt) + paddedOutputs * 4);
      ensure(weightsEnd);
      const padded = floats(kernelAt, inputs * paddedOutputs);
      padded.fill(0);
      for (let i = 0; i < inputs; i++) {
        padded.set(kernel.subarray(i * outputs, (i + 1) * outputs), i * paddedOutputs);
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
      return { inputs, outputs, kernelAt, biasAt, paddedOutputs, affineAt };
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
      const denseAt = align16(xAt + needed * 4);
      const pooledAt = align16(denseAt + rows * paddedOutputs * 4);
      ensure(pooledAt + (pool ? outRows * paddedOutputs * 4 : 0));
      floats(xAt, needed).set(x.subarray(0, needed));
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
      if (pool) wasm.maxPoolRows(denseAt, outRows, paddedOutputs, pool.size, pool.stride, pooledAt);
      const padded = floats(pool ? pooledAt : denseAt, outRows * paddedOutputs);
      if (paddedOutputs === outputs) return padded.slice();
      const out = new Float32Array(outRows * outputs);
      for (let r = 0; r < outRows; r++)
        out.set(padded.subarray(r * paddedOutputs, r * paddedOutputs + outputs), r * outputs);
      return out;
    },
  };
}
