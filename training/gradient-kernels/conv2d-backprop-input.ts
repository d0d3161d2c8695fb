import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Transpose,
} from '@tensorflow/tfjs-core';
import { scatterPatches } from './im2col.ts';
import { requireWasmKernel } from './stock-kernel.ts';

/**
 * Conv2DBackpropInput for wasm as one matrix product and col2im: the patch gradients dP = dy · Wᵀ
 * [positions, fh·fw·inChannels] run on XNNPACK, then each is summed back onto the input position it was read
 * from. The stock kernel is a naive loop: 190 ms for the second Conv1D of cnn-blstm-attention at batch 32.
 * NCHW (which tfjs-layers never emits) keeps the stock kernel.
 */
export function conv2DBackpropInputCol2Im(stock: KernelConfig): KernelConfig {
  const transpose = requireWasmKernel(Transpose);
  const batchMatMul = requireWasmKernel(BatchMatMul);
  const kernelFunc = (args: {
    inputs: { dy: TensorInfo; filter: TensorInfo };
    backend: BackendWasm;
    attrs: Conv2DBackpropInputAttrs;
  }) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    if (dataFormat !== 'NHWC') return stock.kernelFunc(args as never);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
    const filterT = transpose({
      inputs: { x: { ...filter, shape: [patchSize, info.outChannels] } },
      backend,
      attrs: { perm: [1, 0] },
    }) as TensorInfo;
    const patchGradients = batchMatMul({
      inputs: {
        a: { ...dy, shape: [1, positions, info.outChannels] },
        b: { ...filterT, shape: [1, info.outChannels, patchSize] },
      },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    const dx = scatterPatches(patchGradients, info, backend);
    backend.disposeData(filterT.dataId);
    backend.disposeData(patchGradients.dataId);
    return dx;
  };
  return { ...stock, kernelName: Conv2DBackpropInput, kernelFunc: kernelFunc as unknown as KernelFunc };
}
