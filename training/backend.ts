import { getThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import { registeredWasmTrainingKernels, registerWasmTrainingKernels } from './gradient-kernels/index.ts';

/** The tfjs backend training runs on, as recorded in the run record's environment. */
export interface TrainingBackend {
  /** `tensorflow` (tfjs-node, native libtensorflow) or `wasm` (tfjs-backend-wasm, XNNPACK). */
  name: 'tensorflow' | 'wasm';
  versions: { tfjsCore: string; tfjsLayers: string; backend: string };
  /** Whether the wasm binary in use is the SIMD build; null on the tensorflow backend. */
  simd: boolean | null;
  /** XNNPACK threads on wasm (1 in Node: tfjs disables wasm threads there); null on tensorflow. */
  threads: number | null;
  /** Kernels added or replaced on top of the stock backend (training/gradient-kernels/). */
  customKernels: string[];
  /** Why a preferred backend was not used, e.g. tfjs-node is not installed. */
  notes: string[];
}

export interface TrainingBackendOptions {
  /** `auto` uses tfjs-node when it is installed, else wasm; `wasm` always uses wasm. Default `auto`. */
  prefer?: 'auto' | 'wasm';
  /** Register training/gradient-kernels/ on wasm (default true); false keeps the stock kernels, unless already registered. */
  improvedKernels?: boolean;
}

/**
 * Selects and initialises the training backend. tfjs falls back to its slow `cpu` backend silently when
 * wasm fails to initialise; this stops with an error instead: training on `cpu` is an order of magnitude slower.
 */
export async function initTrainingBackend(options: TrainingBackendOptions = {}): Promise<TrainingBackend> {
  const notes: string[] = [];
  if ((options.prefer ?? 'auto') === 'auto') {
    const native = await tryTfjsNode(notes);
    if (native != null) return native;
  }
  if (options.improvedKernels !== false) registerWasmTrainingKernels();
  const selected = await tf.setBackend('wasm').catch((error: unknown) => {
    throw new Error(`expected the wasm backend to initialise, got: ${String(error)}`);
  });
  await tf.ready();
  if (!selected || tf.getBackend() !== 'wasm') {
    throw new Error(
      `expected the wasm backend to initialise, got '${tf.getBackend()}' (see the warning above for the cause)`,
    );
  }
  return {
    name: 'wasm',
    versions: { tfjsCore: tf.version_core, tfjsLayers: version_layers, backend: version_wasm },
    simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
    threads: getThreadsCount(),
    // Reported as registered, not as asked: registration cannot be undone within a process.
    customKernels: [...registeredWasmTrainingKernels()],
    notes,
  };
}

/** tfjs-node is optional (it needs libtensorflow, which cannot install here), so it is imported by name. */
async function tryTfjsNode(notes: string[]): Promise<TrainingBackend | null> {
  const specifier = '@tensorflow/tfjs-node';
  let module: { version?: Record<string, string> };
  try {
    module = await import(specifier);
  } catch (error) {
    const code = (error as { code?: string }).code;
    notes.push(
      code === 'ERR_MODULE_NOT_FOUND'
        ? 'tfjs-node is not installed'
        : `tfjs-node failed to load: ${(error as Error).message}`,
    );
    return null;
  }
  // A tfjs-node built against another tfjs-core copy registers its backend there, not here.
  if (tf.findBackendFactory('tensorflow') == null || !(await tf.setBackend('tensorflow'))) {
    notes.push('tfjs-node loaded but its backend is not registered with this tfjs-core (version mismatch?)');
    return null;
  }
  return {
    name: 'tensorflow',
    versions: {
      tfjsCore: tf.version_core,
      tfjsLayers: version_layers,
      backend: module.version?.['tfjs-node'] ?? 'unknown',
    },
    simd: null,
    threads: null,
    customKernels: [],
    notes,
  };
}
