import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SparseAutoencoderSchema } from '../../core/contracts/training-config.ts';
import { initTrainingBackend } from '../../training/backend.ts';
import { buildModel, resolveModelConfig } from '../../training/models/index.ts';
import { createRandom } from '../../training/random.ts';
import {
  pretrainFirstConvolution,
  samplePatches,
  trainSparseAutoencoder,
} from '../../training/sparse-autoencoder.ts';
import { TrainingConfigSchema, trainFold } from '../../training/trainer.ts';
import type { FeatureSet } from '../../training/training-types.ts';

const FRAMES = 32;
const DIMS = 8;

/** Inputs made of a few repeated shapes (plus noise) and zero padding at the end: structure to learn. */
function structured(count: number, seed: number): FeatureSet {
  const random = createRandom(seed);
  const features = new Float32Array(count * FRAMES * DIMS);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < FRAMES - 4; t++) {
      const shape = (i + t) % 3;
      for (let d = 0; d < DIMS; d++) {
        features[(i * FRAMES + t) * DIMS + d] = (d % 3 === shape ? 1 : -0.5) + 0.1 * random.normal();
      }
    }
  }
  return {
    features,
    labels: Array.from({ length: count }, (_, i) => i % 2),
    frames: FRAMES,
    dims: DIMS,
    bands: DIMS,
  };
}

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

describe('sparse auto-encoder', () => {
  it('cuts patches from the inputs, frame-major, never from padding alone', () => {
    const set = structured(4, 1);
    const patches = samplePatches(set, { frames: 3, dims: DIMS }, 200, createRandom(2));
    expect(patches).toHaveLength(200 * 3 * DIMS);
    for (let p = 0; p < 200; p++) {
      expect(patches.subarray(p * 3 * DIMS, (p + 1) * 3 * DIMS).some((value) => value !== 0)).toBe(true);
    }
    expect(() => samplePatches(set, { frames: 40, dims: DIMS }, 1, createRandom(1))).toThrow(
      'sparse auto-encoder: expected patches within the 32 × 8 input, got 40 × 8',
    );
  });

  it('learns to reconstruct, with hidden units pushed towards the sparsity target', () => {
    const patches = samplePatches(structured(20, 3), { frames: 3, dims: DIMS }, 2000, createRandom(4));
    const config = SparseAutoencoderSchema.parse({
      patches: 2000,
      epochs: 15,
      batchSize: 64,
      learningRate: 0.01,
    });
    const before = tf.memory().numTensors;
    const encoder = trainSparseAutoencoder(patches, 3 * DIMS, 6, config, createRandom(5));
    expect(tf.memory().numTensors).toBe(before);
    const first = encoder.history[0];
    const last = encoder.history.at(-1) as (typeof encoder.history)[number];
    expect(last.reconstruction).toBeLessThan(0.5 * first.reconstruction);
    expect(last.meanActivation).toBeLessThan(first.meanActivation);
    // The penalty is what makes the code sparse: without it (β = 0) the units stay far busier.
    const dense = trainSparseAutoencoder(
      patches,
      3 * DIMS,
      6,
      { ...config, sparsityWeight: 0 },
      createRandom(5),
    );
    expect(last.meanActivation).toBeLessThan((dense.history.at(-1)?.meanActivation ?? 0) - 0.1);
    expect(encoder.kernel).toHaveLength(3 * DIMS * 6);
    // Seeded: the same generator gives the same encoder.
    const again = trainSparseAutoencoder(patches, 3 * DIMS, 6, config, createRandom(5));
    expect(Array.from(again.kernel)).toEqual(Array.from(encoder.kernel));
  });

  it("becomes the first convolution's kernel, and a fold trains from it", async () => {
    const model = resolveModelConfig({
      architecture: 'cnn-blstm-attention',
      filters: [6],
      kernelSize: 3,
      units: 4,
      attentionUnits: 4,
      denseUnits: 4,
    });
    const built = buildModel(model, [FRAMES, DIMS], 2, 1);
    const config = SparseAutoencoderSchema.parse({ patches: 500, epochs: 2, batchSize: 64 });
    const history = pretrainFirstConvolution(built, structured(10, 6), config, createRandom(7));
    expect(history).toHaveLength(2);
    const conv = built.layers.find((layer) => layer.getClassName() === 'Conv1D');
    const encoder = trainSparseAutoencoder(
      samplePatches(structured(10, 6), { frames: 3, dims: DIMS }, 500, createRandom(7)),
      3 * DIMS,
      6,
      config,
      (() => {
        // The same generator state pretrainFirstConvolution's encoder started from: after the patches.
        const random = createRandom(7);
        samplePatches(structured(10, 6), { frames: 3, dims: DIMS }, 500, random);
        return random;
      })(),
    );
    expect(Array.from(conv?.getWeights()[0].dataSync() ?? [])).toEqual(Array.from(encoder.kernel));
    built.dispose();

    const lines: string[] = [];
    const trained = await trainFold({
      model,
      training: TrainingConfigSchema.parse({
        epochs: 1,
        batchSize: 8,
        pretrainFirstConvolution: { patches: 300, epochs: 1 },
      }),
      labels: ['a', 'b'],
      train: structured(16, 8),
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(/^sparse auto-encoder: first convolution pre-trained, reconstruction MSE/);
    trained.model.dispose();
  });
});
