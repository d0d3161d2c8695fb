/**
 * A corpus-adversarial head (domain-adversarial training, Ganin & Lempitsky 2015): a small classifier learns
 * from the emotion model's penultimate representation which corpus a clip came from, and a gradient reversal
 * layer in front of it sends the negated, scaled gradient back into the emotion model. The emotion model is
 * so pushed towards a representation that does not tell corpora (studios, microphones, languages) apart.
 * The head exists only while training: the served model is the emotion model alone, unchanged in size.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CorpusAdversaryConfig } from '../core/contracts/training-config.ts';
import { createModelBuilder, dense, OUTPUT_LAYER } from './models/blocks.ts';

/** λ for a (1-based) epoch of `epochs`, from 0 at the first epoch towards `weight`. */
export function reversalScaleAt(config: CorpusAdversaryConfig, epoch: number, epochs: number): number {
  const progress = epochs <= 1 ? 1 : (epoch - 1) / (epochs - 1);
  return config.weight * (2 / (1 + Math.exp(-10 * progress)) - 1);
}

/** Identity forward; multiplies the gradient by −scale backward. `scale` is read at every call. */
export class GradientReversal extends tfl.layers.Layer {
  static readonly className = 'GradientReversal';
  scale = 0;

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const scale = this.scale;
    // customGrad's inputs are typed as tensors or its save function; the one input here is a tensor.
    const reverse = tf.customGrad((x) => ({
      value: tf.clone(x as tf.Tensor),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, -scale),
    }));
    return reverse(input);
  }
}

export interface AdversarialModel {
  /** Inputs → [emotion probabilities, corpus probabilities]; shares every layer of the emotion model. */
  model: tfl.LayersModel;
  reversal: GradientReversal;
}

/** Puts the corpus head on the input of `emotionModel`'s output layer (its penultimate representation). */
export function attachCorpusAdversary(
  emotionModel: tfl.LayersModel,
  corpora: number,
  config: CorpusAdversaryConfig,
  seed: number,
): AdversarialModel {
  if (!Number.isInteger(corpora) || corpora < 2) {
    throw new Error(`corpus adversary: expected training clips from ≥ 2 corpora, got ${corpora}`);
  }
  const output = emotionModel.getLayer(OUTPUT_LAYER);
  // Names of their own, so the head's layers never collide with the emotion model's.
  const builder = createModelBuilder(seed ^ 0x5eed);
  const reversal = new GradientReversal({ name: 'corpus_gradient_reversal' });
  let x = reversal.apply(output.input as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  if (config.units > 0) {
    x = dense(builder, config.units, 'relu', { name: 'corpus_hidden' }).apply(x) as tfl.SymbolicTensor;
  }
  const corpus = dense(builder, corpora, 'softmax', { name: 'corpus_output' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({
    inputs: emotionModel.inputs,
    outputs: [emotionModel.outputs[0], corpus],
    name: `${emotionModel.name}_with_corpus_adversary`,
  });
  return { model, reversal };
}
