import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { loadLstmKernels, loadNetworkKernels } from '../../../core/kernels/load-node.ts';
import { compileNetwork } from '../../../core/network/compiled-network.ts';
import { classifySpans, prepareModelInput } from '../../../core/serving/inference.ts';
import { createModelStore, type ServedModel } from '../../../core/serving/model-store.ts';
import { cutWindows } from '../../../core/serving/timeline.ts';
import expected from '../../fixtures/models/expected-speech.json' with { type: 'json' };
import { createFixtureStore } from '../../fixtures/models/fixture-store.ts';
import { readModelSource } from '../../fixtures/models/read-models.ts';

const store = createFixtureStore();
const clip = decodeAudio(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)));
const duration = clip.samples.length / clip.sampleRate;
let blstm: ServedModel;
let cnn: ServedModel;

beforeAll(async () => {
  blstm = await store.load('tiny-blstm');
  cnn = await store.load('tiny-cnn');
});

function maxDifference(actual: ArrayLike<number>, reference: readonly number[]): number {
  expect(actual.length).toBe(reference.length);
  return Math.max(...reference.map((value, i) => Math.abs(actual[i] - value)));
}

/** A features matrix whose value at (t, d) is t + 1 and whose normalisation is the identity. */
function rampFeatures(frames: number) {
  const dims = 40;
  return {
    data: Float32Array.from({ length: frames * dims }, (_, i) => Math.floor(i / dims) + 1),
    frames,
    dims,
  };
}

describe('prepareModelInput', () => {
  const identity = () => {
    const entry = store.find('tiny-cnn');
    if (entry === undefined) throw new Error('expected the tiny-cnn fixture');
    return {
      ...entry,
      metadata: {
        ...entry.metadata,
        normalisation: { mean: Array(40).fill(0), std: Array(40).fill(1), scope: 'training-set' as const },
      },
    };
  };

  it('centres a short clip between zero padding, the odd padding frame at the start', () => {
    const input = prepareModelInput(identity(), rampFeatures(100));
    expect(input.firstFrame).toBe(-13);
    expect(input.audioFrames).toBe(100);
    const frame = (t: number) => input.data[t * 40];
    expect([frame(0), frame(12), frame(13), frame(112), frame(113), frame(124)]).toEqual([
      0, 0, 1, 100, 0, 0,
    ]);
  });

  it('crops a long clip around its centre', () => {
    const input = prepareModelInput(identity(), rampFeatures(200));
    expect(input.firstFrame).toBe(37);
    expect(input.audioFrames).toBe(125);
    expect([input.data[0], input.data[124 * 40]]).toEqual([38, 162]);
  });

  it('normalises with the model statistics', () => {
    const entry = store.find('tiny-cnn');
    if (entry === undefined) throw new Error('expected the tiny-cnn fixture');
    const input = prepareModelInput(entry, rampFeatures(125));
    const { mean, std } = entry.metadata.normalisation;
    expect(input.data[40 * 3 + 5]).toBeCloseTo((4 - mean[5]) / std[5], 5);
  });
});

