import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLstmKernels } from '../../../core/kernels/load-node.ts';
import { fastPathBlocker, registerFastRecurrentLayers } from '../../../core/network/fast-lstm.ts';

type LstmArgs = Parameters<typeof tfl.layers.lstm>[0];

const tolerance = 1e-5;
const registry = tf.serialization.SerializationMap.getMap().classNameMap;
const stockLstm = registry.LSTM;
const fast = registerFastRecurrentLayers(loadLstmKernels());
const fastLstm = registry.LSTM;

/** The class Bidirectional built its forward layer from (tfjs keeps the field private). */
const innerLayerClass = (bidirectional: Layer) =>
  (bidirectional as unknown as { forwardLayer: object }).forwardLayer.constructor;

/** Deterministic stand-in for tfjs's random dropout so stock and fused layers drop the same inputs. */
const patternDropout = (ones: tf.Tensor, rate: number) =>
  tf.tidy(() => {
    const keep = tf.greater(
      tf.sin(tf.mul(tf.range(0, ones.size), 12.9898)).reshape(ones.shape),
      rate * 2 - 1,
    );
    return tf.div(tf.mul(ones, tf.cast(keep, 'float32')), 1 - rate);
  });

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Builds both layers and gives them the same random weights (biases too, so no gate offset is zero). */
function shareRandomWeights(from: Layer, to: Layer, input: tf.Tensor, seed: number): void {
  tf.dispose([from.apply(input), to.apply(input)] as tf.Tensor[]);
  const weights = from
    .getWeights()
    .map((w, i) => tf.mul(tf.randomNormal(w.shape, 0, 1, 'float32', seed + i), 0.4));
  from.setWeights(weights);
  to.setWeights(weights);
  tf.dispose(weights);
}

/** Output and gradients of sum(output ⊙ projection) w.r.t. the input and every trainable weight. */
function outputAndGradients(layer: Layer, input: tf.Tensor, training: boolean) {
  const x = tf.variable(input, true);
  const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  let output: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    const y = layer.apply(x, { training }) as tf.Tensor;
    output = tf.keep(y.clone());
    const projection = tf.randomNormal(y.shape, 0, 1, 'float32', 99);
    return tf.sum(tf.mul(y, projection)) as tf.Scalar;
  }, [x, ...weights]);
  const gradients = [x, ...weights].map((v) => grads[v.name]);
  x.dispose();
  return { output: output as tf.Tensor, gradients };
}

function expectSameBehaviour(stock: Layer, fused: Layer, input: tf.Tensor, training = false): void {
  shareRandomWeights(stock, fused, input, 7);
  const a = outputAndGradients(stock, input, training);
  const b = outputAndGradients(fused, input, training);
  expect(maxAbsDifference(a.output, b.output)).toBeLessThanOrEqual(tolerance);
  expect(b.gradients).toHaveLength(a.gradients.length);
  a.gradients.forEach((g, i) => {
    expect(maxAbsDifference(g, b.gradients[i]), `gradient ${i}`).toBeLessThanOrEqual(tolerance);
  });
  tf.dispose([a.output, b.output, ...a.gradients, ...b.gradients]);
}

const randomInput = (shape: number[], seed: number) =>
  tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), 1.5);

const lstmCases: Array<[string, LstmArgs]> = [
  ['sigmoid gates, full sequence', { units: 8, recurrentActivation: 'sigmoid', returnSequences: true }],
  ['sigmoid gates, last step', { units: 8, recurrentActivation: 'sigmoid' }],
  ['hardSigmoid (tfjs default) gates', { units: 12, returnSequences: true }],
  [
    'goBackwards, full sequence',
    { units: 8, recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: true },
  ],
  ['goBackwards, last step', { units: 8, recurrentActivation: 'sigmoid', goBackwards: true }],
  ['no bias', { units: 4, recurrentActivation: 'sigmoid', useBias: false, returnSequences: true }],
];

