import { resample } from '../../../core/audio/resample.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';

/** The rate the function's models were trained at; clips are sent at it so the server need not resample. */
export const CLIP_SAMPLE_RATE = 16_000;

/** Mono PCM at the capture rate → 16 kHz mono 16-bit WAV, with the project's own resampler. */
export function clipToWav(samples: Float32Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  // encodeWav allocates a fresh ArrayBuffer; the narrower type lets fetch accept it as a body.
  return encodeWav(
    resample(samples, sampleRate, CLIP_SAMPLE_RATE),
    CLIP_SAMPLE_RATE,
  ) as Uint8Array<ArrayBuffer>;
}
