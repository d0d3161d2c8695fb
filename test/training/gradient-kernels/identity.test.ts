import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../../training/backend.ts';

beforeAll(async () => {
  await initTrainingBackend({ prefer: 'wasm' });
});

const wasmBuffers = () => tf.engine().backend.numDataIds();

describe('sharedIdentity on wasm', () => {
  it('clones without a new wasm buffer, and the clone outlives its source', async () => {
    const source = tf.tensor1d([1, 2, 3]);
    const before = wasmBuffers();
    const clone = tf.clone(source);
    expect(wasmBuffers()).toBe(before);
    source.dispose();
    expect(Array.from(await clone.data())).toEqual([1, 2, 3]);
    clone.dispose();
  });

  it('frees the shared buffer once the last holder is disposed', () => {
    const before = wasmBuffers();
    const source = tf.tensor1d([1, 2, 3]);
    const clones = [tf.clone(source), tf.clone(source)];
    tf.dispose([source, clones[0]]);
    expect(wasmBuffers()).toBe(before + 1);
    clones[1].dispose();
    expect(wasmBuffers()).toBe(before);
  });

  it('keeps a clone of a variable unchanged when the variable is reassigned', () => {
    const variable = tf.variable(tf.tensor1d([1, 2]));
    const snapshot = tf.clone(variable);
    variable.assign(tf.tensor1d([5, 6]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(variable.dataSync())).toEqual([5, 6]);
    tf.dispose([variable, snapshot]);
  });
});
