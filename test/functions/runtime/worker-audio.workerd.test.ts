import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAudio } from '../../../functions/audio/decode.ts';
import { resample, useResampleKernels } from '../../../functions/audio/resample.ts';
import { encodeWav } from '../../../functions/audio/wav-encode.ts';
import resampleWasm from '../../../functions/kernels/resample.wasm';
import { prepareWorkerAudio } from '../../../functions/runtime/worker-audio.ts';
import { expectClassification, postClassify, speechWav } from '../../workers/harness.ts';

function relativeRms(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let error = 0;
  let power = 0;
  for (let i = 0; i < expected.length; i++) {
    error += (actual[i] - expected[i]) ** 2;
    power += expected[i] ** 2;
  }
  return Math.sqrt(error / power);
}

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

describe('the Worker resampler inside workerd', () => {
  it('runs the bundled wasm kernels, matching the TypeScript loops within 1e-6', () => {
    expect(resampleWasm).toBeInstanceOf(WebAssembly.Module);
    const kernels = prepareWorkerAudio();
    const calls = vi.spyOn(kernels, 'resample');
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

  it('classifies a 48 kHz stereo upload as the TypeScript resampler does', async () => {
    const wav = speechAt48k();
    const calls = vi.spyOn(prepareWorkerAudio(), 'resample');
    const withWasm = await expectClassification(await postClassify(wav));
    expect(calls).toHaveBeenCalledOnce();
    expect(calls.mock.results[0]).toEqual({ type: 'return', value: true });

    useResampleKernels(null);
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
