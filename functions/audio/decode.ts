/**
 * The one call everybody uses to turn WAV bytes into model-ready audio: training, the edge function, the demo
 * and the tests all go through it, so they all see exactly the same samples.
 */
import { resample, resamplePcm16 } from './resample.ts';
import { decodeWavMono, readPcm16, type WavInfo } from './wav.ts';

/** The rate the features and models work at. */
export const DEFAULT_TARGET_RATE = 16000;

export interface DecodeAudioOptions {
  /** Output sample rate in Hz (positive integer); default {@link DEFAULT_TARGET_RATE}. */
  targetRate?: number;
}

export interface DecodedAudio {
  /** Mono samples at `sampleRate`; in [-1, 1] for PCM input (float input may exceed it slightly). */
  samples: Float32Array;
  sampleRate: number;
  /** The source file's header: original rate, channels, format, duration. */
  info: WavInfo;
}

/**
 * Decode + downmix to mono (mean of channels) + resample to targetRate (default 16000).
 * Throws {@link WavError} for anything that is not a readable WAV.
 */
export function decodeAudio(bytes: Uint8Array | ArrayBuffer, options: DecodeAudioOptions = {}): DecodedAudio {
  const targetRate = options.targetRate ?? DEFAULT_TARGET_RATE;
  if (!Number.isInteger(targetRate) || targetRate <= 0) {
    throw new RangeError(
      `decodeAudio: expected targetRate to be a positive integer in Hz, got ${targetRate}`,
    );
  }
  // 16-bit PCM, what corpora, the demo and most uploads send, goes to the resampler undecoded: with its kernels
  // registered, the downmix happens in their memory.
  const pcm16 = readPcm16(bytes);
  if (pcm16 && pcm16.info.sampleRate !== targetRate) {
    const { info, interleaved } = pcm16;
    const samples = resamplePcm16(interleaved, info.channels, info.sampleRate, targetRate);
    return { samples, sampleRate: targetRate, info };
  }
  const { info, samples: mono } = decodeWavMono(bytes);
  // The decoded buffer is ours: no copy when the rate already matches.
  const samples = info.sampleRate === targetRate ? mono : resample(mono, info.sampleRate, targetRate);
  return { samples, sampleRate: targetRate, info };
}
