/** The contract of an experiment's `waveformAugmentation` block (training/augment/waveform.ts applies it). */
import { z } from 'zod';

const range = (min: number, max: number) =>
  z
    .tuple([z.number(), z.number()])
    .refine(([low, high]) => low <= high, { message: 'expected [min, max] with min ≤ max' })
    .default([min, max]);

export const WaveformAugmentationSchema = z.strictObject({
  /** Augmented copies made of every training clip; each epoch draws the original or one copy. 0 disables. */
  copies: z.number().int().min(0).max(16).default(0),
  /** Speed factors drawn from (1 = unchanged); 1.1 is 10 % faster and 10 % higher. */
  speeds: z.array(z.number().min(0.5).max(2)).min(1).default([0.9, 1, 1.1]),
  reverbProbability: z.number().min(0).max(1).default(0.3),
  /** Reverberation time of the synthetic rooms, in seconds. */
  rt60Seconds: range(0.2, 0.7),
  lowPassProbability: z.number().min(0).max(1).default(0.3),
  /** Cut-off of the 4th-order Butterworth low-pass, in Hz. */
  lowPassHz: range(3400, 7000),
  noiseProbability: z.number().min(0).max(1).default(0.5),
  /** Signal-to-noise ratio of the added noise against the clip's RMS, in dB ([20, 20]: exactly 20 dB). */
  snrDb: range(5, 30),
  /**
   * The kinds of noise drawn from, with even odds: `white` (Gaussian, flat spectrum: seed 002's additive white
   * Gaussian noise with only it), `brown` (integrated white, for rumble). The default's order keeps the draws of
   * records made before the option existed.
   */
  noiseColours: z
    .array(z.enum(['white', 'brown']))
    .min(1)
    .refine((colours) => new Set(colours).size === colours.length, { message: 'expected each colour once' })
    .default(['brown', 'white']),
  gainDb: range(-30, 6),
  /**
   * A microphone's colour: on this share of the copies, a bass shelf (100 Hz) and a treble shelf (3 kHz) as sox's
   * `bass` and `treble` make them, each with a gain drawn from `shelfDb`. Applied to the sound, so the front end's
   * noise floor is added after it, as after a real microphone. 0 (the default) draws nothing, so records made
   * before the option existed keep their draws.
   */
  shelfProbability: z.number().min(0).max(1).default(0),
  shelfDb: range(-6, 6),
});

export type WaveformAugmentation = z.output<typeof WaveformAugmentationSchema>;