describe('classifySpans', () => {
  it('reproduces the committed Node reference for the speech clip (regenerate the fixtures if the front end changed)', () => {
    const whole = [{ startSeconds: 0, endSeconds: duration }];
    const [blstmResult] = classifySpans(blstm, clip.samples, whole, { attention: true }).predictions;
    expect(maxDifference(blstmResult.probabilities, expected['tiny-blstm'].probabilities)).toBeLessThan(1e-6);
    expect(
      maxDifference(blstmResult.attention?.weights ?? [], expected['tiny-blstm'].attention.weights),
    ).toBeLessThan(1e-6);
    const [cnnResult] = classifySpans(cnn, clip.samples, whole, { attention: true }).predictions;
    expect(maxDifference(cnnResult.probabilities, expected['tiny-cnn'].probabilities)).toBeLessThan(1e-6);
    expect(cnnResult.attention).toBeNull();
  });

  it('places attention weights on the clip frames the model saw', () => {
    const [result] = classifySpans(blstm, clip.samples, [{ startSeconds: 0, endSeconds: duration }], {
      attention: true,
    }).predictions;
    // 198 clip frames (1 + ⌊50437 / 256⌋) cropped to 125 from frame 36, 16 ms apart.
    expect(result.attention?.startSeconds).toBeCloseTo(0.576, 9);
    expect(result.attention?.frameSeconds).toBe(0.016);
    expect(result.attention?.weights.length).toBe(125);
    expect(result.attention?.weights.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 5);
  });

  it('reports the padded part of a short span as no weights, timed from the span start', () => {
    const [result] = classifySpans(blstm, clip.samples, [{ startSeconds: 1, endSeconds: 2 }], {
      attention: true,
    }).predictions;
    // 1 s = 16000 samples → 63 frames, padded by 31 frames on the left.
    expect(result.attention?.weights.length).toBe(63);
    expect(result.attention?.startSeconds).toBe(1);
  });

  it('classifies windows as a batch with the same result as one at a time', () => {
    const windows = cutWindows(duration, 1, 0.5);
    const batch = classifySpans(blstm, clip.samples, windows, { attention: false }).predictions;
    windows.forEach((window, index) => {
      const [single] = classifySpans(blstm, clip.samples, [window], { attention: false }).predictions;
      expect(maxDifference(batch[index].probabilities, Array.from(single.probabilities))).toBeLessThan(1e-6);
      expect(
        maxDifference(batch[index].probabilities, expected['tiny-blstm'].windows[index].probabilities),
      ).toBeLessThan(1e-6);
    });
  });

  it('disposes every tensor it creates', () => {
    const before = tf.memory().numTensors;
    classifySpans(blstm, clip.samples, cutWindows(duration, 1, 0.5), { attention: true });
    classifySpans(cnn, clip.samples, [{ startSeconds: 0, endSeconds: duration }], { attention: false });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('classifySpans with compiled networks', () => {
  const kernels = { lstm: loadLstmKernels(), network: loadNetworkKernels() };
  const source = readModelSource(fileURLToPath(new URL('../../fixtures/models', import.meta.url)));
  const prepareBackend = async () => {
    await tf.setBackend('cpu');
  };
  const compiledStore = createModelStore(source, {
    prepareBackend,
    compileNetwork: (network, attentionLayer) => compileNetwork(network, kernels, attentionLayer),
  });
  const refusingStore = createModelStore(source, {
    prepareBackend,
    compileNetwork: () => ({ network: null, unsupported: "layer 'x' (Permute) is not supported" }),
  });

  it('reproduce the tfjs reference for the speech clip, attention and windows included', async () => {
    const compiledBlstm = await compiledStore.load('tiny-blstm');
    const compiledCnn = await compiledStore.load('tiny-cnn');
    expect([compiledBlstm.compileNote, compiledCnn.compileNote]).toEqual(['compiled', 'compiled']);
    const whole = [{ startSeconds: 0, endSeconds: duration }];
    const [blstmResult] = classifySpans(compiledBlstm, clip.samples, whole, { attention: true }).predictions;
    expect(maxDifference(blstmResult.probabilities, expected['tiny-blstm'].probabilities)).toBeLessThan(1e-5);
    expect(
      maxDifference(blstmResult.attention?.weights ?? [], expected['tiny-blstm'].attention.weights),
    ).toBeLessThan(1e-5);
    expect(blstmResult.attention?.startSeconds).toBeCloseTo(0.576, 9);
    const [cnnResult] = classifySpans(compiledCnn, clip.samples, whole, { attention: true }).predictions;
    expect(maxDifference(cnnResult.probabilities, expected['tiny-cnn'].probabilities)).toBeLessThan(1e-5);
    expect(cnnResult.attention).toBeNull();
    const windows = cutWindows(duration, 1, 0.5);
    const batch = classifySpans(compiledBlstm, clip.samples, windows, { attention: false }).predictions;
    windows.forEach((_, index) => {
      expect(
        maxDifference(batch[index].probabilities, expected['tiny-blstm'].windows[index].probabilities),
      ).toBeLessThan(1e-5);
    });
  });

  it('run a network the compiler refuses on tfjs, saying why', async () => {
    const refused = await refusingStore.load('tiny-blstm');
    expect(refused.compiled).toBeNull();
    expect(refused.compileNote).toBe("not compiled: layer 'x' (Permute) is not supported");
    const [result] = classifySpans(refused, clip.samples, [{ startSeconds: 0, endSeconds: duration }], {
      attention: true,
    }).predictions;
    expect(maxDifference(result.probabilities, expected['tiny-blstm'].probabilities)).toBeLessThan(1e-6);
    expect(blstm.compileNote).toBe('tfjs');
  });
});

describe('classifySpans on a model that pools time before attending', () => {
  let pooled: ServedModel;

  /** Input [125, 40] → MaxPool1D(4) → 31 steps → attention softmax → weighted sum → 4 labels. */
  beforeAll(async () => {
    const entry = store.find('tiny-blstm');
    if (entry === undefined) throw new Error('expected the tiny-blstm fixture');
    const input = tfl.input({ shape: [125, 40] });
    const steps = tfl.layers.maxPooling1d({ poolSize: 4 }).apply(input) as tfl.SymbolicTensor;
    const scores = tfl.layers
      .dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })
      .apply(steps);
    const flat = tfl.layers.flatten().apply(scores);
    const weights = tfl.layers.softmax({ name: 'attention' }).apply(flat);
    const column = tfl.layers.reshape({ targetShape: [31, 1] }).apply(weights);
    const summed = tfl.layers.dot({ axes: 1 }).apply([column, steps] as tfl.SymbolicTensor[]);
    const output = tfl.layers
      .dense({
        units: 4,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
      })
      .apply(tfl.layers.flatten().apply(summed));
    const network = tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
    let modelJson: unknown;
    let weightData: ArrayBuffer = new ArrayBuffer(0);
    await network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
        modelJson = {
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const metadata = { ...entry.metadata, id: 'pooled', attentionLayer: 'attention' };
    const pooledStore = createModelStore(
      {
        registry: { default: 'pooled', models: ['pooled'] },
        models: { pooled: { modelJson, metadata, shards: { 'weights.bin': weightData } } },
      },
      { prepareBackend: async () => {} },
    );
    pooled = await pooledStore.load('pooled');
  });

  it('times each weight at the centre of its 4 input frames, 64 ms apart', () => {
    const [result] = classifySpans(pooled, clip.samples, [{ startSeconds: 0, endSeconds: duration }], {
      attention: true,
    }).predictions;
    // Input frames 0–124 are clip frames 36–160; step 0 covers clip frames 36–39, centred at 37.5 · 16 ms.
    expect(result.attention?.weights.length).toBe(31);
    expect(result.attention?.startSeconds).toBeCloseTo(0.6, 9);
    expect(result.attention?.frameSeconds).toBeCloseTo(0.064, 12);
    expect(result.attention?.weights.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 5);
  });

  it('keeps the steps that hold audio of a padded span', () => {
    const [result] = classifySpans(pooled, clip.samples, [{ startSeconds: 1, endSeconds: 2 }], {
      attention: true,
    }).predictions;
    // 63 audio frames at input frames 31–93: steps 7 (frames 28–31) to 23 (frames 92–95).
    expect(result.attention?.weights.length).toBe(17);
    expect(result.attention?.startSeconds).toBeCloseTo(1 + (-31 + 28 + 1.5) * 0.016, 9);
  });

  it('gives each span of a batch its own weights, as when classified alone', () => {
    const windows = cutWindows(duration, 1, 0.5);
    const batch = classifySpans(pooled, clip.samples, windows, { attention: true }).predictions;
    windows.forEach((window, index) => {
      const [single] = classifySpans(pooled, clip.samples, [window], { attention: true }).predictions;
      expect(batch[index].attention?.startSeconds).toBe(single.attention?.startSeconds);
      expect(
        maxDifference(batch[index].attention?.weights ?? [], Array.from(single.attention?.weights ?? [])),
      ).toBeLessThan(1e-6);
    });
  });
});
