import { describe, expect, it } from 'vitest';
import { createMelFilterbank, POWER_DB_AMIN } from '../../../core/audio/mel.ts';
import { createSpectrogram } from '../../../core/audio/spectrogram.ts';
import { createStft } from '../../../core/audio/stft.ts';
import { createRandom } from '../../../training/random.ts';

/** A loud tone that stops halfway, over faint noise: a wide dynamic range within and across frames. */
function toneThenNoise(length: number, seed = 1): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from(
    { length },
    (_, i) => (i < length / 2 ? 0.99 * Math.sin(0.3927 * i + 0.1) : 0) + 1e-4 * (2 * random.next() - 1),
  );
}

/** Each frame's √(|X|² + floor) and 10·log10 of its mel energies, frame by frame from their definitions. */
function reference(signal: Float32Array, nFft: number, hop: number, floorPower: number, nMels: number) {
  const stft = createStft(nFft, hop);
  const mel = createMelFilterbank({ sampleRate: 16000, nFft, nMels, fmin: 0, fmax: 8000 });
  const frames = stft.frameCount(signal.length);
  const magnitude = new Float64Array(frames * stft.bins);
  const logMel = new Float64Array(frames * nMels);
  const power = new Float64Array(stft.bins);
  const energy = new Float64Array(nMels);
  for (let t = 0; t < frames; t++) {
    stft.powerSpectrum(signal, t, power);
    for (let k = 0; k < stft.bins; k++) power[k] += floorPower;
    mel.apply(power, energy);
    for (let k = 0; k < stft.bins; k++) magnitude[t * stft.bins + k] = Math.sqrt(power[k]);
    for (let m = 0; m < nMels; m++)
      logMel[t * nMels + m] = 10 * Math.log10(Math.max(POWER_DB_AMIN, energy[m]));
  }
  return { stft, mel, frames, magnitude, logMel };
}

/** Largest |actual − expected| of each frame's magnitudes over that frame's peak. */
function worstMagnitude(actual: Float64Array, expected: Float64Array, bins: number): number {
  let worst = 0;
  for (let row = 0; row < expected.length; row += bins) {
    let peak = 0;
    for (let k = 0; k < bins; k++) peak = Math.max(peak, expected[row + k]);
    for (let k = 0; k < bins; k++) {
      const error = Math.abs(actual[row + k] - expected[row + k]);
      worst = Math.max(worst, peak === 0 ? error : error / peak);
    }
  }
  return worst;
}

function worstDifference(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe('spectrogram', () => {
  // FFT sizes with an odd and an even number of radix-2 stages in the half-size transform; hops from one sample
  // to past the frame; lengths from none to several frames, giving odd and even frame counts.
  it.each([
    [4, 1, 2],
    [8, 3, 2],
    [64, 16, 8],
    [256, 128, 40],
    [512, 256, 40],
    [512, 160, 64],
    [1024, 1029, 40],
  ])(
    'gives magnitudes and log-mel energies as the definitions do (nFft %i, hop %i, %i mels)',
    (nFft, hop, nMels) => {
      for (const floorPower of [0, 1.92e-6]) {
        for (const length of [0, 1, 5, nFft + 3, 5 * hop + nFft, 9 * hop + 2 * nFft]) {
          const signal = toneThenNoise(length, length);
          const expected = reference(signal, nFft, hop, floorPower, nMels);
          const spectrogram = createSpectrogram(expected.stft, floorPower, expected.mel);
          const magnitude = new Float64Array(expected.magnitude.length);
          const logMel = new Float64Array(expected.logMel.length);
          spectrogram.compute(signal, magnitude, logMel);
          const label = `floor ${floorPower}, ${length} samples`;
          // Float rounding of the FFT, relative to the frame's largest bin.
          expect(worstMagnitude(magnitude, expected.magnitude, expected.stft.bins), label).toBeLessThan(
            1e-13,
          );
          // The TypeScript loops' log10 table errs by up to 1e-6 dB.
          expect(worstDifference(logMel, expected.logMel), label).toBeLessThan(1e-6);
        }
      }
    },
  );

  it('computes either output alone, the same as both together, and writes nothing past the frames', () => {
    const stft = createStft(512, 256);
    const mel = createMelFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fmin: 0, fmax: 8000 });
    const spectrogram = createSpectrogram(stft, 1e-6, mel);
    const signal = toneThenNoise(5000);
    const frames = stft.frameCount(signal.length);
    const magnitude = new Float64Array(frames * stft.bins);
    const logMel = new Float64Array(frames * 40);
    spectrogram.compute(signal, magnitude, logMel);
    const alone = new Float64Array(frames * stft.bins + 1).fill(-1);
    spectrogram.compute(signal, alone, null);
    expect(alone.subarray(0, magnitude.length)).toEqual(magnitude);
    expect(alone.at(-1)).toBe(-1);
    const melAlone = new Float64Array(frames * 40 + 1).fill(-1);
    spectrogram.compute(signal, null, melAlone);
    expect(melAlone.subarray(0, logMel.length)).toEqual(logMel);
    expect(melAlone.at(-1)).toBe(-1);
  });

  it('gives the floor alone for digital silence: −80 dBFS white noise in every bin', () => {
    const stft = createStft(512, 256);
    const floorPower = 1e-8 * stft.windowPower;
    const spectrogram = createSpectrogram(stft, floorPower, null);
    const magnitude = new Float64Array(stft.frameCount(2000) * stft.bins);
    spectrogram.compute(new Float32Array(2000), magnitude, null);
    for (const value of magnitude) expect(value).toBeCloseTo(Math.sqrt(floorPower), 15);
  });
});

describe('createSpectrogram', () => {
  const stft = createStft(512, 256);
  const mel = createMelFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fmin: 0, fmax: 8000 });

  it('rejects a negative or non-finite floor and mel filters for another FFT size', () => {
    expect(() => createSpectrogram(stft, -1, mel)).toThrow('expected a finite floorPower ≥ 0, got -1');
    expect(() => createSpectrogram(stft, Number.NaN, mel)).toThrow(
      'expected a finite floorPower ≥ 0, got NaN',
    );
    const other = createMelFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 40, fmin: 0, fmax: 8000 });
    expect(() => createSpectrogram(stft, 0, other)).toThrow('expected mel filters over 257 bins, got 513');
  });

  it('says how much room it needed when a buffer is too short, and refuses log-mel without filters', () => {
    const spectrogram = createSpectrogram(stft, 0, mel);
    // 1000 samples: 4 frames.
    expect(() => spectrogram.compute(new Float32Array(1000), new Float64Array(1027), null)).toThrow(
      'expected room for 1028 magnitudes, got 1027',
    );
    expect(() => spectrogram.compute(new Float32Array(1000), null, new Float64Array(159))).toThrow(
      'expected room for 160 log-mel values, got 159',
    );
    expect(() =>
      createSpectrogram(stft, 0, null).compute(new Float32Array(1000), null, new Float64Array(160)),
    ).toThrow('expected no logMel buffer without mel filters, got 160 values');
  });
});