for (const backend of ['cpu', 'wasm']) {
  describe(`fused LSTM on the ${backend} backend`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    for (const [name, args] of lstmCases) {
      it(`matches tfjs's LSTM forward and gradients: ${name}`, () => {
        const stock = tfl.layers.lstm(args);
        const fused = fast.lstm(args);
        expect(fused.getClassName()).toBe('LSTM');
        const input = randomInput([3, 9, 5], 1);
        expect(fastPathBlocker(fused, input, {})).toBeNull();
        expectSameBehaviour(stock, fused, input);
        input.dispose();
      });
    }

    it('matches tfjs with input dropout while training (same masks)', () => {
      const args: LstmArgs = {
        units: 8,
        recurrentActivation: 'sigmoid',
        returnSequences: true,
        dropout: 0.3,
        dropoutFunc: patternDropout,
      };
      const input = randomInput([2, 6, 5], 2);
      expectSameBehaviour(tfl.layers.lstm(args), fast.lstm(args), input, true);
      input.dispose();
    });

    for (const mergeMode of ['concat', 'sum', 'ave', 'mul'] as const) {
      it(`matches tfjs's Bidirectional(LSTM) with merge mode ${mergeMode}`, () => {
        const args: LstmArgs = {
          units: 8,
          recurrentActivation: 'sigmoid',
          returnSequences: mergeMode !== 'mul',
        };
        const build = (layer: Layer) => tfl.layers.bidirectional({ layer: layer as never, mergeMode });
        const stock = fast.withStockLayers(() => build(tfl.layers.lstm(args)));
        const fused = build(tfl.layers.lstm(args));
        expect(innerLayerClass(stock)).toBe(stockLstm[0]);
        expect(innerLayerClass(fused)).toBe(fastLstm[0]);
        const input = randomInput([2, 7, 6], 3);
        expectSameBehaviour(stock, fused, input);
        input.dispose();
      });
    }

    it('stays within tolerance over a long sequence (188 steps, 64 units)', () => {
      const args: LstmArgs = { units: 64, recurrentActivation: 'sigmoid', returnSequences: true };
      const input = randomInput([1, 188, 40], 4);
      const stock = tfl.layers.lstm(args);
      const fused = fast.lstm(args);
      tf.dispose([stock.apply(input), fused.apply(input)] as tf.Tensor[]);
      fused.setWeights(stock.getWeights());
      const difference = tf.tidy(() =>
        maxAbsDifference(stock.apply(input) as tf.Tensor, fused.apply(input) as tf.Tensor),
      );
      expect(difference).toBeLessThanOrEqual(tolerance);
      input.dispose();
    });

    it('falls back to the stock implementation, with a reason, for unsupported options', () => {
      const input = randomInput([2, 5, 3], 5);
      // [args, call kwargs, expected reason, whether outputs are comparable (one tensor, no random masks)]
      const cases: Array<[LstmArgs, Record<string, unknown>, RegExp, boolean]> = [
        [{ units: 6, recurrentActivation: 'sigmoid' }, {}, /multiple of 4, got 6/, true],
        [{ units: 4, activation: 'relu' }, {}, /activation 'tanh', got 'relu'/, true],
        [{ units: 4, recurrentActivation: 'tanh' }, {}, /'sigmoid' or 'hardSigmoid', got 'tanh'/, true],
        [{ units: 4, recurrentDropout: 0.2 }, { training: true }, /recurrentDropout/, false],
      ];
      for (const [args, kwargs, reason, comparable] of cases) {
        const fused = fast.lstm(args);
        expect(fastPathBlocker(fused, input, kwargs)).toMatch(reason);
        if (comparable) expectSameBehaviour(tfl.layers.lstm(args), fused, input);
      }
      input.dispose();
    });

    for (const [name, args] of [
      [
        'full sequence',
        { units: 8, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true },
      ],
      [
        'last step, goBackwards',
        { units: 8, recurrentActivation: 'sigmoid', goBackwards: true, returnState: true },
      ],
    ] as Array<[string, LstmArgs]>) {
      it(`matches tfjs with returnState (${name}): outputs, states, gradients through output and h`, () => {
        const stock = tfl.layers.lstm(args);
        const fused = fast.lstm(args);
        const input = randomInput([3, 9, 5], 8);
        expect(fastPathBlocker(fused, input, {})).toBeNull();
        shareRandomWeights(stock, fused, input, 11);
        const run = (layer: Layer) => {
          const x = tf.variable(input, true);
          const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
          let outputs: tf.Tensor[] = [];
          const { grads } = tf.variableGrads(() => {
            const [y, h, c] = layer.apply(x) as tf.Tensor[];
            outputs = [y, h, c].map((t) => tf.keep(t.clone()));
            const projection = tf.randomNormal(y.shape, 0, 1, 'float32', 99);
            return tf.add(tf.sum(tf.mul(y, projection)), tf.sum(tf.square(h))) as tf.Scalar;
          }, [x, ...weights]);
          const gradients = [x, ...weights].map((v) => grads[v.name]);
          x.dispose();
          return { outputs, gradients };
        };
        const a = run(stock);
        const b = run(fused);
        a.outputs.forEach((t, i) => {
          expect(maxAbsDifference(t, b.outputs[i]), `output ${i}`).toBeLessThanOrEqual(tolerance);
        });
        a.gradients.forEach((g, i) => {
          expect(maxAbsDifference(g, b.gradients[i]), `gradient ${i}`).toBeLessThanOrEqual(tolerance);
        });
        tf.dispose([...a.outputs, ...b.outputs, ...a.gradients, ...b.gradients]);
        input.dispose();
      });
    }

    it('refuses a gradient through the returned cell state instead of mis-training', () => {
      const fused = fast.lstm({ units: 4, recurrentActivation: 'sigmoid', returnState: true });
      const input = randomInput([2, 5, 3], 9);
      fused.apply(input);
      const weights = fused.trainableWeights.map((w) => w.read() as tf.Variable);
      expect(() =>
        tf.variableGrads(() => tf.sum((fused.apply(input) as tf.Tensor[])[2]) as tf.Scalar, weights),
      ).toThrow(/no gradient through the fused LSTM's returned cell state/);
      input.dispose();
    });

    it('keeps no tensors across inference calls', () => {
      const layer = fast.lstm({ units: 16, recurrentActivation: 'sigmoid', returnSequences: true });
      const input = randomInput([1, 20, 8], 6);
      tf.dispose(layer.apply(input) as tf.Tensor);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) tf.dispose(layer.apply(input) as tf.Tensor);
      expect(tf.memory().numTensors).toBe(before);
      input.dispose();
    });
  });
}

