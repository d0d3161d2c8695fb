import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceCostSchema } from '../../core/contracts/run-record.ts';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import { countMacs, describeBackend, inferenceCost, measureLatency } from '../../training/inference-cost.ts';
import { loadModel, saveModel } from '../../training/model-io.ts';
import { buildModel, type ModelConfigInput, resolveModelConfig } from '../../training/models/index.ts';

let backend: TrainingBackend;
let dir: string;
beforeAll(async () => {
  backend = await initTrainingBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'inference-cost-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One-layer model over inputs of `shape` (no batch axis). */
function single(shape: number[], layer: tfl.layers.Layer): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
}

const built = (config: ModelConfigInput, frames: number, dims: number, classes: number) =>
  buildModel(resolveModelConfig(config), [frames, dims], classes, 1);

const byLayer = (model: tfl.LayersModel) =>
  Object.fromEntries(countMacs(model).layers.map((layer) => [layer.name, layer.macs]));

describe('countMacs', () => {
  it('counts a Dense layer as (inputs + bias) × units at every position', () => {
    expect(countMacs(single([4], tfl.layers.dense({ units: 3 }))).total).toBe(5 * 3);
    expect(countMacs(single([4], tfl.layers.dense({ units: 3, useBias: false }))).total).toBe(4 * 3);
    expect(countMacs(single([5, 4], tfl.layers.dense({ units: 3 }))).total).toBe(5 * 5 * 3);
  });

  it('counts convolutions per output position and filter: kernel × input channels + bias', () => {
    const same = tfl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same' });
    expect(countMacs(single([10, 4], same)).total).toBe(10 * 2 * (3 * 4 + 1));
    const valid = tfl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'valid' });
    expect(countMacs(single([10, 4], valid)).total).toBe(8 * 2 * (3 * 4 + 1));
    const image = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' });
    expect(countMacs(single([6, 5, 1], image)).total).toBe(6 * 5 * 2 * (3 * 3 * 1 + 1));
  });

  it('counts an LSTM as 4 gates × (inputs + units + 1) × units per step, twice when bidirectional', () => {
    const lstm = () => tfl.layers.lstm({ units: 2, recurrentInitializer: 'glorotUniform' });
    expect(countMacs(single([5, 3], lstm())).total).toBe(5 * 4 * (3 + 2 + 1) * 2);
    const both = tfl.layers.bidirectional({ layer: lstm() as tfl.RNN, mergeMode: 'concat' });
    expect(countMacs(single([5, 3], both)).total).toBe(2 * 5 * 4 * (3 + 2 + 1) * 2);
  });

  it('counts the attention-blstm model layer by layer (hand-worked)', async () => {
    // 6 frames × 3 features, BiLSTM 4 units per direction, attention 3 units, dense 5, 3 classes.
    const model = built(
      { architecture: 'attention-blstm', units: 4, attentionUnits: 3, denseUnits: 5 },
      6,
      3,
      3,
    );
    const expected = {
      bidirectional_1: 2 * 6 * 4 * (3 + 4 + 1) * 4, // 1536
      dense_1: 6 * (8 + 1) * 3, // tanh scoring layer over the 8 BiLSTM outputs per step: 162
      dense_2: 6 * 3 * 1, // score, no bias: 18
      dot_1: 6 * 8, // Σ_t α_t h_t: 48
      dense_3: (8 + 4 + 4 + 1) * 5, // [pooled 8, forward last 4, backward last 4] → 5: 85
      probabilities: (5 + 1) * 3, // 18
    };
    const counted = byLayer(model);
    expect(counted).toMatchObject(expected);
    // Flatten, softmax, reshape, concatenate and dropout are free.
    expect(countMacs(model).total).toBe(1867);
    // A model read back from its files counts the same.
    await saveModel(model, join(dir, 'attention-blstm'));
    const loaded = await loadModel(join(dir, 'attention-blstm'));
    expect(countMacs(loaded)).toEqual(countMacs(model));
    model.dispose();
    loaded.dispose();
  });

  it('counts the cnn-blstm-attention model on its pooled time axis (hand-worked)', () => {
    // 8 frames × 3 features; Conv1D 4 filters (kernel 3) → BatchNorm → MaxPool(2): 4 steps into the BiLSTM.
    const model = built(
      {
        architecture: 'cnn-blstm-attention',
        filters: [4],
        kernelSize: 3,
        units: 4,
        attentionUnits: 2,
        denseUnits: 0,
        dropout: 0,
      },
      8,
      3,
      2,
    );
    expect(byLayer(model)).toMatchObject({
      conv1d_1: 8 * 4 * (3 * 3 + 1), // 320
      batch_normalization_1: 8 * 4, // one scale-and-shift per element: 32
      max_pooling1d_1: 0,
      bidirectional_1: 2 * 4 * 4 * (4 + 4 + 1) * 4, // 4 steps: 1152
      dense_1: 4 * (8 + 1) * 2, // 72
      dense_2: 4 * 2, // 8
      dot_1: 4 * 8, // 32
      probabilities: (16 + 1) * 2, // 34
    });
    expect(countMacs(model).total).toBe(1650);
    model.dispose();
  });

  it('counts the Conv2D cnn and the statistics baseline (hand-worked)', () => {
    const cnn = built({ architecture: 'cnn', filters: [2], dropout: 0, denseUnits: 0 }, 4, 4, 2);
    // Conv2D 3×3 over a 4×4×1 image, 2 filters: 4·4·2·(9 + 1); BatchNorm 4·4·2; pooling free; dense (2 + 1)·2.
    expect(countMacs(cnn).total).toBe(320 + 32 + 6);
    cnn.dispose();
    const baseline = built({ architecture: 'baseline' }, 10, 3, 2);
    // Statistics: mean and variance accumulate 10·3 values each; BatchNorm over 4·3; dense (12 + 1)·2.
    expect(byLayer(baseline)).toMatchObject({ utterance_statistics_1: 60, batch_normalization_1: 12 });
    expect(countMacs(baseline).total).toBe(60 + 12 + 26);
    baseline.dispose();
  });

  it('refuses a layer it has no rule for instead of counting it as free', () => {
    const gru = tfl.layers.gru({ units: 2, recurrentInitializer: 'glorotUniform', name: 'gru_x' });
    expect(() => countMacs(single([5, 3], gru))).toThrow(/no MAC rule for layer gru_x of class GRU/);
  });
});

