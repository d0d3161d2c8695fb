import '@tensorflow/tfjs-backend-cpu';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadLstmKernels, loadNetworkKernels } from '../../../core/kernels/load-node.ts';
import { compileNetwork } from '../../../core/network/compiled-network.ts';
import type { ModelFiles, ModelSource } from '../../../core/serving/model-source.ts';
import { createModelStore } from '../../../core/serving/model-store.ts';
import { readModelSource } from '../../fixtures/models/read-models.ts';

const fixtures = readModelSource(fileURLToPath(new URL('../../fixtures/models', import.meta.url)));
const useCpu = async () => {
  await tf.setBackend('cpu');
};

/** The fixture source with tiny-blstm's files changed. */
function withBlstm(change: (files: ModelFiles) => ModelFiles): ModelSource {
  return { ...fixtures, models: { ...fixtures.models, 'tiny-blstm': change(fixtures.models['tiny-blstm']) } };
}

function withMetadata(change: Record<string, unknown>): ModelSource {
  return withBlstm((files) => ({ ...files, metadata: { ...(files.metadata as object), ...change } }));
}

describe('createModelStore', () => {
  it('lists the registry in order with its default, and finds models by id', () => {
    const store = createModelStore(fixtures, { prepareBackend: useCpu });
    expect(store.defaultId).toBe('tiny-blstm');
    expect(store.list().map((entry) => entry.metadata.id)).toEqual(['tiny-blstm', 'tiny-cnn']);
    expect(store.find('tiny-cnn')?.extractor.dims).toBe(40);
    expect(store.find('nope')).toBeUndefined();
  });

  it('serves nothing from an empty source', () => {
    const store = createModelStore({ registry: null, models: {} }, { prepareBackend: useCpu });
    expect(store.defaultId).toBeNull();
    expect(store.list()).toEqual([]);
  });

  it.each([
    [
      'a registry entry without files',
      { ...fixtures, models: { 'tiny-cnn': fixtures.models['tiny-cnn'] } },
      "model 'tiny-blstm' is in the registry but its files are not bundled",
    ],
    [
      'metadata for another id',
      withMetadata({ id: 'other' }),
      "model 'tiny-blstm': expected metadata.json id 'tiny-blstm', got 'other'",
    ],
    [
      'an unknown feature set',
      withMetadata({ features: { set: 'mp3', config: {}, dims: 40 } }),
      "model 'tiny-blstm': expected a feature set in logmel40",
    ],
    [
      'feature dims the front end does not give',
      withMetadata({ features: { set: 'logmel40', config: {}, dims: 41 } }),
      "model 'tiny-blstm': expected 41 feature dims, got 40",
    ],
    [
      'normalisation of the wrong length',
      withMetadata({ normalisation: { mean: [0], std: [1] } }),
      "model 'tiny-blstm': expected 40 normalisation values, got mean 1, std 1",
    ],
    ['invalid metadata', withMetadata({ labels: ['one'] }), "model 'tiny-blstm': metadata.json is invalid"],
  ])('refuses %s up front', (_, source, message) => {
    expect(() => createModelStore(source, { prepareBackend: useCpu })).toThrow(message);
  });

  it('builds each model once and shares it', async () => {
    let prepared = 0;
    const store = createModelStore(fixtures, {
      prepareBackend: async () => {
        prepared++;
        await useCpu();
      },
    });
    const [first, second] = await Promise.all([store.load('tiny-blstm'), store.load('tiny-blstm')]);
    expect(first).toBe(second);
    expect(first.withAttention?.outputs.map((output) => output.shape)).toEqual([
      [null, 4],
      [null, 125],
    ]);
    expect((await store.load('tiny-cnn')).withAttention).toBeNull();
    expect(prepared).toBe(2);
  });

  it('compiles every model when it is made, and serves a compiled one without bringing tfjs up', async () => {
    const kernels = { lstm: loadLstmKernels(), network: loadNetworkKernels() };
    const probed: (string | null)[] = [];
    let prepared = 0;
    const store = createModelStore(fixtures, {
      prepareBackend: async () => {
        prepared++;
        await useCpu();
      },
      compileNetwork: (saved, attentionLayer) => {
        probed.push(attentionLayer);
        return compileNetwork(saved, kernels, attentionLayer);
      },
    });
    expect(probed).toEqual(['attention', null]);
    const served = await store.load('tiny-blstm');
    expect(served.compileNote).toBe('compiled');
    expect(served.runsCompiled).toBe(true);
    expect(served.compiled?.inputShape).toEqual([125, 40]);
    expect([served.network, served.withAttention]).toEqual([null, null]);
    expect(prepared).toBe(0);
  });

  it('lists how each model runs, and says in the log why one is not compiled', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    try {
      const store = createModelStore(fixtures, {
        prepareBackend: useCpu,
        compileNetwork: () => ({ network: null, unsupported: "layer 'x' (Permute) is not supported" }),
      });
      expect(store.list().map((entry) => entry.compileNote)).toEqual([
        "not compiled: layer 'x' (Permute) is not supported",
        "not compiled: layer 'x' (Permute) is not supported",
      ]);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual([
      "model 'tiny-blstm' runs on tfjs: not compiled: layer 'x' (Permute) is not supported",
      "model 'tiny-cnn' runs on tfjs: not compiled: layer 'x' (Permute) is not supported",
    ]);
    expect(createModelStore(fixtures, { prepareBackend: useCpu }).list()[0]).toMatchObject({
      compileNote: 'tfjs',
      runsCompiled: false,
    });
  });

  it('serves a model on tfjs when the compiler throws, instead of failing to start', async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      const store = createModelStore(fixtures, {
        prepareBackend: useCpu,
        compileNetwork: () => {
          throw new Error('index out of range');
        },
      });
      const served = await store.load('tiny-blstm');
      expect(served.compileNote).toBe('not compiled: the compiler failed: index out of range');
      expect(served.network).not.toBeNull();
    } finally {
      console.warn = warn;
    }
  });

  it('refuses, when it is made, a compiled network whose input the metadata does not describe', () => {
    const kernels = { lstm: loadLstmKernels(), network: loadNetworkKernels() };
    const source = withMetadata({ inputFrames: 124 });
    expect(() =>
      createModelStore(source, {
        prepareBackend: useCpu,
        compileNetwork: (saved, attentionLayer) => compileNetwork(saved, kernels, attentionLayer),
      }),
    ).toThrow("model 'tiny-blstm': expected input [batch, 124, 40], got [batch, 125, 40]");
  });

  it('retries a build that failed', async () => {
    let attempts = 0;
    const store = createModelStore(fixtures, {
      prepareBackend: async () => {
        attempts++;
        if (attempts === 1) throw new Error('backend not ready');
        await useCpu();
      },
    });
    await expect(store.load('tiny-cnn')).rejects.toThrow('backend not ready');
    await expect(store.load('tiny-cnn')).resolves.toMatchObject({ metadata: { id: 'tiny-cnn' } });
  });

  it.each([
    [
      'a missing weight shard',
      withBlstm((files) => ({ ...files, shards: {} })),
      "model 'tiny-blstm': weight shard 'weights.bin' is missing",
    ],
    [
      'a model.json without a manifest',
      withBlstm((files) => ({ ...files, modelJson: { modelTopology: {} } })),
      "model 'tiny-blstm': expected model.json with modelTopology and weightsManifest",
    ],
    [
      'an input length other than inputFrames',
      withMetadata({ inputFrames: 100 }),
      "model 'tiny-blstm': expected input [batch, 100, 40], got [, 125, 40]",
    ],
    [
      'labels that do not match the outputs',
      withMetadata({ labels: ['a', 'b', 'c'] }),
      "model 'tiny-blstm': expected 3 output units, got 4",
    ],
  ])('fails loading %s', async (_, source, message) => {
    const store = createModelStore(source, { prepareBackend: useCpu });
    await expect(store.load('tiny-blstm')).rejects.toThrow(message);
  });

  it('rejects loading an id it does not serve', async () => {
    const store = createModelStore(fixtures, { prepareBackend: useCpu });
    await expect(store.load('nope')).rejects.toThrow("model 'nope' is not served");
  });
});
