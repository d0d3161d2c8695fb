import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Transpose,
} from '@tensorflow/tfjs-core';
import { gatherPatches } from './im2col.ts';
import { requireWasmKernel } from './stock-kernel.ts';

/**
 * Conv2DBackpropFilter for wasm, which tfjs-backend-wasm 4.22 lacks (so Conv1D/Conv2D cannot train there),
 * as im2col + one matrix product: dW = Pᵀ · dy with the input patches P [positions, fh·fw·inChannels],
 * on XNNPACK. The obvious route, Conv3DBackpropFilterV2 with a unit depth axis, is a naive loop (≈1 s per
 * step for the cnn-blstm-attention front end, against ≈0.1 s here) and gives wrong values for strides > 1.
 */
export function conv2DBackpropFilterIm2Col(): KernelConfig {
  const transpose = requireWasmKernel(Transpose);
  const batchMatMul = requireWasmKernel(BatchMatMul);
  const kernelFunc = (args: {
    inputs: { x: TensorInfo; dy: TensorInfo };
    backend: BackendWasm;
    attrs: Conv2DBackpropFilterAttrs;
  }) => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    if (dataFormat !== 'NHWC') {
      throw new Error(`expected dataFormat 'NHWC' for the wasm Conv2DBackpropFilter, got '${dataFormat}'`);
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
    const patches = gatherPatches(x, info, backend);
    const transposed = transpose({ inputs: { x: patches }, backend, attrs: { perm: [1, 0] } }) as TensorInfo;
    const dw = batchMatMul({
      inputs: {
        a: { ...transposed, shape: [1, patchSize, positions] },
        b: { ...dy, shape: [1, positions, info.outChannels] },
      },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    backend.disposeData(patches.dataId);
    backend.disposeData(transposed.dataId);
    return { dataId: dw.dataId, dtype: dw.dtype, shape: [...filterShape] };
  };
  return {
    kernelName: Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
