import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLstmKernels, loadNetworkKernels } from '../../../core/kernels/load-node.ts';
import { type CompiledNetwork, compileNetwork } from '../../../core/network/compiled-network.ts';
import type { SavedModel } from '../../../core/network/saved-model.ts';
import '../../../core/network/utterance-statistics.ts';
import { loadModel } from '../../../training/model-io.ts';
import { createRandom } from '../../../training/random.ts';
import { readModelFiles } from '../../fixtures/models/read-models.ts';

const kernels = { lstm: loadLstmKernels(), network: loadNetworkKernels() };
/** The served precision: products on 16-bit integers (core/kernels/network-kernels.ts). */
const int16Kernels = { lstm: kernels.lstm, network: loadNetworkKernels('int16') };
/** How far an int16 network's outputs may be from tfjs's: the 16-bit rounding of every product's inputs. */
const INT16_TOLERANCE = 1e-2;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomInput(shape: number[], seed: number): Float32Array {
  const random = createRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => 2 * random.next() - 1);
}

/** tfjs's output (and the probed layer's) for one input, on the cpu backend. */
function reference(model: tfl.LayersModel, input: Float32Array, probe: string | null) {
  const shape = (model.inputs[0].shape as number[]).slice(1);
  const outputs = [model.outputs[0]];
  if (probe !== null) outputs.push(model.getLayer(probe).output as tfl.SymbolicTensor);
  const head = tfl.model({ inputs: model.inputs, outputs });
  const x = tf.tensor(input, [1, ...shape]);
  const results = head.predict(x) as tf.Tensor | tf.Tensor[];
  const [output, probed] = Array.isArray(results) ? results : [results];
  const values = {
    output: output.dataSync() as Float32Array,
    probe: probed ? (probed.dataSync() as Float32Array) : null,
  };
  tf.dispose([x, results]);
  return values;
}

function largestDifference(actual: Float32Array, expected: Float32Array): number {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/** A model as its saved files: model.json's content and one weight shard, as `model.save` writes them. */
async function savedOf(model: tfl.LayersModel): Promise<SavedModel> {
  let saved: SavedModel | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const shard = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data ?? new ArrayBuffer(0));
      saved = {
        modelJson: {
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        },
        shards: { 'weights.bin': shard },
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === null) throw new Error('model.save wrote nothing');
  return saved;
}

function compiled(saved: SavedModel, probe: string | null = null, at = kernels): CompiledNetwork {
  const outcome = compileNetwork(saved, at, probe);
  if (outcome.network === null) throw new Error(`not compiled: ${outcome.unsupported}`);
  return outcome.network;
}

/** Runs the model both ways on a few random inputs: outputs (and probes) within `tolerance`. */
async function expectSameAsTfjs(
  model: tfl.LayersModel,
  probe: string | null = null,
  saved?: SavedModel,
  tolerance = 1e-5,
  at = kernels,
): Promise<void> {
  const network = compiled(saved ?? (await savedOf(model)), probe, at);
  expect(network.inputShape).toEqual((model.inputs[0].shape as number[]).slice(1));
  const shape = (model.inputs[0].shape as number[]).slice(1);
  for (const seed of [1, 2, 3]) {
    const input = randomInput(shape, seed);
    const want = reference(model, input, probe);
    const got = network.run(input);
    expect(largestDifference(got.output, want.output), `output, seed ${seed}`).toBeLessThan(tolerance);
    if (want.probe)
      expect(largestDifference(got.probe ?? new Float32Array(0), want.probe)).toBeLessThan(tolerance);
  }
}

const seeded = (seed: number) => tfl.initializers.glorotUniform({ seed });

