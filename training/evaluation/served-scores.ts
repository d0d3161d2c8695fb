/**
 * A fold's test clips classified as the Worker classifies an upload (core/serving/classify-clip.ts): windows of
 * the model's input length over each clip's speech, each with its own front end, aggregated by speech seconds.
 * Cross-validation otherwise scores one centred input per clip (featureSetOf); this says what a user of the
 * served model would have seen on the same unseen speakers, from the same fold model.
 */
import { readFile } from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeAudio } from '../../core/audio/decode.ts';
import { joinSamples } from '../../core/audio/join-samples.ts';
import type { NormalisationStats } from '../../core/audio/normalise.ts';
import { ModelMetadataSchema } from '../../core/contracts/model-metadata.ts';
import type { ServedScores } from '../../core/contracts/run-record.ts';
import { classifyClip } from '../../core/serving/classify-clip.ts';
import type { ServedModel } from '../../core/serving/model-store.ts';
import type { ExperimentConfig, ExperimentData, Normalisation } from '../experiment.ts';
import { scoreTestFold } from './metrics.ts';

/** The fold model as the model store would serve it, running on tfjs. */
export function servedFoldModel(
  config: ExperimentConfig,
  data: ExperimentData,
  network: tfl.LayersModel,
  stats: NormalisationStats,
): ServedModel {
  const { extractor } = data;
  const metadata = ModelMetadataSchema.parse({
    id: config.id,
    version: '0.0.0',
    architecture: config.model.architecture,
    labels: data.labels,
    features: { set: extractor.set, config: { ...extractor.config }, dims: extractor.dims },
    utterance: config.utterance,
    inputFrames: data.inputFrames,
    normalisation: { mean: [...stats.mean], std: [...stats.std] },
    attentionLayer: null,
    parameters: network.countParams(),
    metrics: [],
    createdAt: new Date(0).toISOString(),
  });
  return {
    metadata,
    extractor,
    runsCompiled: false,
    compileNote: 'tfjs',
    compiled: null,
    network,
    withAttention: null,
  };
}

/**
 * The clips `indices` through the serving path: the probabilities [answered × labels] and the truth of the clips
 * the API answers, and how many it would refuse as `no_speech` (no window finds speech in them).
 */
export async function servedProbabilities(
  served: ServedModel,
  data: ExperimentData,
  indices: readonly number[],
): Promise<{ probabilities: Float32Array; truth: number[]; noSpeech: number }> {
  const classes = data.labels.length;
  const rows: Float32Array[] = [];
  const truth: number[] = [];
  for (const index of indices) {
    const { samples } = decodeAudio(await readFile(data.items[index].file));
    const answer = classifyClip(served, samples, { attention: false }).probabilities;
    if (answer === null) continue;
    rows.push(answer);
    truth.push(data.labels.indexOf(data.items[index].canonical));
  }
  const probabilities = new Float32Array(rows.length * classes);
  for (const [i, row] of rows.entries()) probabilities.set(row, i * classes);
  return { probabilities, truth, noSpeech: indices.length - rows.length };
}

/**
 * A fold model's scores on the clips `test` through the serving path (see ServedScoresSchema). With per-speaker
 * normalisation each test speaker's clips go through a served model holding that speaker's statistics.
 */
export async function servedFoldScores(
  config: ExperimentConfig,
  data: ExperimentData,
  network: tfl.LayersModel,
  normalisation: Normalisation,
  test: readonly number[],
): Promise<ServedScores> {
  const statsOf = typeof normalisation === 'function' ? normalisation : () => normalisation;
  const groups = new Map<NormalisationStats, number[]>();
  for (const index of test) {
    const stats = statsOf(data.items[index]);
    const group = groups.get(stats);
    if (group) group.push(index);
    else groups.set(stats, [index]);
  }
  const rows: Float32Array[] = [];
  const truth: number[] = [];
  let noSpeech = 0;
  for (const [stats, indices] of groups) {
    const served = servedFoldModel(config, data, network, stats);
    const answered = await servedProbabilities(served, data, indices);
    rows.push(answered.probabilities);
    truth.push(...answered.truth);
    noSpeech += answered.noSpeech;
  }
  if (truth.length === 0) return { ua: 0, wa: 0, macroF1: 0, answered: 0, noSpeech };
  const metrics = scoreTestFold(
    data.labels,
    truth,
    joinSamples(rows),
    config.protocol === 'leave-one-corpus-out',
  );
  return { ua: metrics.ua, wa: metrics.wa, macroF1: metrics.macroF1, answered: truth.length, noSpeech };
}
