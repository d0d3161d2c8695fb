import { readFileSync } from 'node:fs';
import { useSpectrumKernels } from '../audio/frame-features.ts';
import { useResampleKernels } from '../audio/resample.ts';
import { type CompileOutcome, compileNetwork } from '../network/compiled-network.ts';
import type { SavedModel } from '../network/saved-model.ts';
import { createLstmKernels, type LstmKernels } from './lstm-kernels.ts';
import {
  createNetworkKernels,
  type NetworkKernels,
  type NetworkPrecision,
  SERVED_PRECISION,
} from './network-kernels.ts';
import { createResampleKernels, type WasmResampleKernels } from './resample-kernels.ts';
import { createSpectrumKernels, type WasmSpectrumKernels } from './spectrum-kernels.ts';

/** Node only: compiles a committed kernel file from its bytes (workerd imports it as a module instead). */
function compile(file: string): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(new URL(file, import.meta.url)));
}

export function loadLstmKernels(): LstmKernels {
  return createLstmKernels(compile('./lstm.wasm'));
}

/**
 * The network kernels of compiled networks (core/network/compiled-network.ts), at float32 unless asked: the
 * precision tfjs's outputs are compared at. `createNetworkCompiler` defaults to the served one instead.
 */
export function loadNetworkKernels(precision: NetworkPrecision = 'float32'): NetworkKernels {
  return createNetworkKernels(compile('./network.wasm'), precision);
}

/** The resampler's SIMD loops, for `useResampleKernels` (core/audio/resample.ts). */
export function loadResampleKernels(): WasmResampleKernels {
  return createResampleKernels(compile('./resample.wasm'));
}

/** The frame features' SIMD loops, for `useSpectrumKernels` (core/audio/frame-features.ts). */
export function loadSpectrumKernels(): WasmSpectrumKernels {
  return createSpectrumKernels(compile('./spectrum.wasm'));
}

/**
 * Registers the front end's SIMD loops for every later decode and feature extraction, as the Worker does at
 * start-up (functions/runtime/worker-audio.ts): the 16-bit downmix, the resampler and the frame features.
 */
export function useFrontEndKernels(): void {
  useResampleKernels(loadResampleKernels());
  useSpectrumKernels(loadSpectrumKernels());
}

/**
 * Compiles saved networks as the Worker does (functions/runtime/worker-backend.ts, without its warm-up), on
 * `lstm` (the instance registered for tfjs's LSTMs, so that one wasm memory serves both) and fresh network
 * kernels at `precision` (the Worker's by default).
 */
export function createNetworkCompiler(
  lstm: LstmKernels = loadLstmKernels(),
  precision: NetworkPrecision = SERVED_PRECISION,
): (saved: SavedModel, attentionLayer: string | null) => CompileOutcome {
  const kernels = { lstm, network: loadNetworkKernels(precision) };
  return (saved, attentionLayer) => compileNetwork(saved, kernels, attentionLayer);
}