describe('serialisation through the shared class name', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  const buildAttentionBlstm = (lstm: (args: LstmArgs) => Layer) => {
    const input = tfl.input({ shape: [10, 6] });
    const sequence = tfl.layers
      .bidirectional({ layer: lstm({ units: 8, returnSequences: true }) as never, mergeMode: 'concat' })
      .apply(input) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling1d().apply(sequence) as tfl.SymbolicTensor;
    const output = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: output });
  };

  async function save(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return artifacts as tf.io.ModelArtifacts;
  }

  it('a model built with the fused layer saves a model.json that stock tfjs loads, with equal outputs', async () => {
    const model = buildAttentionBlstm(fast.lstm);
    expect(innerLayerClass(model.layers[1])).toBe(fastLstm[0]);
    const artifacts = await save(model);
    expect(JSON.stringify(artifacts.modelTopology)).toContain('"class_name":"LSTM"');

    registry.LSTM = stockLstm; // as tfjs without the fused layers loads it (withStockLayers is synchronous)
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts)).finally(() => {
      registry.LSTM = fastLstm;
    });
    expect(innerLayerClass(loaded.layers[1])).toBe(stockLstm[0]);
    const input = randomInput([2, 10, 6], 8);
    expect(
      maxAbsDifference(model.predict(input) as tf.Tensor, loaded.predict(input) as tf.Tensor),
    ).toBeLessThan(tolerance);
  });

  it('an unchanged model.json saved by stock tfjs loads as fused layers, with equal outputs', async () => {
    const stockModel = fast.withStockLayers(() => buildAttentionBlstm(tfl.layers.lstm));
    expect(innerLayerClass(stockModel.layers[1])).toBe(stockLstm[0]);
    const artifacts = await save(stockModel);

    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(innerLayerClass(loaded.layers[1])).toBe(fastLstm[0]);
    expect(JSON.stringify((await save(loaded)).modelTopology)).toBe(JSON.stringify(artifacts.modelTopology));
    const input = randomInput([2, 10, 6], 9);
    expect(
      maxAbsDifference(stockModel.predict(input) as tf.Tensor, loaded.predict(input) as tf.Tensor),
    ).toBeLessThan(tolerance);
  });
});
