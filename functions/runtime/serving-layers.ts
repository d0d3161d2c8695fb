// Custom layers of the trainer's architectures: the module registers the class with tfjs serialisation when
// imported. It lives under training/ for now; it is pure tfjs (no Node APIs), so the Worker can bundle it.
import '../../training/models/utterance-statistics.ts';

/**
 * The one place where custom layer classes are registered with tfjs's serialisation map before the Worker
 * deserialises any model (the model store calls this once per isolate, before its first load).
 *
 * The fused LSTM (`functions/model/fast-lstm.ts`) goes here once it is ready for serving:
 * `registerFastRecurrentLayers(createLstmKernels(lstmWasm))`, with `lstmWasm` imported from
 * `functions/kernels/lstm.wasm` (wrangler bundles it as a compiled module). It registers itself under the
 * stock class name 'LSTM', so published model.json files need no change.
 */
export function registerServingLayers(): void {}
