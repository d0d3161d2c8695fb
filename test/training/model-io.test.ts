import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../training/backend.ts';
import { loadModel, saveModel } from '../../training/model-io.ts';
import { buildModel, type ModelConfigInput, resolveModelConfig } from '../../training/models/index.ts';
import { createRandom } from '../../training/random.ts';

let dir: string;
beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'model-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const random = createRandom(4);
const input = Float32Array.from({ length: 3 * 16 * 8 }, () => random.normal());

async function predictOn(backend: 'wasm' | 'cpu', model: tfl.LayersModel): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.tensor3d(input, [3, 16, 8]);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

const maxDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);

describe('saveModel → loadModel', () => {
  const cases: [string, ModelConfigInput, 'wasm' | 'cpu', 'wasm' | 'cpu'][] = [
    ['attention-blstm', { architecture: 'attention-blstm', units: 8, attentionUnits: 4 }, 'wasm', 'cpu'],
    [
      'cnn-blstm-attention',
      { architecture: 'cnn-blstm-attention', filters: [8, 8], units: 8 },
      'cpu',
      'wasm',
    ],
    ['baseline (custom layer)', { architecture: 'baseline', hiddenUnits: [8] }, 'wasm', 'cpu'],
  ];
  for (const [name, config, from, to] of cases) {
    it(`round-trips ${name} from ${from} to ${to} with the same outputs`, async () => {
      await tf.setBackend(from);
      const model = buildModel(resolveModelConfig(config), [16, 8], 4, 2);
      const before = await predictOn(from, model);
      const folder = join(dir, `${name}-${from}`);
      const saved = await saveModel(model, folder);
      model.dispose();
      expect(saved.files).toEqual(['model.json', 'group1-shard1of1.bin']);
      await tf.setBackend(to);
      const loaded = await loadModel(folder);
      const after = await predictOn(to, loaded);
      expect(after).toHaveLength(12);
      expect(maxDifference(before, after)).toBeLessThanOrEqual(1e-5);
      loaded.dispose();
    });
  }

  it('writes a model.json that names its shards and weights, without optimizer state', async () => {
    await tf.setBackend('wasm');
    const model = buildModel(resolveModelConfig({ architecture: 'lstm', units: [4] }), [16, 8], 3, 1);
    const folder = join(dir, 'lstm');
    const saved = await saveModel(model, folder);
    const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('lstm_1/kernel');
    expect(json.modelTopology.training_config).toBeUndefined();
    expect(saved.weightBytes).toBe(model.countParams() * 4);
    model.dispose();
  });

  it('splits weights over 4 MiB into shards that load back', async () => {
    await tf.setBackend('wasm');
    const features = tfl.input({ shape: [1100] });
    const dense = tfl.layers.dense({
      units: 1000,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    });
    const model = tfl.model({ inputs: features, outputs: dense.apply(features) as tfl.SymbolicTensor });
    const folder = join(dir, 'large');
    const saved = await saveModel(model, folder);
    expect(saved.files).toEqual(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect((await readdir(folder)).sort()).toEqual([...saved.files].sort());
    const loaded = await loadModel(folder);
    const [original, restored] = [model, loaded].map((m) => m.getWeights()[0].dataSync());
    expect(Array.from(restored.subarray(-5))).toEqual(Array.from(original.subarray(-5)));
    model.dispose();
    loaded.dispose();
  });

  it('says what is missing from a model.json', async () => {
    const folder = join(dir, 'topology-only');
    await mkdir(folder);
    await writeFile(join(folder, 'model.json'), JSON.stringify({ modelTopology: {} }));
    await expect(loadModel(folder)).rejects.toThrow(
      `expected modelTopology and weightsManifest in ${join(folder, 'model.json')}, got neither or one`,
    );
  });
});
