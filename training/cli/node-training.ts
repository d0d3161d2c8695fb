/**
 * The Node set-up the training CLIs share, in one place: tfjs's gradients, the training backend (tfjs-wasm with
 * our kernels; training/backend.ts), the fused LSTM recurrence unless the stock layer is asked for, and the
 * front end's SIMD kernels for decoding and features, as the Worker registers them.
 */

import { loadLstmKernels, useFrontEndKernels } from '../../core/kernels/load-node.ts';
import type { LstmKernels } from '../../core/kernels/lstm-kernels.ts';
import { registerFastRecurrentLayers } from '../../core/network/fast-lstm.ts';
import { initTrainingBackend, type TrainingBackend, type TrainingBackendOptions } from '../backend.ts';
import { registerTfjsGradients } from '../tfjs-node.ts';

export async function setUpTraining(
  options: TrainingBackendOptions & { stockLstm?: boolean } = {},
): Promise<{ backend: TrainingBackend; lstm: LstmKernels }> {
  await registerTfjsGradients();
  const backend = await initTrainingBackend(options);
  const lstm = loadLstmKernels();
  if (!options.stockLstm) {
    registerFastRecurrentLayers(lstm);
    backend.customKernels.push('LSTM (fused recurrence, core/network/fast-lstm.ts)');
  }
  useFrontEndKernels();
  return { backend, lstm };
}

/**
 * What a served model needs in Node when its network cannot be compiled (the model store's `prepareBackend`):
 * tfjs on wasm with the fused LSTM, as the Worker falls back.
 */
export async function prepareTfjsFallback(lstm: LstmKernels = loadLstmKernels()): Promise<void> {
  await registerTfjsGradients();
  await initTrainingBackend();
  registerFastRecurrentLayers(lstm);
}
