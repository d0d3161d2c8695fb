import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFiles } from '../../core/serving/model-source.ts';

/**
 * A model folder's files as the Worker receives them (model.json, metadata.json and the weight shards
 * model.json names). Throws an Error saying which file is missing or malformed.
 */
export async function readModelFolder(folder: string): Promise<ModelFiles> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(`expected a model folder at ${folder}, got ${info ? 'a file' : 'nothing'}`);
  }
  const readJson = async (name: string): Promise<unknown> => {
    const text = await readFile(join(folder, name), 'utf8').catch(() => {
      throw new Error(`expected ${name} in the model folder ${folder}, got no such file`);
    });
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`expected ${join(folder, name)} to be JSON, got: ${(error as Error).message}`);
    }
  };
  const modelJson = (await readJson('model.json')) as { weightsManifest?: { paths?: unknown }[] };
  const paths = (modelJson.weightsManifest ?? []).flatMap((group) =>
    Array.isArray(group.paths) ? group.paths.map(String) : [],
  );
  const shards: Record<string, ArrayBuffer> = {};
  for (const path of paths) {
    const bytes = await readFile(join(folder, path)).catch(() => {
      throw new Error(`expected weight shard ${join(folder, path)} (named in model.json), got no such file`);
    });
    shards[path] = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  return { modelJson, metadata: await readJson('metadata.json'), shards };
}
