import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// Registers the baseline's custom layer, so every model file this project writes loads here.
import '../core/network/utterance-statistics.ts';

/** Shard size of tfjs's converter, well under Cloudflare's 25 MiB per asset. */
const SHARD_BYTES = 4 * 1024 * 1024;

/** What `saveModel` wrote. */
export interface SavedModel {
  files: string[];
  weightBytes: number;
}

/**
 * Saves `model` as `model.json` plus `group1-shardNofM.bin` weight shards in `dir`, the layout tfjs's
 * `loadLayersModel(url)` reads in browsers and workers. Pure tfjs has no `file://` handler without
 * tfjs-node, so this goes through `tf.io.withSaveHandler`. The optimizer is not saved.
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      const shardCount = Math.max(1, Math.ceil(weights.byteLength / SHARD_BYTES));
      const paths = Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      };
      await mkdir(dir, { recursive: true });
      await Promise.all(
        paths.map((path, i) =>
          writeFile(join(dir, path), weights.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES)),
        ),
      );
      await writeFile(join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`);
      saved = { files: ['model.json', ...paths], weightBytes: weights.byteLength };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: false },
  );
  if (saved == null) throw new Error(`expected the model to be saved to ${dir}, got no artifacts`);
  return saved;
}

/** Loads a model saved by `saveModel` (or any tfjs layers-model folder) on the current backend. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  if (modelJson.modelTopology == null || modelJson.weightsManifest == null) {
    throw new Error(
      `expected modelTopology and weightsManifest in ${join(dir, 'model.json')}, got neither or one`,
    );
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shards = await Promise.all(
    modelJson.weightsManifest.flatMap((group) => group.paths).map((path) => readFile(join(dir, path))),
  );
  const weightData = tf.io.CompositeArrayBuffer.join(
    shards.map(
      (shard) => shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength) as ArrayBuffer,
    ),
  );
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  );
}
