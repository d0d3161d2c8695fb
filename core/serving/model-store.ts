import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  createFeatureExtractor,
  FEATURE_SET_NAMES,
  type FeatureConfig,
  type FeatureExtractor,
  type FeatureSetName,
} from '../audio/feature-set.ts';
import { type ModelMetadata, ModelMetadataSchema } from '../contracts/model-metadata.ts';
import type { CompiledNetwork, CompileOutcome } from '../network/compiled-network.ts';
import type { SavedModel } from '../network/saved-model.ts';
import type { ModelFiles, ModelSource } from './model-source.ts';
// Registers the baseline's custom layer with tfjs's serialisation map, before any model is deserialised here.
// (The fused LSTM is registered by the Worker's backend preparation, functions/runtime/worker-backend.ts.)
import '../network/utterance-statistics.ts';

/** A served model's description and the front end that turns a 16 kHz clip into its input features. */
export interface ModelEntry {
  metadata: ModelMetadata;
  extractor: FeatureExtractor;
  /** Whether the network runs compiled to the inference kernels (else on tfjs), known when the store is made. */
  runsCompiled: boolean;
  /** How it runs, in words: 'compiled', 'not compiled: <reason>', or 'tfjs' when the store compiles nothing. */
  compileNote: string;
}

/**
 * A model ready to run: compiled to the inference kernels (no tfjs), or else as a tfjs network plus a second
 * head exposing attention if it has one.
 */
export interface ServedModel extends ModelEntry {
  /**
   * The network compiled from its files (core/network/compiled-network.ts), probing the attention layer;
   * null when the store compiles nothing or the network has a layer the compiler does not support.
   */
  compiled: CompiledNetwork | null;
  /** The tfjs network, built only when the model is not compiled. */
  network: tfl.LayersModel | null;
  /** Same weights, outputs [probabilities, attention weights]; null when compiled or without attention. */
  withAttention: tfl.LayersModel | null;
}

export interface ModelStore {
  /** The registry's default model id; null when no model is published. */
  readonly defaultId: string | null;
  /** Every served model, in registry order. */
  list(): ModelEntry[];
  /** One served model, or undefined for an id the registry does not list. */
  find(id: string): ModelEntry | undefined;
  /**
   * The model, ready: a compiled one at once; a tfjs one is built on first use (backend included) and cached
   * for the isolate's lifetime.
   */
  load(id: string): Promise<ServedModel>;
}

export interface ModelStoreOptions {
  /** Makes the tfjs backend ready (the WASM bring-up in workerd, a plain backend in Node). */
  prepareBackend(): Promise<void>;
  /**
   * Compiles a model's files to the inference kernels, probing `attentionLayer` (the Worker's: functions/
   * runtime/worker-backend.ts). Called for every served model when the store is made, synchronously, so the
   * Worker pays it at start-up rather than in its first request. Absent: every model runs on tfjs.
   */
  compileNetwork?(saved: SavedModel, attentionLayer: string | null): CompileOutcome;
  /**
   * Loads models trained with per-speaker normalisation too (their pooled statistics stand in), for tools that
   * only time or count the network. Absent: such a model is refused, as one clip has no speaker statistics.
   */
  acceptPerSpeakerNormalisation?: boolean;
}

interface ModelJsonShape {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function isModelJson(value: unknown): value is ModelJsonShape {
  const candidate = value as Partial<ModelJsonShape> | null;
  return (
    typeof candidate?.modelTopology === 'object' &&
    Array.isArray(candidate.weightsManifest) &&
    candidate.weightsManifest.every((group) => Array.isArray(group.paths) && Array.isArray(group.weights))
  );
}

function parseEntry(id: string, files: ModelFiles): Omit<ModelEntry, 'runsCompiled' | 'compileNote'> {
  const parsed = ModelMetadataSchema.safeParse(files.metadata);
  if (!parsed.success) {
    throw new Error(`model '${id}': metadata.json is invalid: ${parsed.error.issues[0]?.message}`);
  }
  const metadata = parsed.data;
  if (metadata.id !== id)
    throw new Error(`model '${id}': expected metadata.json id '${id}', got '${metadata.id}'`);
  const set = metadata.features.set as FeatureSetName;
  if (!FEATURE_SET_NAMES.includes(set)) {
    throw new Error(`model '${id}': expected a feature set in ${FEATURE_SET_NAMES.join(', ')}, got '${set}'`);
  }
  const extractor = createFeatureExtractor(set, metadata.features.config as Partial<FeatureConfig>);
  const { dims } = metadata.features;
  if (extractor.dims !== dims)
    throw new Error(`model '${id}': expected ${dims} feature dims, got ${extractor.dims}`);
  const { mean, std } = metadata.normalisation;
  if (mean.length !== dims || std.length !== dims) {
    throw new Error(
      `model '${id}': expected ${dims} normalisation values, got mean ${mean.length}, std ${std.length}`,
    );
  }
  return { metadata, extractor };
}

async function buildModel(id: string, files: ModelFiles, entry: ModelEntry): Promise<ServedModel> {
  const { metadata } = entry;
  if (!isModelJson(files.modelJson)) {
    throw new Error(`model '${id}': expected model.json with modelTopology and weightsManifest`);
  }
  const { modelTopology, weightsManifest } = files.modelJson;
  const weightSpecs = weightsManifest.flatMap((group) => group.weights);
  const shards = weightsManifest.flatMap((group) =>
    group.paths.map((path) => {
      const shard = files.shards[path];
      if (shard === undefined) throw new Error(`model '${id}': weight shard '${path}' is missing`);
      return shard;
    }),
  );
  const network = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology, weightSpecs, weightData: shards }),
  );
  const [, frames, dims] = network.inputs[0].shape;
  if ((frames !== null && frames !== metadata.inputFrames) || dims !== metadata.features.dims) {
    throw new Error(
      `model '${id}': expected input [batch, ${metadata.inputFrames}, ${metadata.features.dims}], got [${network.inputs[0].shape.join(', ')}]`,
    );
  }
  const outputUnits = network.outputs[0].shape.at(-1);
  if (outputUnits !== metadata.labels.length) {
    throw new Error(`model '${id}': expected ${metadata.labels.length} output units, got ${outputUnits}`);
  }
  const withAttention =
    metadata.attentionLayer === null
      ? null
      : tfl.model({
          inputs: network.inputs,
          outputs: [
            network.outputs[0],
            network.getLayer(metadata.attentionLayer).output as tfl.SymbolicTensor,
          ],
        });
  return { ...entry, network, withAttention, compiled: null };
}