describe('compileNetwork on the committed models', () => {
  // Every model folder with a network (an SVM's record has none).
  const ids = readdirSync(new URL('../../../models/', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((id) => existsSync(new URL(`../../../models/${id}/model.json`, import.meta.url)));

  it.each(ids)('runs %s as tfjs does, and its attention weights when it has them', async (id) => {
    const dir = new URL(`../../../models/${id}`, import.meta.url).pathname;
    const model = await loadModel(dir);
    const probe = model.layers.some((layer) => layer.name === 'attention_weights')
      ? 'attention_weights'
      : null;
    const files = readModelFiles(dir);
    await expectSameAsTfjs(model, probe, files);
    await expectSameAsTfjs(model, probe, files, INT16_TOLERANCE, int16Kernels);
  });
});

/** Global mean and max pooling (over time, or height and width), joined, then a seeded 3-way softmax. */
function pooledSoftmax(x: tfl.SymbolicTensor, dimensions: 1 | 2, seed: number): tfl.SymbolicTensor {
  const [mean, max] =
    dimensions === 1
      ? [tfl.layers.globalAveragePooling1d(), tfl.layers.globalMaxPooling1d()]
      : [tfl.layers.globalAveragePooling2d({}), tfl.layers.globalMaxPooling2d({})];
  const joined = tfl.layers
    .concatenate()
    .apply([mean.apply(x) as tfl.SymbolicTensor, max.apply(x) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  return tfl.layers
    .dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(seed) })
    .apply(joined) as tfl.SymbolicTensor;
}

describe('compileNetwork layer by layer', () => {
  it('runs Conv1D (same with an even kernel, valid), batch norm with and without centre and scale, and pooling', async () => {
    const input = tfl.input({ shape: [23, 6] });
    let x = tfl.layers
      .conv1d({
        filters: 12,
        kernelSize: 4,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeded(1),
        biasInitializer: seeded(2),
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({
        movingMeanInitializer: seeded(3),
        movingVarianceInitializer: 'ones',
        gammaInitializer: seeded(4),
        betaInitializer: seeded(5),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling1d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv1d({
        filters: 5,
        kernelSize: 3,
        padding: 'valid',
        activation: 'tanh',
        useBias: false,
        kernelInitializer: seeded(6),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ center: false, scale: false, movingMeanInitializer: seeded(7) })
      .apply(x) as tfl.SymbolicTensor;
    await expectSameAsTfjs(tfl.model({ inputs: input, outputs: pooledSoftmax(x, 1, 8) }));
  });

  it('runs a convolution straight into pooling, and a batch norm that two layers read, as tfjs does', async () => {
    // The first conv's pooling and the second conv's batch norm run inside their kernel calls; the pooling after
    // that batch norm does not (two layers read the norm), nor the pooling after a tanh.
    const input = tfl.input({ shape: [20, 4] });
    let x = tfl.layers
      .conv1d({ filters: 9, kernelSize: 3, padding: 'same', kernelInitializer: seeded(31) })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling1d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv1d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeded(32),
      })
      .apply(x) as tfl.SymbolicTensor;
    const norm = tfl.layers
      .batchNormalization({ movingMeanInitializer: seeded(33), gammaInitializer: seeded(34) })
      .apply(x) as tfl.SymbolicTensor;
    const pooled = tfl.layers.maxPooling1d({ poolSize: 2 }).apply(norm) as tfl.SymbolicTensor;
    const squashed = tfl.layers
      .conv1d({ filters: 8, kernelSize: 1, activation: 'tanh', kernelInitializer: seeded(35) })
      .apply(norm) as tfl.SymbolicTensor;
    const squashedPooled = tfl.layers.maxPooling1d({ poolSize: 2 }).apply(squashed) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([pooled, squashedPooled]) as tfl.SymbolicTensor;
    await expectSameAsTfjs(tfl.model({ inputs: input, outputs: pooledSoftmax(joined, 1, 36) }));
  });

  it('keeps a probed convolution apart from the batch norm and pooling after it', async () => {
    const input = tfl.input({ shape: [16, 3] });
    let x = tfl.layers
      .conv1d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'probed',
        kernelInitializer: seeded(41),
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ movingMeanInitializer: seeded(42), gammaInitializer: seeded(43) })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling1d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    await expectSameAsTfjs(tfl.model({ inputs: input, outputs: pooledSoftmax(x, 1, 44) }), 'probed');
  });

  it('runs Conv2D (same with an even kernel, valid, two channels), 2-D pooling with strides, and global 2-D pooling', async () => {
    const input = tfl.input({ shape: [13, 10] });
    let x = tfl.layers.reshape({ targetShape: [13, 5, 2] }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({
        filters: 6,
        kernelSize: [4, 2],
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeded(21),
        biasInitializer: seeded(22),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ movingMeanInitializer: seeded(23), gammaInitializer: seeded(24) })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: [3, 2], strides: [2, 1] }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'valid',
        activation: 'tanh',
        kernelInitializer: seeded(25),
      })
      .apply(x) as tfl.SymbolicTensor;
    await expectSameAsTfjs(tfl.model({ inputs: input, outputs: pooledSoftmax(x, 2, 26) }));
  });

  it('refuses strided or dilated 2-D convolutions, with the reason', async () => {
    for (const options of [{ strides: 2 }, { dilationRate: 2 }]) {
      const input = tfl.input({ shape: [8, 8, 1] });
      const output = tfl.layers
        .conv2d({ filters: 2, kernelSize: 3, padding: 'same', ...options })
        .apply(input) as tfl.SymbolicTensor;
      const outcome = compileNetwork(
        await savedOf(tfl.model({ inputs: input, outputs: output })),
        kernels,
        null,
      );
      expect(outcome.network).toBeNull();
      expect(outcome.unsupported).toMatch(/expected strides 1, dilation 1/);
    }
  });

  it('runs LSTMs backwards with states, hard-sigmoid gates, and every Bidirectional merge', async () => {
    for (const mergeMode of ['concat', 'sum', 'ave', 'mul'] as const) {
      const input = tfl.input({ shape: [9, 5] });
      const lstm = () =>
        tfl.layers.lstm({
          units: 8,
          returnSequences: true,
          recurrentActivation: 'hardSigmoid',
          kernelInitializer: seeded(11),
          recurrentInitializer: seeded(12),
          biasInitializer: seeded(13),
        });
      const both = tfl.layers
        .bidirectional({ layer: lstm() as tfl.RNN, mergeMode })
        .apply(input) as tfl.SymbolicTensor;
      const [last, h, c] = tfl.layers
        .lstm({
          units: 4,
          goBackwards: true,
          returnState: true,
          kernelInitializer: seeded(14),
          recurrentInitializer: seeded(15),
        })
        .apply(both) as tfl.SymbolicTensor[];
      const joined = tfl.layers.concatenate().apply([last, h, c]) as tfl.SymbolicTensor;
      const output = tfl.layers.activation({ activation: 'sigmoid' }).apply(joined) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: output });
      await expectSameAsTfjs(model);
      await expectSameAsTfjs(model, null, undefined, INT16_TOLERANCE, int16Kernels);
    }
  });

  it('runs attention pooling from a rank-1 score, reshapes, dropout, and a Dense over time', async () => {
    const input = tfl.input({ shape: [11, 4] });
    const sequence = tfl.layers
      .dense({ units: 6, activation: 'tanh', kernelInitializer: seeded(21), biasInitializer: seeded(22) })
      .apply(input) as tfl.SymbolicTensor;
    const score = tfl.layers
      .flatten()
      .apply(
        tfl.layers.dense({ units: 1, kernelInitializer: seeded(23) }).apply(sequence),
      ) as tfl.SymbolicTensor;
    const weights = tfl.layers.softmax({ name: 'weights' }).apply(score) as tfl.SymbolicTensor;
    const pooled = tfl.layers.dot({ axes: 1 }).apply([weights, sequence]) as tfl.SymbolicTensor;
    const column = tfl.layers.reshape({ targetShape: [11, 1] }).apply(weights) as tfl.SymbolicTensor;
    const pooledToo = tfl.layers
      .flatten()
      .apply(tfl.layers.dot({ axes: 1 }).apply([column, sequence])) as tfl.SymbolicTensor;
    const flat = tfl.layers.reshape({ targetShape: [66] }).apply(sequence) as tfl.SymbolicTensor;
    const joined = tfl.layers
      .dropout({ rate: 0.5 })
      .apply(tfl.layers.concatenate().apply([pooled, pooledToo, flat])) as tfl.SymbolicTensor;
    const output = tfl.layers
      .dense({ units: 2, kernelInitializer: seeded(24) })
      .apply(joined) as tfl.SymbolicTensor;
    await expectSameAsTfjs(tfl.model({ inputs: input, outputs: output }), 'weights');
  });

  it('leaves a network with an unsupported layer or option to tfjs, saying which', async () => {
    const input = tfl.input({ shape: [8, 3] });
    const permuted = tfl.layers.permute({ dims: [2, 1], name: 'swap' }).apply(input) as tfl.SymbolicTensor;
    expect(compileNetwork(await savedOf(tfl.model({ inputs: input, outputs: permuted })), kernels)).toEqual({
      network: null,
      unsupported: "layer 'swap' (Permute) is not supported",
    });
    const strided = tfl.layers
      .conv1d({ filters: 2, kernelSize: 3, strides: 2 })
      .apply(input) as tfl.SymbolicTensor;
    expect(
      compileNetwork(await savedOf(tfl.model({ inputs: input, outputs: strided })), kernels).unsupported,
    ).toMatch(/expected stride 1, dilation 1, 'same' or 'valid' padding and channels last, got 2, 1, valid/);
    const odd = tfl.layers
      .lstm({ units: 6, recurrentInitializer: seeded(31) })
      .apply(input) as tfl.SymbolicTensor;
    expect(
      compileNetwork(await savedOf(tfl.model({ inputs: input, outputs: odd })), kernels).unsupported,
    ).toMatch(/units a multiple of 4, got tanh, hardSigmoid, 6/);
    const dense = tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor;
    expect(
      compileNetwork(await savedOf(tfl.model({ inputs: input, outputs: dense })), kernels, 'missing')
        .unsupported,
    ).toBe("expected a layer named 'missing' to probe, got none");
  });

  it('leaves a model with missing or short weight shards, or non-float32 weights, to tfjs, saying which', async () => {
    const input = tfl.input({ shape: [4, 2] });
    const output = tfl.layers.dense({ units: 3, name: 'out' }).apply(input) as tfl.SymbolicTensor;
    const saved = await savedOf(tfl.model({ inputs: input, outputs: output }));
    expect(compileNetwork({ ...saved, shards: {} }, kernels).unsupported).toBe(
      "weight shard 'weights.bin' is missing",
    );
    const short = { 'weights.bin': saved.shards['weights.bin'].slice(0, 20) };
    expect(compileNetwork({ ...saved, shards: short }, kernels).unsupported).toBe(
      "weight 'out/kernel' runs past its shards",
    );
    const json = saved.modelJson as { weightsManifest: { weights: { dtype?: string }[] }[] };
    const halves = {
      ...json,
      weightsManifest: [
        {
          ...json.weightsManifest[0],
          weights: json.weightsManifest[0].weights.map((w) => ({ ...w, dtype: 'float16' })),
        },
      ],
    };
    expect(compileNetwork({ ...saved, modelJson: halves }, kernels).unsupported).toBe(
      "weight 'out/kernel' is float16, not float32",
    );
    expect(
      compileNetwork({ modelJson: { modelTopology: { class_name: 'Sequential' } }, shards: {} }, kernels)
        .unsupported,
    ).toBe('expected a functional model, got "Sequential"');
  });

  it('refuses an input of the wrong size', async () => {
    const input = tfl.input({ shape: [4, 2] });
    const output = tfl.layers.dense({ units: 1 }).apply(input) as tfl.SymbolicTensor;
    const network = compiled(await savedOf(tfl.model({ inputs: input, outputs: output })));
    expect(() => network.run(new Float32Array(7))).toThrow(
      'compiled network: expected 8 input floats [4, 2], got 7',
    );
  });
});
