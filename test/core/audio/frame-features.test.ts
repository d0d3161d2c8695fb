import { describe, expect, it } from 'vitest';
import { createFrameFeatures, type FrameFeaturesPlan } from '../../../core/audio/frame-features.ts';
import { createMelFilterbank } from '../../../core/audio/mel.ts';
import { createDct } from '../../../core/audio/mfcc.ts';
import { createSpectralContrast } from '../../../core/audio/spectral.ts';
import { createStft } from '../../../core/audio/stft.ts';

const stft = createStft(512, 256);
const none = {
  logMel: -1,
  mfcc: -1,
  zcr: -1,
  rms: -1,
  centroid: -1,
  bandwidth: -1,
  rolloff: -1,
  contrast: -1,
};
const plan: FrameFeaturesPlan = {
  stft,
  sampleRate: 16000,
  floorPower: 0,
  floorMeanSquare: 0,
  zcrThreshold: 1e-10,
  rolloffPercent: 0.85,
  mel: createMelFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fmin: 0, fmax: 8000 }),
  dct: createDct(40, 20),
  contrast: createSpectralContrast({ sampleRate: 16000, nFft: 512, fmin: 200, nBands: 6, quantile: 0.02 }),
  dims: 10,
  columns: { ...none, zcr: 0, rms: 1 },
};

describe('createFrameFeatures', () => {
  it('refuses columns outside the row, and features without what they are computed from', () => {
    expect(() => createFrameFeatures({ ...plan, columns: { ...none, rms: 10 } })).toThrow(
      'frame features: expected column rms in −1…9, got 10',
    );
    expect(() => createFrameFeatures({ ...plan, columns: { ...none, zcr: 1.5 } })).toThrow(
      'expected column zcr in −1…9, got 1.5',
    );
    expect(() => createFrameFeatures({ ...plan, mel: null, columns: { ...none, logMel: 0 } })).toThrow(
      'expected mel filters for log-mel or MFCC columns, got none',
    );
    expect(() => createFrameFeatures({ ...plan, dct: null, columns: { ...none, mfcc: 0 } })).toThrow(
      'expected a DCT for MFCC columns, got none',
    );
    expect(() => createFrameFeatures({ ...plan, contrast: null, columns: { ...none, contrast: 0 } })).toThrow(
      'expected contrast bands for contrast columns, got none',
    );
  });

  it('says how much room it needed when the matrix is too short, and leaves other columns alone', () => {
    const features = createFrameFeatures(plan);
    // 1000 samples: 4 frames of 10 columns.
    expect(() => features.compute(new Float32Array(1000), new Float32Array(39))).toThrow(
      'frame features: expected room for 40 values, got 39',
    );
    const out = new Float32Array(40).fill(7);
    const signal = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    features.compute(signal, out);
    for (let t = 0; t < 4; t++) {
      expect(out[t * 10]).toBeGreaterThan(0); // zcr
      expect(out[t * 10 + 1]).toBeGreaterThan(0); // rms
      expect(Array.from(out.subarray(t * 10 + 2, t * 10 + 10))).toEqual(new Array(8).fill(7));
    }
  });
});
