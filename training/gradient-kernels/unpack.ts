import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Unpack,
  type UnpackAttrs,
} from '@tensorflow/tfjs-core';
import { splitAlongAxis } from './heap-blocks.ts';

/**
 * Unpack (tf.unstack) for wasm that copies each output straight from the wasm heap. The stock kernel slices
 * once per output and each slice copies the whole input: O(T²) for the RNN layers, which unstack their
 * time-major input on every forward pass.
 */
export function heapCopyUnpack(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { value: TensorInfo }; backend: BackendWasm; attrs: UnpackAttrs }) => {
    const { inputs, backend, attrs } = args;
    const { value } = inputs;
    if (value.dtype === 'string') return stock.kernelFunc(args as never);
    const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
    const parts = splitAlongAxis(value, axis, new Array(value.shape[axis]).fill(1), backend);
    const outShape = value.shape.toSpliced(axis, 1);
    return parts.map((part) => ({ ...part, shape: outShape }));
  };
  return { ...stock, kernelName: Unpack, kernelFunc: kernelFunc as unknown as KernelFunc };
}