/** The compiled network, checked against the metadata as buildModel checks a tfjs one. */
function checkedCompiled(id: string, entry: ModelEntry, compiled: CompiledNetwork): CompiledNetwork {
  const { metadata } = entry;
  const [frames, dims] = compiled.inputShape;
  if (frames !== metadata.inputFrames || dims !== metadata.features.dims) {
    throw new Error(
      `model '${id}': expected input [batch, ${metadata.inputFrames}, ${metadata.features.dims}], got [batch, ${compiled.inputShape.join(', ')}]`,
    );
  }
  return compiled;
}

/**
 * The compiler's outcome; an error it throws (a bug, not an unsupported layer) becomes a reason too, so one
 * model the compiler chokes on runs on tfjs instead of keeping the Worker from starting.
 */
function compileOrExplain(
  compile: ModelStoreOptions['compileNetwork'],
  files: ModelFiles,
  attentionLayer: string | null,
): CompileOutcome | null {
  if (!compile) return null;
  try {
    return compile(files, attentionLayer);
  } catch (error) {
    return { network: null, unsupported: `the compiler failed: ${(error as Error).message}` };
  }
}

/** Validates every served model's metadata and front end up front; networks are built lazily, once each. */
export function createModelStore(source: ModelSource, options: ModelStoreOptions): ModelStore {
  const registry = source.registry;
  const entries = new Map<string, ModelEntry>();
  const loading = new Map<string, Promise<ServedModel>>();
  for (const id of registry?.models ?? []) {
    const files = source.models[id];
    if (files === undefined)
      throw new Error(`model '${id}' is in the registry but its files are not bundled`);
    const parsed = parseEntry(id, files);
    const { scope } = parsed.metadata.normalisation;
    if (scope !== 'training-set' && !options.acceptPerSpeakerNormalisation) {
      throw new Error(
        `model '${id}': expected inputs z-scored with its training set's statistics, got ${scope} normalisation, which needs each speaker's statistics and so cannot be served from one clip`,
      );
    }
    const outcome = compileOrExplain(options.compileNetwork, files, parsed.metadata.attentionLayer);
    if (outcome?.network) {
      const entry = { ...parsed, runsCompiled: true, compileNote: 'compiled' };
      const compiled = checkedCompiled(id, entry, outcome.network);
      entries.set(id, entry);
      loading.set(id, Promise.resolve({ ...entry, compiled, network: null, withAttention: null }));
      continue;
    }
    const compileNote = outcome === null ? 'tfjs' : `not compiled: ${outcome.unsupported}`;
    // Worth a line in the Worker's log: such a model runs about three times slower, and its first request
    // builds it with tfjs.
    if (outcome !== null) console.warn(`model '${id}' runs on tfjs: ${compileNote}`);
    entries.set(id, { ...parsed, runsCompiled: false, compileNote });
  }

  return {
    defaultId: registry?.default ?? null,
    list: () => [...entries.values()],
    find: (id) => entries.get(id),
    load(id) {
      const found = entries.get(id);
      if (found === undefined) return Promise.reject(new Error(`model '${id}' is not served`));
      let pending = loading.get(id);
      if (pending === undefined) {
        pending = options
          .prepareBackend()
          .then(() => buildModel(id, source.models[id], found))
          .catch((error: unknown) => {
            loading.delete(id); // a failed build is retried by the next request
            throw error;
          });
        loading.set(id, pending);
      }
      return pending;
    },
  };
}
