import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  SplitV,
  type SplitVAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { splitAlongAxis } from './heap-blocks.ts';

/**
 * SplitV (tf.split) for wasm that copies each part straight from the wasm heap; the stock kernel copies the
 * whole input once per part. LSTM cells split their gate pre-activations into four on every time step.
 */
export function heapCopySplitV(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SplitVAttrs }) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    if (x.dtype === 'string') return stock.kernelFunc(args as never);
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
    return splitAlongAxis(x, axis, sizes, backend);
  };
  return { ...stock, kernelName: SplitV, kernelFunc: kernelFunc as unknown as KernelFunc };
}
