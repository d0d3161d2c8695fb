import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMatrix } from '../audio/feature-set.ts';
import { centreFrames, type FittedFrames } from '../audio/fit-frames.ts';
import { joinSamples } from '../audio/join-samples.ts';
import { applyNormalisation, type NormalisationStats } from '../audio/normalise.ts';
import { clipFeatures } from '../audio/utterance.ts';
import { createWindowFrontEnd, type WindowFrontEnd } from '../audio/window-front-end.ts';
import type { ModelEntry, ServedModel } from './model-store.ts';

/** A span of the clip, in seconds, classified as one input. */
export interface Span {
  startSeconds: number;
  endSeconds: number;
}

/**
 * Attention weights over the model's attention steps that hold audio (steps over padding only are left out).
 * A step is one input frame, or several when the network pools time before its attention layer
 * (cnn-blstm-attention: 4 input frames per step).
 */
export interface AttentionTrack {
  /** Time of the centre of the first weight's input frames, in seconds from the start of the clip. */
  startSeconds: number;
  /** Seconds between consecutive weights (one step). */
  frameSeconds: number;
  weights: Float32Array;
}

export interface SpanPrediction {
  /** One probability per label, in the model's label order. */
  probabilities: Float32Array;
  attention: AttentionTrack | null;
}

const statsCache = new WeakMap<ModelEntry, NormalisationStats>();

function normalisationStats(entry: ModelEntry): NormalisationStats {
  let stats = statsCache.get(entry);
  if (stats === undefined) {
    stats = {
      mean: Float32Array.from(entry.metadata.normalisation.mean),
      std: Float32Array.from(entry.metadata.normalisation.std),
    };
    statsCache.set(entry, stats);
  }
  return stats;
}

/** Features → normalised → fitted to `inputFrames` exactly as the trainer fits them (core/audio/fit-frames.ts). */
export function prepareModelInput(entry: ModelEntry, features: FeatureMatrix): FittedFrames {
  return centreFrames(applyNormalisation(features, normalisationStats(entry)), entry.metadata.inputFrames);
}

/**
 * A span's samples → the model's input, through the model's front end (clipFeatures: the utterance front end
 * when the model has one). `firstFrame` counts from the span's first sample.
 */
export function prepareSpanInput(entry: ModelEntry, samples: Float32Array): FittedFrames {
  const features = clipFeatures(samples, entry.extractor, entry.metadata.utterance);
  const fitted = prepareModelInput(entry, features);
  return { ...fitted, firstFrame: fitted.firstFrame + features.firstFrame };
}

interface RawOutputs {
  probabilities: Float32Array;
  attention: Float32Array | null;
}

/**
 * Runs the network on a batch of prepared inputs: the compiled network one input at a time when the model has
 * one, else tfjs on the whole batch (every intermediate tensor disposed before returning).
 */
function predictBatch(
  served: ServedModel,
  inputs: readonly FittedFrames[],
  withAttention: boolean,
): RawOutputs {
  const { compiled } = served;
  if (compiled) {
    const results = inputs.map((input) => compiled.run(input.data));
    return {
      probabilities: joinSamples(results.map(({ output }) => output)),
      attention: withAttention ? joinSamples(results.map(({ probe }) => probe ?? new Float32Array(0))) : null,
    };
  }
  const { network } = served;
  if (network === null)
    throw new Error(`model '${served.metadata.id}' has neither a compiled nor a tfjs network`);
  const { inputFrames, features } = served.metadata;
  const head = withAttention ? served.withAttention : null;
  const batch = new Float32Array(inputs.length * inputFrames * features.dims);
  for (const [index, input] of inputs.entries()) batch.set(input.data, index * input.data.length);
  let outputs: RawOutputs = { probabilities: new Float32Array(0), attention: null };
  tf.tidy(() => {
    const x = tf.tensor3d(batch, [inputs.length, inputFrames, features.dims]);
    if (head === null) {
      outputs = {
        probabilities: (network.predict(x) as tf.Tensor).dataSync() as Float32Array,
        attention: null,
      };
      return;
    }
    const [probabilities, attention] = head.predict(x) as tf.Tensor[];
    outputs = {
      probabilities: probabilities.dataSync() as Float32Array,
      attention: attention.dataSync() as Float32Array,
    };
  });
  return outputs;
}

