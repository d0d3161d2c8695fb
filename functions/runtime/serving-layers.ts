// The baseline's custom layer registers its class with tfjs serialisation when imported.
import '../model/utterance-statistics.ts';

/**
 * The one place where custom layer classes are registered with tfjs's serialisation map before the Worker
 * deserialises any model (the model store calls this once per isolate, before its first load).
 * The fused LSTM is registered by the Worker's backend preparation (runtime/worker-backend.ts), which
 * needs the wasm module that only the Worker bundle can import.
 */
export function registerServingLayers(): void {}
