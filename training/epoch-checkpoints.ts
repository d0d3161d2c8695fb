/** Each fold's weights and optimizer state after every epoch, so an interrupted run resumes where it stopped. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { StoppingState, TrainFoldOptions } from './training-types.ts';

/** Identifies a fold's inputs, so a checkpoint is never resumed into a different run. */
export function fingerprintOf(options: TrainFoldOptions): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([options.model, options.training, options.labels]));
  for (const set of [options.train, options.validation]) {
    if (set == null) continue;
    hash.update(JSON.stringify([set.frames, set.dims, set.labels, set.groups ?? null]));
    for (const data of [
      set.features,
      ...(set.variants ?? []),
      ...(set.teacherTargets ? [set.teacherTargets] : []),
    ])
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** A named tensor, as optimizers' getWeights/setWeights exchange them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface LoadedCheckpoint {
  state: StoppingState;
  current: Float32Array[];
  best: Float32Array[];
  optimizer: NamedTensor[];
}

/**
 * Per-epoch checkpoints in `dir`: `epoch-N.json` (state and weight specs) + `epoch-N.bin` (current weights,
 * best weights, optimizer slots), then `latest.json` naming N is replaced atomically, then older epochs are
 * deleted. A crash mid-write leaves `latest.json` on the previous complete epoch.
 */
export function epochCheckpoints(dir: string) {
  const latestPath = join(dir, 'latest.json');
  return {
    async save(
      fingerprint: string,
      state: StoppingState,
      current: Float32Array[],
      best: Float32Array[],
      optimizer: NamedTensor[],
    ) {
      await mkdir(dir, { recursive: true });
      const named = [
        ...current.map((values, i) => ({ name: `current/${i}`, tensor: tf.tensor1d(values) })),
        ...best.map((values, i) => ({ name: `best/${i}`, tensor: tf.tensor1d(values) })),
        ...optimizer.map(({ name, tensor }, i) => ({ name: `optimizer/${i}/${name}`, tensor })),
      ];
      const { data, specs } = await tf.io.encodeWeights(named);
      tf.dispose(named.slice(0, current.length + best.length).map(({ tensor }) => tensor));
      const base = `epoch-${state.epoch}`;
      await writeFile(join(dir, `${base}.bin`), new Uint8Array(data));
      await writeFile(join(dir, `${base}.json`), JSON.stringify({ fingerprint, state, specs }));
      await writeFile(`${latestPath}.tmp`, JSON.stringify({ epoch: state.epoch }));
      await rename(`${latestPath}.tmp`, latestPath);
      if (state.epoch > 1) {
        const previous = `epoch-${state.epoch - 1}`;
        await Promise.all([
          rm(join(dir, `${previous}.bin`), { force: true }),
          rm(join(dir, `${previous}.json`), { force: true }),
        ]);
      }
    },

    async load(fingerprint: string): Promise<LoadedCheckpoint | null> {
      const latest = await readFile(latestPath, 'utf8').catch(() => null);
      if (latest == null) return null;
      const base = `epoch-${(JSON.parse(latest) as { epoch: number }).epoch}`;
      const saved = JSON.parse(await readFile(join(dir, `${base}.json`), 'utf8')) as {
        fingerprint: string;
        state: StoppingState;
        specs: tf.io.WeightsManifestEntry[];
      };
      if (saved.fingerprint !== fingerprint) {
        throw new Error(
          `expected the checkpoint in ${dir} to come from this model, configuration and data (${fingerprint.slice(0, 12)}), got ${saved.fingerprint.slice(0, 12)}: delete the folder to start over`,
        );
      }
      const bytes = await readFile(join(dir, `${base}.bin`));
      const tensors = tf.io.decodeWeights(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        saved.specs,
      );
      const group = (prefix: string) =>
        saved.specs.filter((spec) => spec.name.startsWith(prefix)).map((spec) => tensors[spec.name]);
      const values = (prefix: string) =>
        group(prefix).map((tensor) => {
          const data = tensor.dataSync() as Float32Array;
          tensor.dispose();
          return data;
        });
      const optimizer = saved.specs
        .filter((spec) => spec.name.startsWith('optimizer/'))
        .map((spec) => ({ name: spec.name.split('/').slice(2).join('/'), tensor: tensors[spec.name] }));
      return { state: saved.state, current: values('current/'), best: values('best/'), optimizer };
    },
  };
}
