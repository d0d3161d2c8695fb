import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../training/backend.ts';

describe('initTrainingBackend', () => {
  it('keeps the stock wasm kernels when asked to', async () => {
    const backend = await initTrainingBackend({ prefer: 'wasm', improvedKernels: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(backend.customKernels).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it('selects wasm with SIMD and the training kernels when tfjs-node is absent', async () => {
    const backend = await initTrainingBackend();
    expect(tf.getBackend()).toBe('wasm');
    expect(backend).toMatchObject({
      name: 'wasm',
      simd: true,
      threads: 1,
      versions: { tfjsCore: '4.22.0', tfjsLayers: '4.22.0', backend: '4.22.0' },
      notes: ['tfjs-node is not installed'],
    });
    expect(backend.customKernels).toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('stops with an error instead of falling back to cpu when wasm cannot start', () => {
    // A fresh process: a failed wasm start cannot be retried in this one.
    const script = `
      import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
      import '@tensorflow/tfjs-backend-cpu';
      import { initTrainingBackend } from './training/backend.ts';
      setWasmPaths('/nonexistent/');
      await initTrainingBackend().then(() => console.log('started'), (error) => console.log(error.message));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(output.trim().split('\n').at(-1)).toBe(
      "expected the wasm backend to initialise, got 'cpu' (see the warning above for the cause)",
    );
  });
});
