import '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  type KernelConfig,
  Reverse,
  registerKernel,
  SplitV,
  Tile,
  Unpack,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { transposeFirstBatchMatMul } from './batch-mat-mul.ts';
import { conv2DBackpropFilterIm2Col } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputCol2Im } from './conv2d-backprop-input.ts';
import { sharedIdentity } from './identity.ts';
import { blockCopyReverse } from './reverse.ts';
import { heapCopySplitV } from './split-v.ts';
import { blockCopyTile } from './tile.ts';
import { heapCopyUnpack } from './unpack.ts';

/** Kernels this module adds (Conv2DBackpropFilter) to or replaces in the wasm backend, by tfjs kernel name. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'Unpack',
  'SplitV',
  'Reverse',
  'Identity',
  'Tile',
] as const;

let registered = false;

/** The kernels registered by registerWasmTrainingKernels so far: all of them, or none. */
export function registeredWasmTrainingKernels(): readonly string[] {
  return registered ? WASM_TRAINING_KERNELS : [];
}

/**
 * Registers the training kernels on the wasm backend (idempotent). Works before or after
 * `tf.setBackend('wasm')`: replaced kernels keep the stock setup function, which tfjs runs whenever the
 * backend is selected, because the replacements call into the stock kernels.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  if (registered) return WASM_TRAINING_KERNELS;
  const replace = (name: string, improve: (stock: KernelConfig) => KernelConfig) => {
    const stock = getKernel(name, 'wasm');
    if (stock == null) throw new Error(`expected a stock wasm kernel '${name}' to replace, got none`);
    unregisterKernel(name, 'wasm');
    registerKernel(improve(stock));
  };
  registerKernel(conv2DBackpropFilterIm2Col());
  replace(Conv2DBackpropInput, conv2DBackpropInputCol2Im);
  replace(BatchMatMul, transposeFirstBatchMatMul);
  replace(Unpack, heapCopyUnpack);
  replace(SplitV, heapCopySplitV);
  replace(Reverse, blockCopyReverse);
  replace(Identity, sharedIdentity);
  replace(Tile, blockCopyTile);
  registered = true;
  return WASM_TRAINING_KERNELS;
}
