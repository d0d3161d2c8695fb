import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { createFeatureExtractor, FEATURE_SET_NAMES } from '../../../core/audio/feature-set.ts';
import { useSpectrumKernels } from '../../../core/audio/frame-features.ts';
import { resample, useResampleKernels } from '../../../core/audio/resample.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import resampleWasm from '../../../core/kernels/resample.wasm';
import spectrumWasm from '../../../core/kernels/spectrum.wasm';
import { prepareWorkerAudio } from '../../../functions/runtime/worker-audio.ts';
import { relativeRms } from '../../fixtures/audio/compare.ts';
import { expectClassification, postClassify, speechWav } from '../../workers/harness.ts';

/** The speech fixture (16 kHz mono) brought to 48 kHz stereo, the channels slightly different. */
function speechAt48k(): Uint8Array {
  useResampleKernels(null);
  const speech = resample(decodeAudio(speechWav()).samples, 16000, 48000);
  prepareWorkerAudio();
  return encodeWav([speech, speech.map((x) => 0.9 * x)], 48000);
}

// The harness, like the Worker entry (functions/index.ts), registers the kernels at start-up.
afterEach(() => {
  vi.restoreAllMocks();
  prepareWorkerAudio();
});

describe('the Worker audio front end inside workerd', () => {
  it('runs the bundled resampler kernels, matching the TypeScript loops within 1e-6', () => {
    expect(resampleWasm).toBeInstanceOf(WebAssembly.Module);
    const calls = vi.spyOn(prepareWorkerAudio().resample, 'resample');
    const clip = decodeAudio(speechWav()).samples;
    // Through the symmetric, exact polyphase and interpolated kernels.
    for (const rate of [48000, 44100, 8001]) {
      const signal = resample(clip, 16000, rate);
      useResampleKernels(null);
      const expected = resample(signal, rate, 16000);
      prepareWorkerAudio();
      expect(relativeRms(resample(signal, rate, 16000), expected), `${rate} Hz`).toBeLessThanOrEqual(1e-6);
    }
    // Each wasm call (two per rate) was taken, not left to the TypeScript loops.
    expect(calls).toHaveBeenCalledTimes(6);
    for (const result of calls.mock.results) expect(result).toEqual({ type: 'return', value: true });
  });

  it('runs the bundled frame-feature kernels, every feature set within 1e-4 dB / 1e-5 relative of TypeScript', () => {
    expect(spectrumWasm).toBeInstanceOf(WebAssembly.Module);
    const calls = vi.spyOn(prepareWorkerAudio().spectrum, 'frameFeatures');
    const clip = decodeAudio(speechWav()).samples;
    for (const set of FEATURE_SET_NAMES) {
      const extractor = createFeatureExtractor(set);
      useSpectrumKernels(null);
      const expected = extractor.extract(clip);
      prepareWorkerAudio();
      const actual = extractor.extract(clip);
      // dB and MFCC units (log-mel, MFCC, their deltas, contrast) absolutely, the rest relatively.
      expected.data.forEach((want, i) => {
        const name = extractor.names[i % expected.dims];
        const bound = /^(logmel|mfcc|spectral_contrast)/.test(name) ? 1e-4 : 1e-5 * Math.abs(want);
        if (!(Math.abs(actual.data[i] - want) <= bound))
          expect.fail(`${set} ${name}: expected ${want}, got ${actual.data[i]}`);
      });
    }
    expect(calls).toHaveBeenCalledTimes(FEATURE_SET_NAMES.length);
    for (const result of calls.mock.results) expect(result).toEqual({ type: 'return', value: true });
  });

  it('classifies a 48 kHz stereo upload as the TypeScript front end does', async () => {
    const wav = speechAt48k();
    const kernels = prepareWorkerAudio();
    // 16-bit stereo: downmixed and resampled in one kernel call.
    const calls = vi.spyOn(kernels.resample, 'resamplePcm16');
    const frameFeatures = vi.spyOn(kernels.spectrum, 'frameFeatures');
    const withWasm = await expectClassification(await postClassify(wav));
    expect(calls).toHaveBeenCalledOnce();
    expect(calls.mock.results[0]).toEqual({ type: 'return', value: true });
    // The features too: every extraction took the frame-feature kernels.
    expect(frameFeatures).toHaveBeenCalled();
    for (const result of frameFeatures.mock.results) expect(result).toEqual({ type: 'return', value: true });

    useResampleKernels(null);
    useSpectrumKernels(null);
    const withTypeScript = await expectClassification(await postClassify(wav));
    expect(calls).toHaveBeenCalledOnce();

    expect(withWasm.top?.label).toBe(withTypeScript.top?.label);
    const probabilities = Object.values(withWasm.probabilities ?? {});
    const reference = Object.values(withTypeScript.probabilities ?? {});
    expect(probabilities).toHaveLength(4);
    probabilities.forEach((p, i) => {
      expect(Math.abs(p - reference[i])).toBeLessThan(1e-5);
    });
  });
});
