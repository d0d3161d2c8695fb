import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import lstmWasm from '../../../core/kernels/lstm.wasm';
import { createLstmKernels } from '../../../core/kernels/lstm-kernels.ts';
import { registerFastRecurrentLayers } from '../../../core/network/fast-lstm.ts';
import { initWasmBackend } from '../../../functions/runtime/wasm-backend.ts';

// workerd cannot compile wasm at run time: the kernels arrive as a compiled module (wrangler's *.wasm rule).
describe('LSTM kernels inside workerd', () => {
  it('instantiate from the imported module and serve a BiLSTM exactly like stock tfjs', async () => {
    expect(lstmWasm).toBeInstanceOf(WebAssembly.Module);
    await initWasmBackend();
    expect(tf.getBackend()).toBe('wasm');
    const fast = registerFastRecurrentLayers(createLstmKernels(lstmWasm));

    const build = (lstm: typeof fast.lstm) => {
      const input = tfl.input({ shape: [188, 40] });
      const layer = lstm({
        units: 64,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        recurrentInitializer: 'glorotNormal',
      });
      const sequence = tfl.layers.bidirectional({ layer: layer as never }).apply(input) as tfl.SymbolicTensor;
      const pooled = tfl.layers.globalAveragePooling1d().apply(sequence) as tfl.SymbolicTensor;
      return tfl.model({
        inputs: input,
        outputs: tfl.layers.dense({ units: 4 }).apply(pooled) as tfl.SymbolicTensor,
      });
    };
    const stock = fast.withStockLayers(() => build(tfl.layers.lstm));
    const fused = build(fast.lstm);
    fused.setWeights(stock.getWeights());

    const clip = tf.randomNormal([1, 188, 40], 0, 1, 'float32', 1);
    const predict = (model: tfl.LayersModel) =>
      tf.tidy(() => (model.predict(clip) as tf.Tensor).dataSync().slice());
    const expected = predict(stock);
    predict(fused);
    const tensorsBefore = tf.memory().numTensors;
    const actual = predict(fused);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
