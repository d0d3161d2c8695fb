import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from '../core/contracts/run-record.ts';
import type { ModelFiles } from '../core/serving/model-source.ts';
import { createModelStore, type ModelStoreOptions, type ServedModel } from '../core/serving/model-store.ts';
import {
  type AttentionExampleOptions,
  collectAttentionExamples,
  heldOutSpeakers,
  shippedWeightsOf,
} from './attention-examples.ts';
import type { TrainingBackend } from './backend.ts';
import { inferenceCost, type LatencyOptions } from './inference-cost.ts';
import { amendRunRecord, readRunRecord, writeModelCard } from './run-record-files.ts';

/**
 * Adds what a trained model folder can tell without retraining to its run record: the inference cost, and for
 * models with an attention layer, attention examples on held-out clips. Rewrites run.json and MODEL_CARD.md.
 * `npm run models:annotate` runs it over committed models; run.ts at the end of every run.
 */

export interface AnnotateOptions {
  /** The tfjs backend in use, already initialised (with the fused LSTM registered, as serving does). */
  backend: TrainingBackend;
  /** The run's corpus folders; null or a missing folder skips the attention examples (the cost is still written). */
  corpora: AttentionExampleOptions['corpora'] | null;
  mergeCalmIntoNeutral?: boolean;
  /** Which weights the folder ships; default: what the record's notes say. */
  weights?: AttentionExampleOptions['weights'];
  latency?: LatencyOptions;
  /** Compiles each network as the Worker does (timing and attention examples then take that path). */
  compileNetwork?: ModelStoreOptions['compileNetwork'];
  examples?: number;
  log: (line: string) => void;
}

/** The model folder's files as the Worker receives them. */
async function readModelFiles(dir: string): Promise<ModelFiles> {
  const readJson = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown;
  const modelJson = (await readJson('model.json')) as { weightsManifest?: { paths: string[] }[] };
  const shards: Record<string, ArrayBuffer> = {};
  for (const path of (modelJson.weightsManifest ?? []).flatMap((group) => group.paths)) {
    const bytes = await readFile(join(dir, path));
    shards[path] = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  return { modelJson, metadata: await readJson('metadata.json'), shards };
}

/**
 * Loads a model folder through the serving model store (metadata.json checked, attention head built, and the
 * network compiled with `compileNetwork` when given); a model trained with per-speaker normalisation loads too,
 * with its pooled statistics, for timing and counting.
 */
export async function loadServedModel(
  dir: string,
  id: string,
  compileNetwork?: ModelStoreOptions['compileNetwork'],
): Promise<ServedModel> {
  const store = createModelStore(
    { registry: { default: id, models: [id] }, models: { [id]: await readModelFiles(dir) } },
    { prepareBackend: async () => {}, compileNetwork, acceptPerSpeakerNormalisation: true },
  );
  return store.load(id);
}

const folderExists = (path: string) =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

/** Why attention examples cannot be made, or null when the folder of every held-out speaker's corpus is there. */
async function missingCorpora(
  record: RunRecord,
  weights: AttentionExampleOptions['weights'] | null,
  options: AnnotateOptions,
): Promise<string | null> {
  if (weights === null) return "the record's notes do not say which weights the folder ships";
  if (options.corpora === null) return 'the corpus folders of this run are unknown';
  const needed = new Set(heldOutSpeakers(record, weights).speakers.map((speaker) => speaker.split(':')[0]));
  const missing: string[] = [];
  for (const corpus of needed) {
    const folder = options.corpora.find((entry) => entry.corpus === corpus);
    if (folder === undefined) missing.push(`${corpus} (no folder given)`);
    else if (!(await folderExists(folder.path))) missing.push(`${corpus} (no folder at ${folder.path})`);
  }
  return missing.length === 0 ? null : `corpus missing: ${missing.join(', ')}`;
}

/** Annotates `models/<id>/` in place and returns the record written. */
export async function annotateModelFolder(dir: string, options: AnnotateOptions): Promise<RunRecord> {
  const { log } = options;
  const record = await readRunRecord(join(dir, 'run.json'));
  // tfjs's network for counting; the served one (compiled when asked) for timing and attention.
  const tfjs = await loadServedModel(dir, record.id);
  const network = tfjs.network;
  if (network === null) throw new Error(`expected a tfjs network for ${record.id}`);
  const served = options.compileNetwork
    ? await loadServedModel(dir, record.id, options.compileNetwork)
    : tfjs;
  try {
    const parameters = network.countParams();
    if (parameters !== record.parameters) {
      throw new Error(
        `expected the weights in ${dir} to have the record's ${record.parameters} parameters, got ${parameters}`,
      );
    }
    const inference = inferenceCost(network, options.backend, options.latency, served.compiled);
    log(
      `${record.id}: ${(inference.macs / 1e6).toFixed(2)} M MACs per clip; ${inference.msPerClip.median.toFixed(2)} ms ` +
        `median, ${inference.msPerClip.p95.toFixed(2)} ms p95 over ${inference.runs} passes (${inference.backend})`,
    );
    let attentionExamples = record.attentionExamples;
    if (served.metadata.attentionLayer === null) {
      log(`${record.id}: no attention layer, so no attention examples`);
    } else if (served.metadata.normalisation.scope === 'per-speaker') {
      // The examples come from the serving path, which has no speaker statistics to normalise by.
      log(`${record.id}: per-speaker normalisation, so no attention examples from the serving path`);
    } else {
      const weights = options.weights ?? shippedWeightsOf(record);
      const missing = await missingCorpora(record, weights, options);
      if (missing !== null || weights === null) {
        log(
          `${record.id}: attention examples skipped: ${missing}` +
            (attentionExamples ? ` (kept the ${attentionExamples.examples.length} already recorded)` : ''),
        );
      } else {
        attentionExamples = await collectAttentionExamples(served, record, {
          corpora: options.corpora ?? [],
          mergeCalmIntoNeutral: options.mergeCalmIntoNeutral,
          weights,
          count: options.examples,
        });
        log(
          `${record.id}: ${attentionExamples.examples.length} attention examples from the ${attentionExamples.side} ` +
            `speakers ${attentionExamples.speakers.join(', ')} of fold 1: ` +
            attentionExamples.examples
              .map((example) => `${example.label} ${example.corpus}/${example.clip}`)
              .join(', '),
        );
      }
    }
    const annotated = await amendRunRecord(dir, { inference, attentionExamples });
    await writeModelCard(dir, annotated);
    return annotated;
  } finally {
    network.dispose();
  }
}