export interface ClassifyOptions {
  /** Return attention weights (only for models that have an attention layer). */
  attention: boolean;
  /**
   * A front end that holds `samples` from its sample `offset` on (core/audio/window-front-end.ts): spans it can
   * prepare (those starting on its frame grid) take their features from it, each frame computed once for all
   * the spans that hold it, a span's edges seeing the audio around it. Without it, or for the other spans,
   * features come from each span's own samples alone.
   */
  shared?: SharedFrontEnd;
}

export interface SharedFrontEnd {
  frontEnd: WindowFrontEnd;
  offset: number;
}

/** The shared front end for a model, or null when its features cannot be shared (not log-mel, no utterance front end). */
export function createSharedFrontEnd(served: ServedModel): WindowFrontEnd | null {
  const { utterance } = served.metadata;
  return utterance === null ? null : createWindowFrontEnd(served.extractor, utterance);
}

export interface SpansResult {
  predictions: SpanPrediction[];
  /** Wall time of the front end and of the network, in ms (CPU-bound, so CPU time in practice). */
  featuresMs: number;
  inferenceMs: number;
}

/**
 * Classifies each span of a clip as an input of its own (features from the span's samples alone), running
 * all spans through the network as one batch.
 */
export function classifySpans(
  served: ServedModel,
  samples: Float32Array,
  spans: readonly Span[],
  options: ClassifyOptions,
): SpansResult {
  const { sampleRate, hop } = served.extractor.config;
  const { inputFrames, labels } = served.metadata;
  const featuresStart = performance.now();
  const ranges = spans.map((span) => {
    const from = Math.round(span.startSeconds * sampleRate);
    return { from, to: Math.min(samples.length, Math.round(span.endSeconds * sampleRate)) };
  });
  const { shared } = options;
  const inputs = ranges.map(({ from, to }) => {
    const features = shared?.frontEnd.prepare(shared.offset + from, to - from) ?? null;
    if (features === null) return prepareSpanInput(served, samples.subarray(from, to));
    const fitted = prepareModelInput(served, features);
    return { ...fitted, firstFrame: fitted.firstFrame + features.firstFrame };
  });
  const inferenceStart = performance.now();
  const raw = predictBatch(served, inputs, options.attention && served.metadata.attentionLayer !== null);
  const inferenceEnd = performance.now();
  const frameSeconds = hop / sampleRate;
  // Attention steps per input, and input frames per step (> 1 when the network pools time before attending;
  // rounding recovers the pooling stride whether the pooling floors or ceils, given steps > 2 · stride).
  const steps = raw.attention === null ? 0 : raw.attention.length / inputs.length;
  const stride = steps > 0 ? Math.max(1, Math.round(inputFrames / steps)) : 1;
  const predictions = spans.map((span, index): SpanPrediction => {
    const probabilities = raw.probabilities.slice(index * labels.length, (index + 1) * labels.length);
    if (raw.attention === null) return { probabilities, attention: null };
    const { firstFrame, audioFrames } = inputs[index];
    // Model frame i holds clip frame firstFrame + i, centred at (firstFrame + i) · hop samples; step s covers
    // model frames [s · stride, (s + 1) · stride). Steps with at least one audio frame are kept.
    const firstAudio = Math.max(0, -firstFrame);
    const firstStep = Math.min(steps, Math.floor(firstAudio / stride));
    const endStep = Math.min(steps, Math.ceil((firstAudio + audioFrames) / stride));
    const offset = index * steps;
    return {
      probabilities,
      attention: {
        startSeconds: span.startSeconds + (firstFrame + firstStep * stride + (stride - 1) / 2) * frameSeconds,
        frameSeconds: stride * frameSeconds,
        weights: raw.attention.slice(offset + firstStep, offset + endStep),
      },
    };
  });
  return {
    predictions,
    featuresMs: inferenceStart - featuresStart,
    inferenceMs: inferenceEnd - inferenceStart,
  };
}
