import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Transpose,
} from '@tensorflow/tfjs-core';
import { requireWasmKernel } from './stock-kernel.ts';

/**
 * BatchMatMul for wasm that materialises transposed operands before multiplying. The stock kernel only reaches
 * XNNPACK when neither operand is transposed; otherwise it runs a naive loop 10–20× slower (measured on
 * 6016×64×256: 13 ms plain, 155–225 ms transposed, 1 ms to transpose). Gradients of every matmul ask for
 * transposed operands (dA = dy·Bᵀ, dB = Aᵀ·dy), so training hits the slow path on every Dense and LSTM step.
 */
export function transposeFirstBatchMatMul(stock: KernelConfig): KernelConfig {
  const transpose = requireWasmKernel(Transpose);
  const kernelFunc = (args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: BackendWasm;
    attrs: BatchMatMulAttrs;
  }) => {
    const { inputs, backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) {
      return stock.kernelFunc(args as never);
    }
    const temporaries: TensorInfo[] = [];
    const plain = (x: TensorInfo, transposed: boolean) => {
      if (!transposed) return x;
      const perm = x.shape.map((_, axis) => axis);
      perm.splice(-2, 2, x.shape.length - 1, x.shape.length - 2);
      const out = transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
      temporaries.push(out);
      return out;
    };
    const a = plain(inputs.a, attrs.transposeA);
    const b = plain(inputs.b, attrs.transposeB);
    const out = stock.kernelFunc({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
  return { ...stock, kernelName: BatchMatMul, kernelFunc: kernelFunc as unknown as KernelFunc };
}
