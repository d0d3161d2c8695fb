import { afterEach, describe, expect, it } from 'vitest';
import { createMelFilterbank } from '../../../functions/audio/mel.ts';
import {
  createSpectrogram,
  type Spectrogram,
  useSpectrumKernels,
} from '../../../functions/audio/spectrogram.ts';
import { createStft } from '../../../functions/audio/stft.ts';
import { loadSpectrumKernels } from '../../../functions/kernels/load-node.ts';
import type { WasmSpectrumKernels } from '../../../functions/kernels/spectrum-kernels.ts';
import { createRandom } from '../../../training/random.ts';

const kernels = loadSpectrumKernels();

function noise(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => 0.5 * (2 * random.next() - 1));
}

function spectrogramOf(nFft: number, hop: number): Spectrogram {
  const mel = createMelFilterbank({ sampleRate: 16000, nFft, nMels: 40, fmin: 0, fmax: 8000 });
  return createSpectrogram(createStft(nFft, hop), 1e-6, mel);
}

/** The TypeScript loops' output and the wasm kernels' output for the same call, and whether wasm took it. */
function bothWays(spectrogram: Spectrogram, signal: Float32Array, wasm: WasmSpectrumKernels = kernels) {
  const frames = spectrogram.stft.frameCount(signal.length);
  const outputs = () => ({
    magnitude: new Float64Array(frames * spectrogram.stft.bins),
    logMel: new Float64Array(frames * (spectrogram.mel?.nMels ?? 0)),
  });
  const expected = outputs();
  useSpectrumKernels(null);
  spectrogram.compute(signal, expected.magnitude, expected.logMel);
  const actual = outputs();
  let handled = false;
  useSpectrumKernels({
    spectrogram(plan, input, magnitude, logMel) {
      handled = wasm.spectrogram(plan, input, magnitude, logMel);
      return handled;
    },
  });
  spectrogram.compute(signal, actual.magnitude, actual.logMel);
  useSpectrumKernels(null);
  return { expected, actual, handled };
}

/** Largest |actual − expected| over the largest |expected| (magnitudes: relative to the loudest bin). */
function relativeError(actual: Float64Array, expected: Float64Array): number {
  let error = 0;
  let peak = 0;
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
    peak = Math.max(peak, Math.abs(expected[i]));
  }
  return peak === 0 ? error : error / peak;
}

function largestDifference(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

afterEach(() => useSpectrumKernels(null));

describe('spectrum wasm kernels', () => {
  it('reuse their memory: once a plan has its tables in, more calls leave it the same size', () => {
    const fresh = loadSpectrumKernels();
    const spectrograms = [spectrogramOf(512, 256), spectrogramOf(1024, 160)];
    const clips = [noise(48000, 1), noise(16000, 2), noise(30000, 3)];
    // Two rounds: buffers sit above the tables, so the first call had less below it than it has now.
    for (let round = 0; round < 2; round++) {
      for (const spectrogram of spectrograms) for (const clip of clips) bothWays(spectrogram, clip, fresh);
    }
    const settled = fresh.memoryBytes();
    for (let round = 0; round < 3; round++) {
      for (const spectrogram of spectrograms) {
        for (const clip of clips) expect(bothWays(spectrogram, clip, fresh).handled).toBe(true);
      }
    }
    expect(fresh.memoryBytes()).toBe(settled);
  });

  it('drop earlier plans past their table budget and copy them in again when they come back', () => {
    // Tables of about 0.4 MB each at nFft 16384: three of them pass the 1 MiB budget.
    const spectrograms = Array.from({ length: 5 }, (_, i) => spectrogramOf(16384, 4096 + i));
    for (const spectrogram of [...spectrograms, spectrograms[0]]) {
      const { expected, actual, handled } = bothWays(spectrogram, noise(40000, spectrogram.stft.hop));
      expect(handled, `hop ${spectrogram.stft.hop}`).toBe(true);
      expect(relativeError(actual.magnitude, expected.magnitude)).toBeLessThan(1e-13);
      expect(largestDifference(actual.logMel, expected.logMel)).toBeLessThan(1e-6);
    }
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });

  it('take a minute at 16 kHz, the longest upload the Worker accepts, magnitudes included', () => {
    const { expected, actual, handled } = bothWays(spectrogramOf(512, 256), noise(960_000, 5));
    expect(handled).toBe(true);
    expect(relativeError(actual.magnitude, expected.magnitude)).toBeLessThan(1e-13);
    expect(largestDifference(actual.logMel, expected.logMel)).toBeLessThan(1e-6);
  });

  it('leave a call that would need more than 16 MiB to the TypeScript loops', () => {
    // 1.5 M samples with magnitudes: about 20 MB of buffers.
    const { expected, actual, handled } = bothWays(spectrogramOf(512, 256), noise(1_500_000, 4));
    expect(handled).toBe(false);
    expect(actual).toEqual(expected);
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });
});
