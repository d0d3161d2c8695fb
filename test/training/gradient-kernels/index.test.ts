import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../../../training/gradient-kernels/index.ts';

describe('registerWasmTrainingKernels', () => {
  it('adds the missing Conv2DBackpropFilter and replaces the others, once', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
    expect(registerWasmTrainingKernels()).toEqual(WASM_TRAINING_KERNELS);
    const improvedMatMul = tf.getKernel('BatchMatMul', 'wasm');
    expect(improvedMatMul?.kernelFunc).not.toBe(stockMatMul?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    registerWasmTrainingKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(improvedMatMul?.kernelFunc);
  });

  it('keeps the stock setup, so the kernels work when wasm is selected after registration', async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const product = tf.matMul(
      tf.tensor2d([1, 2, 3, 4], [2, 2]),
      tf.tensor2d([1, 0, 0, 1], [2, 2]),
      true,
      false,
    );
    expect(Array.from(await product.data())).toEqual([1, 3, 2, 4]);
    // Re-selecting a backend re-runs every setup function.
    await tf.setBackend('cpu');
    await tf.setBackend('wasm');
    expect(Array.from(tf.unstack(product)[1].dataSync())).toEqual([2, 4]);
  });
});
