import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelConfig,
  type KernelFunc,
  Reverse,
  type ReverseAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { reverseAlongAxis } from './heap-blocks.ts';

/**
 * Reverse for wasm that moves contiguous blocks when one axis is reversed (backward RNNs and Bidirectional
 * reverse their sequences along time). The stock kernel goes element by element: 27 ms for [188, 32, 64].
 * Reversing several axes at once keeps the stock kernel.
 */
export function blockCopyReverse(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: ReverseAttrs }) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axes = x.shape.length === 0 ? [] : util.parseAxisParam(attrs.dims, x.shape);
    if (x.dtype === 'string' || axes.length !== 1) return stock.kernelFunc(args as never);
    return reverseAlongAxis(x, axes[0], backend);
  };
  return { ...stock, kernelName: Reverse, kernelFunc: kernelFunc as unknown as KernelFunc };
}
