/**
 * Noise added to a clip at a chosen signal-to-noise ratio, for scoring a model as a noisy room or microphone
 * would have it heard (`npm run evaluate -- … --snr 20`). The signal's level is that of its speech, so a clip
 * padded with silence gets the same noise as the same speech without the padding.
 */
import { defaultActivityFrames, speechFrames } from '../../core/audio/voice-activity.ts';
import { unitNoise } from '../augment/waveform.ts';
import type { Random } from '../random.ts';

export const NOISE_COLOURS = ['white', 'brown'] as const;
export type NoiseColour = (typeof NOISE_COLOURS)[number];

/**
 * The RMS of `samples` over its speech frames, as the utterance front end measures the level it scales speech to
 * (every frame when it marks none).
 */
export function speechRms(samples: Float32Array, sampleRate: number): number {
  return Math.sqrt(speechFrames(samples, sampleRate, defaultActivityFrames(sampleRate)).meanSquare);
}

/** A copy of `samples` with `colour` noise at `snrDb` below its speech's RMS, drawn from `random`. */
export function withNoise(
  samples: Float32Array,
  sampleRate: number,
  snrDb: number,
  colour: NoiseColour,
  random: Random,
): Float32Array {
  const level = speechRms(samples, sampleRate) * 10 ** (-snrDb / 20);
  const noise = unitNoise(samples.length, colour === 'brown', random);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] + level * noise[i];
  return out;
}