describe('measureLatency and inferenceCost', () => {
  it('times batch-1 forward passes on the current backend, leaving no tensors behind', () => {
    const model = built({ architecture: 'attention-blstm', units: 4, attentionUnits: 3 }, 6, 3, 3);
    const before = tf.memory().numTensors;
    const latency = measureLatency(model, { runs: 7, warmup: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(latency.runs).toBe(7);
    expect(latency.median).toBeGreaterThan(0);
    expect(latency.p95).toBeGreaterThanOrEqual(latency.median);
    expect(() => measureLatency(model, { runs: 0 })).toThrow(/expected runs ≥ 1, got 0/);

    const cost = inferenceCost(model, backend, { runs: 3, warmup: 1 });
    expect(InferenceCostSchema.parse(cost)).toEqual(cost);
    expect(cost.macs).toBe(countMacs(model).total);
    expect(cost.backend).toBe(describeBackend(backend));
    expect(cost.backend).toMatch(/^wasm 4\.\d+\.\d+, SIMD (on|off), 1 thread\(s\)/);
    model.dispose();
  });

  it('times the compiled network instead when given one, as the Worker runs it, and says so', () => {
    const model = built({ architecture: 'attention-blstm', units: 4, attentionUnits: 3 }, 6, 3, 3);
    const inputs: number[] = [];
    const compiled = {
      inputShape: [6, 3],
      precision: 'float32' as const,
      run(input: Float32Array) {
        inputs.push(input.length);
        return { output: new Float32Array(3), probe: null };
      },
    };
    const cost = inferenceCost(model, backend, { runs: 5, warmup: 2 }, compiled);
    expect(inputs).toEqual(new Array(7).fill(6 * 3));
    expect(cost.backend).toBe(
      `network compiled to the inference kernels (network.wasm, fused LSTM); ${describeBackend(backend)}`,
    );
    const at16 = inferenceCost(model, backend, { runs: 1, warmup: 0 }, { ...compiled, precision: 'int16' });
    expect(at16.backend).toBe(
      `network compiled to the inference kernels (network.wasm, 16-bit products); ${describeBackend(backend)}`,
    );
    model.dispose();
  });
});
