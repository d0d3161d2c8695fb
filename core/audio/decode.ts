/**
 * The one call everybody uses to turn WAV or FLAC bytes into model-ready audio: training, the edge function, the
 * demo and the tests all go through it, so they all see exactly the same samples.
 */
import { sniffContainer } from './container.ts';
import { decodeFlacMono, readFlacInfo } from './flac.ts';
import { resample, resamplePcm16 } from './resample.ts';
import { decodeWavMono, readPcm16, readWavInfo, type WavInfo } from './wav.ts';

/** The rate the features and models work at. */
export const DEFAULT_TARGET_RATE = 16000;

export interface DecodeAudioOptions {
  /** Output sample rate in Hz (positive integer); default {@link DEFAULT_TARGET_RATE}. */
  targetRate?: number;
  /**
   * Longest FLAC input accepted, in seconds: a stream that declares more, or that does not declare its length
   * and holds more, throws FlacError `too_long` before its samples are allocated. (A WAV header always states
   * its length: check {@link readAudioInfo} first.) Default: no limit.
   */
  maxSeconds?: number;
}

export interface DecodedAudio {
  /** Mono samples at `sampleRate`; in [-1, 1] for PCM input (float input may exceed it slightly). */
  samples: Float32Array;
  sampleRate: number;
  /** The source file's header: original rate, channels, format (`FLAC` for FLAC), duration. */
  info: WavInfo;
}

/**
 * The header of a WAV or FLAC file (told apart by their first bytes), without decoding: lets a server reject a
 * too-long clip first. A FLAC stream that does not declare its length has `frames` 0.
 * Throws {@link WavError} or {@link FlacError} for anything that is neither a readable WAV nor a readable FLAC,
 * UnsupportedContainerError (container.ts) for a recognised other format (Ogg, MP3, WebM, MP4, AIFF).
 */
export function readAudioInfo(bytes: Uint8Array | ArrayBuffer): WavInfo {
  return sniffContainer(bytes) === 'flac' ? readFlacInfo(bytes) : readWavInfo(bytes);
}

/**
 * Decode + downmix to mono (mean of channels) + resample to targetRate (default 16000). FLAC (`fLaC`, possibly
 * after an ID3v2 tag) is recognised by its first bytes; everything else is read as WAV.
 * Throws {@link WavError} or {@link FlacError} for anything that is neither a readable WAV nor a readable FLAC,
 * UnsupportedContainerError (container.ts) for a recognised other format.
 */
export function decodeAudio(bytes: Uint8Array | ArrayBuffer, options: DecodeAudioOptions = {}): DecodedAudio {
  const targetRate = options.targetRate ?? DEFAULT_TARGET_RATE;
  if (!Number.isInteger(targetRate) || targetRate <= 0) {
    throw new RangeError(
      `decodeAudio: expected targetRate to be a positive integer in Hz, got ${targetRate}`,
    );
  }
  const { maxSeconds } = options;
  if (maxSeconds !== undefined && !(maxSeconds >= 0)) {
    throw new RangeError(`decodeAudio: expected maxSeconds to be a non-negative number, got ${maxSeconds}`);
  }
  if (sniffContainer(bytes) === 'flac') {
    const maxFrames =
      maxSeconds === undefined ? undefined : Math.floor(maxSeconds * readFlacInfo(bytes).sampleRate);
    const { info, samples: mono } = decodeFlacMono(bytes, { maxFrames });
    const samples = info.sampleRate === targetRate ? mono : resample(mono, info.sampleRate, targetRate);
    return { samples, sampleRate: targetRate, info };
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
