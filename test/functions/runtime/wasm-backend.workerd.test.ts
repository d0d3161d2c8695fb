import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModelStore } from '../../../core/serving/model-store.ts';
import { initWasmBackend } from '../../../functions/runtime/wasm-backend.ts';
import { bundledModels } from '../../fixtures/models/bundled.ts';

describe('initWasmBackend inside workerd', () => {
  it('selects the wasm backend and computes with it', async () => {
    await initWasmBackend();
    expect(tf.getBackend()).toBe('wasm');
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[4], [5], [6]])).dataSync(),
    );
    expect(Array.from(product)).toEqual([32]);
    // A kernel that runs through XNNPACK in the SIMD binary.
    const convolved = tf.tidy(() =>
      tf.conv1d(tf.tensor3d([1, 2, 3, 4], [1, 4, 1]), tf.tensor3d([1, -1], [2, 1, 1]), 1, 'valid').dataSync(),
    );
    expect(Array.from(convolved)).toEqual([-1, -1, -1]);
  });

  it('initialises once per isolate', async () => {
    expect(initWasmBackend()).toBe(initWasmBackend());
    await initWasmBackend();
    expect(tf.engine().backendNames()).toContain('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('builds a fixture model once and predicts without leaking tensors', async () => {
    const store = createModelStore(bundledModels, { prepareBackend: initWasmBackend });
    const served = await store.load('tiny-blstm');
    expect(await store.load('tiny-blstm')).toBe(served);
    const { network } = served;
    if (network === null) throw new Error('expected a tfjs network from a store that compiles nothing');
    const input = tf.zeros([2, 125, 40]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const probabilities = tf.tidy(() => (network.predict(input) as tf.Tensor).dataSync());
      expect(probabilities.length).toBe(8);
      expect(probabilities[0] + probabilities[1] + probabilities[2] + probabilities[3]).toBeCloseTo(1, 5);
    }
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});
