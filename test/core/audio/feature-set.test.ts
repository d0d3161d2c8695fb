import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFeatureExtractor,
  DEFAULT_FEATURE_CONFIG,
  FEATURE_SET_NAMES,
  type FeatureMatrix,
  type FeatureSetName,
  resolveFeatureConfig,
} from '../../../core/audio/feature-set.ts';
import { useSpectrumKernels } from '../../../core/audio/frame-features.ts';
import { loadSpectrumKernels } from '../../../core/kernels/load-node.ts';
import { createRandom } from '../../../training/random.ts';
import { to16Bit } from '../../fixtures/audio/synthetic.ts';
import {
  CORPUS_CLIPS,
  type LibrosaFixture,
  loadLibrosaFixture,
  SYNTHETIC_CLIP,
  sharedFixtureExists,
} from './librosa-fixtures.ts';

const SAMPLE_RATE = 16000;

/** 2 s: silence, a vibrato harmonic tone, silence, a noise burst, silence; faded so no step is abrupt. */
function speechLikeClip(): Float32Array {
  const random = createRandom(5);
  return Float32Array.from({ length: 2 * SAMPLE_RATE }, (_, i) => {
    const t = i / SAMPLE_RATE;
    if (t >= 0.4 && t < 1.0) {
      const fade = Math.min(1, (t - 0.4) / 0.05, (1.0 - t) / 0.05);
      let x = 0;
      for (let h = 1; h <= 10; h++) {
        x += (0.3 / h) * Math.sin(2 * Math.PI * h * 180 * t + 3 * Math.sin(2 * Math.PI * 5 * t));
      }
      return fade * x;
    }
    if (t >= 1.3 && t < 1.6)
      return 0.2 * (2 * random.next() - 1) * Math.min(1, (t - 1.3) / 0.02, (1.6 - t) / 0.02);
    return 0;
  });
}

/** Column `name` of a matrix, as an array over frames. */
function column(matrix: FeatureMatrix, names: readonly string[], name: string): number[] {
  const index = names.indexOf(name);
  if (index < 0) throw new Error(`expected a column named ${name}, got ${names.join(', ')}`);
  return Array.from({ length: matrix.frames }, (_, t) => matrix.data[t * matrix.dims + index]);
}

/** Feature group of a column name: `logmel_3` → `logmel`, `zcr` → `zcr`. */
const groupOf = (name: string) => name.replace(/_\d+$/, '');

describe('feature sets', () => {
  const expected: Record<FeatureSetName, { dims: number; first: string; last: string }> = {
    logmel40: { dims: 40, first: 'logmel_0', last: 'logmel_39' },
    'logmel40+deltas': { dims: 80, first: 'logmel_0', last: 'logmel_delta_39' },
    'mfcc+deltas+zcr+rms': { dims: 42, first: 'mfcc_0', last: 'rms' },
    'seed004-46': { dims: 46, first: 'mfcc_0', last: 'spectral_contrast_6' },
    'seed004-librosa-46': { dims: 46, first: 'spectral_centroid', last: 'mfcc_delta_19' },
    'seed002-mfcc-rms-zcr': { dims: 22, first: 'mfcc_0', last: 'zcr' },
    full: { dims: 92, first: 'logmel_0', last: 'spectral_contrast_6' },
    'logmel40+pitch': { dims: 42, first: 'logmel_0', last: 'voicing' },
    'full+pitch': { dims: 94, first: 'logmel_0', last: 'voicing' },
  };

  for (const set of FEATURE_SET_NAMES) {
    it(`${set}: ${expected[set].dims} named columns, 1 + floor(n / hop) frames`, () => {
      const extractor = createFeatureExtractor(set);
      expect(extractor.dims).toBe(expected[set].dims);
      expect(extractor.names).toHaveLength(expected[set].dims);
      expect(new Set(extractor.names).size).toBe(expected[set].dims);
      expect(extractor.names[0]).toBe(expected[set].first);
      expect(extractor.names.at(-1)).toBe(expected[set].last);
      const matrix = extractor.extract(new Float32Array(16000));
      expect(matrix.frames).toBe(63);
      expect(extractor.frameCount(16000)).toBe(63);
      expect(matrix.data).toHaveLength(63 * expected[set].dims);
    });
  }

  it('orders the full set as log-mel, MFCC, MFCC deltas, ZCR, RMS, centroid, bandwidth, roll-off, contrast', () => {
    const groups = [...new Set(createFeatureExtractor('full').names.map(groupOf))];
    expect(groups).toEqual([
      'logmel',
      'mfcc',
      'mfcc_delta',
      'zcr',
      'rms',
      'spectral_centroid',
      'spectral_bandwidth',
      'spectral_rolloff',
      'spectral_contrast',
    ]);
  });

  it('seed004-46 holds 13 MFCC, 13 deltas, 13 delta-deltas and 7 contrast values', () => {
    const counts = new Map<string, number>();
    for (const name of createFeatureExtractor('seed004-46').names) {
      counts.set(groupOf(name), (counts.get(groupOf(name)) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({
      mfcc: 13,
      mfcc_delta: 13,
      mfcc_delta2: 13,
      spectral_contrast: 7,
    });
  });

  it("seed004-librosa-46 is the paper's 46: six descriptors (contrast as the mean of its bands), 20 MFCC, 20 deltas", () => {
    const extractor = createFeatureExtractor('seed004-librosa-46', { nMfcc: 13 });
    expect(extractor.names.slice(0, 6)).toEqual([
      'spectral_centroid',
      'spectral_contrast_mean',
      'spectral_bandwidth',
      'spectral_rolloff',
      'zcr',
      'rms',
    ]);
    expect(extractor.names.filter((name) => groupOf(name) === 'mfcc')).toHaveLength(20);
    const clip = to16Bit(speechLikeClip(), 3);
    const full = createFeatureExtractor('full');
    const reference = full.extract(clip);
    const bands = full.names.filter((name) => groupOf(name) === 'spectral_contrast');
    const mean = column(reference, full.names, bands[0]).map(
      (_, t) => bands.reduce((sum, band) => sum + column(reference, full.names, band)[t], 0) / bands.length,
    );
    const ours = column(extractor.extract(clip), extractor.names, 'spectral_contrast_mean');
    for (const [t, value] of ours.entries()) expect(value).toBeCloseTo(mean[t], 4);
  });

  it('appends f0 and voicing to log-mel and to full in the pitch sets', () => {
    expect(createFeatureExtractor('logmel40+pitch').names).toEqual([
      ...createFeatureExtractor('logmel40').names,
      'f0',
      'voicing',
    ]);
    expect(createFeatureExtractor('full+pitch').names).toEqual([
      ...createFeatureExtractor('full').names,
      'f0',
      'voicing',
    ]);
  });

  it('computes each feature the same way in every set that has it', () => {
    const clip = to16Bit(speechLikeClip(), 1);
    const full = createFeatureExtractor('full+pitch');
    const reference = full.extract(clip);
    for (const set of FEATURE_SET_NAMES) {
      const extractor = createFeatureExtractor(set);
      const matrix = extractor.extract(clip);
      for (const name of extractor.names) {
        if (!full.names.includes(name)) continue;
        expect(column(matrix, extractor.names, name), `${set} ${name}`).toEqual(
          column(reference, full.names, name),
        );
      }
    }
  });

  it('gives the same features when called again (no state carried between calls)', () => {
    const extractor = createFeatureExtractor('full');
    const first = extractor.extract(to16Bit(speechLikeClip(), 2));
    extractor.extract(new Float32Array(3000).fill(0.9));
    expect(extractor.extract(to16Bit(speechLikeClip(), 2)).data).toEqual(first.data);
  });

  it('handles clips shorter than a frame, down to no samples, with finite features', () => {
    for (const set of FEATURE_SET_NAMES) {
      for (const length of [0, 1, 100, 700]) {
        const matrix = createFeatureExtractor(set).extract(
          to16Bit(speechLikeClip().subarray(7000, 7000 + length)),
        );
        expect(matrix.frames).toBe(1 + Math.floor(length / 256));
        expect(matrix.data.every(Number.isFinite), `${set} with ${length} samples`).toBe(true);
      }
    }
  });

  it('rejects an unknown set, listing the valid ones', () => {
    expect(() => createFeatureExtractor('mfcc13' as FeatureSetName)).toThrow(
      `unknown feature set "mfcc13": expected one of ${FEATURE_SET_NAMES.join(', ')}`,
    );
  });
});

describe('feature config', () => {
  it('defaults to sr 16000, nFft 512, hop 256, 40 mels, 20 MFCC, 0–8000 Hz, −80 dBFS noise floor, F0 60–500 Hz', () => {
    expect(DEFAULT_FEATURE_CONFIG).toMatchObject({
      sampleRate: 16000,
      nFft: 512,
      hop: 256,
      nMels: 40,
      nMfcc: 20,
      fmin: 0,
      fmax: 8000,
      noiseFloorDb: -80,
      pitchFmin: 60,
      pitchFmax: 500,
      voicingThreshold: 0.45,
    });
    expect(createFeatureExtractor('full').config).toEqual(DEFAULT_FEATURE_CONFIG);
  });

  it('overlays partial settings; fmax follows the sample rate unless given', () => {
    expect(resolveFeatureConfig({ sampleRate: 8000 }).fmax).toBe(4000);
    // The default contrast bands reach 6.4 kHz: only sets without contrast work unchanged at 8 kHz.
    expect(createFeatureExtractor('logmel40+deltas', { sampleRate: 8000 }).dims).toBe(80);
    expect(createFeatureExtractor('full', { sampleRate: 8000, contrastBands: 4 }).dims).toBe(90);
    expect(resolveFeatureConfig({ sampleRate: 8000, fmax: 3000 }).fmax).toBe(3000);
    expect(resolveFeatureConfig({ nMels: undefined }).nMels).toBe(40);
    const extractor = createFeatureExtractor('mfcc+deltas+zcr+rms', { nMels: 64, nMfcc: 30, hop: 160 });
    expect(extractor.dims).toBe(62);
    expect(extractor.frameCount(16000)).toBe(101);
  });

  it('keeps 13 MFCC in seed004-46 whatever nMfcc is', () => {
    expect(createFeatureExtractor('seed004-46', { nMfcc: 20 }).dims).toBe(46);
    expect(createFeatureExtractor('seed004-46', { nMfcc: 5 }).dims).toBe(46);
  });

  it('says what it expected and what it got for invalid settings', () => {
    const cases: [Partial<typeof DEFAULT_FEATURE_CONFIG>, string][] = [
      [{ nFft: 400 }, 'expected nFft to be a power of two ≥ 4, got 400'],
      [{ hop: 0 }, 'expected hop to be a positive integer, got 0'],
      [{ nMfcc: 41 }, 'expected nMfcc to be an integer in 1–40 (nMels), got 41'],
      [{ fmax: 9000 }, 'expected 0 ≤ fmin < fmax ≤ 8000 Hz, got fmin 0, fmax 9000'],
      [{ noiseFloorDb: Number.NaN }, 'expected noiseFloorDb to be a finite dBFS level or null, got NaN'],
      [{ deltaWidth: 4 }, 'expected deltaWidth to be an odd integer ≥ 3, got 4'],
      [{ rolloffPercent: 1 }, 'expected 0 < rolloffPercent < 1, got 1'],
      [{ contrastBands: 7 }, 'top band from 12800 Hz'],
      [{ contrastFmin: 0 }, 'expected a positive contrastFmin, got 0'],
      [{ contrastQuantile: 0 }, 'expected 0 < contrastQuantile < 1, got 0'],
      [{ pitchFmin: 10 }, 'expected 20 ≤ pitchFmin < pitchFmax, got pitchFmin 10, pitchFmax 500'],
      [
        { pitchFmin: 300, pitchFmax: 200 },
        'expected 20 ≤ pitchFmin < pitchFmax, got pitchFmin 300, pitchFmax 200',
      ],
      [{ voicingThreshold: 0 }, 'expected 0 < voicingThreshold < 1, got 0'],
    ];
    for (const [overrides, message] of cases)
      expect(() => createFeatureExtractor('full', overrides)).toThrow(message);
    // The pitch range is checked against the sample rate only by the sets with pitch columns.
    expect(createFeatureExtractor('full', { pitchFmax: 1200 }).dims).toBe(92);
    expect(() => createFeatureExtractor('full+pitch', { pitchFmax: 1200 })).toThrow(
      'pitch: expected 20 ≤ fmin < fmax ≤ 1000 Hz (sampleRate / 16), got fmin 60, fmax 1200',
    );
    expect(() => createFeatureExtractor('seed004-46', { nMels: 12, nMfcc: 12 })).toThrow(
      'expected nMels ≥ 13 for seed004-46, got 12',
    );
  });
});

describe('pitch columns', () => {
  const extractor = createFeatureExtractor('logmel40+pitch');

  it('give the tone 12·log2(180 / 100) semitones, held flat through the silences and the noise burst', () => {
    // The clip: silence, a 180 Hz tone with ±3 % vibrato (0.4–1.0 s), silence, noise (1.3–1.6 s), silence.
    const matrix = extractor.extract(to16Bit(speechLikeClip(), 1));
    const f0 = column(matrix, extractor.names, 'f0');
    const voicing = column(matrix, extractor.names, 'voicing');
    const at = (seconds: number) => Math.round((seconds * SAMPLE_RATE) / 256);
    const toneSemitones = 12 * Math.log2(1.8);
    for (let t = at(0.45); t <= at(0.95); t++) {
      expect(Math.abs(f0[t] - toneSemitones), `frame ${t}`).toBeLessThan(0.6); // the vibrato's ±0.5 st
      expect(voicing[t]).toBeGreaterThan(0.9);
    }
    // Unvoiced before the tone and after it (noise burst included): held at its first and its last F0.
    for (let t = 0; t < at(0.37); t++) expect(f0[t]).toBe(f0[0]);
    for (let t = at(1.03); t < matrix.frames; t++) expect(f0[t]).toBe(f0[matrix.frames - 1]);
    for (const held of [f0[0], f0[matrix.frames - 1]])
      expect(Math.abs(held - toneSemitones)).toBeLessThan(0.6);
    for (let t = at(1.3); t <= at(1.6); t++) expect(voicing[t]).toBeLessThan(0.45);
    for (let t = at(1.7); t < matrix.frames; t++) expect(voicing[t]).toBe(0);
  });

  it('are 0 throughout a clip with no voice', () => {
    const matrix = extractor.extract(new Float32Array(SAMPLE_RATE));
    expect(column(matrix, extractor.names, 'f0').every((x) => x === 0)).toBe(true);
    expect(column(matrix, extractor.names, 'voicing').every((x) => x === 0)).toBe(true);
  });
});

describe('noise floor', () => {
  // Largest difference allowed per feature between exact-zero and dithered silence (units of the feature).
  const TOLERANCE: Record<string, number> = {
    logmel: 1, // dB
    mfcc: 1.5,
    mfcc_delta: 0.25,
    zcr: 0.01, // ≈ 5 crossings per 512-sample frame
    rms: 5e-6, // ≈ 1/6 LSB of 16-bit
    spectral_centroid: 15, // Hz
    spectral_bandwidth: 15, // Hz
    spectral_rolloff: 31.25, // Hz: one FFT bin
    spectral_contrast: 1, // dB
  };

  /** Largest |exact − dithered| per feature group. */
  function differences(noiseFloorDb: number | null): Map<string, number> {
    const extractor = createFeatureExtractor('full', { noiseFloorDb });
    const clip = speechLikeClip();
    const exact = extractor.extract(to16Bit(clip));
    const dithered = extractor.extract(to16Bit(clip, 9));
    const worst = new Map<string, number>();
    extractor.names.forEach((name, d) => {
      for (let t = 0; t < exact.frames; t++) {
        const difference = Math.abs(exact.data[t * exact.dims + d] - dithered.data[t * exact.dims + d]);
        worst.set(groupOf(name), Math.max(worst.get(groupOf(name)) ?? 0, difference));
      }
    });
    return worst;
  }

  it('makes exact-zero silence and ±1 LSB TPDF-dithered silence give nearly the same features', () => {
    const clip = to16Bit(speechLikeClip());
    expect(clip.filter((x) => x === 0).length, 'exact zeros in the undithered clip').toBeGreaterThan(16000);
    for (const [group, difference] of differences(-80)) {
      expect(difference, group).toBeLessThanOrEqual(TOLERANCE[group]);
    }
  });

  it('is what makes them agree: without it every feature differs by more than its tolerance', () => {
    for (const [group, difference] of differences(null)) {
      expect(difference, group).toBeGreaterThan(TOLERANCE[group]);
    }
  });

  it('makes digital silence look like white noise at the floor level', () => {
    const extractor = createFeatureExtractor('full');
    const silence = extractor.extract(new Float32Array(4096));
    const at = (name: string) => column(silence, extractor.names, name)[8];
    expect(at('rms')).toBeCloseTo(1e-4, 9); // −80 dBFS
    expect(at('zcr')).toBe(0);
    expect(at('spectral_centroid')).toBeCloseTo(4000, 2); // a flat spectrum's mean frequency
    for (let band = 0; band < 7; band++) expect(at(`spectral_contrast_${band}`)).toBeCloseTo(0, 5);
  });
});

const spectrumKernels = loadSpectrumKernels();

// The librosa tolerances hold with the spectrogram's TypeScript loops (the reference) and its wasm SIMD ones.
describe.each([
  ['TypeScript', null],
  ['wasm SIMD', spectrumKernels],
])('librosa parity (noiseFloorDb: null) with the %s spectrogram', (_, kernels) => {
  beforeAll(() => useSpectrumKernels(kernels));
  afterAll(() => useSpectrumKernels(null));

  // |ours − librosa| ≤ abs + rel·|librosa|, per librosa output (rows = feature columns of `full`).
  const TOLERANCE: Record<string, { column: string; rows: number; abs: number; rel: number }> = {
    logmel_db: { column: 'logmel_0', rows: 40, abs: 1e-3, rel: 0 },
    mfcc: { column: 'mfcc_0', rows: 20, abs: 1e-3, rel: 0 },
    // Deltas cross zero, where only an absolute bound means anything.
    mfcc_delta: { column: 'mfcc_delta_0', rows: 20, abs: 1e-4, rel: 1e-3 },
    zero_crossing_rate: { column: 'zcr', rows: 1, abs: 0, rel: 1e-3 },
    rms: { column: 'rms', rows: 1, abs: 0, rel: 1e-3 },
    spectral_centroid: { column: 'spectral_centroid', rows: 1, abs: 0, rel: 1e-3 },
    spectral_bandwidth: { column: 'spectral_bandwidth', rows: 1, abs: 0, rel: 1e-3 },
    spectral_rolloff: { column: 'spectral_rolloff', rows: 1, abs: 0, rel: 1e-3 },
    spectral_contrast: { column: 'spectral_contrast_0', rows: 7, abs: 0, rel: 1e-3 },
  };

  function checkParity(fixture: LibrosaFixture) {
    expect(fixture.params).toMatchObject({ sr: 16000, n_fft: 512, hop_length: 256 });
    // The clip reads as librosa read it.
    const sum = fixture.signal.reduce((a, x) => a + x, 0);
    const sumAbs = fixture.signal.reduce((a, x) => a + Math.abs(x), 0);
    expect(sum).toBeCloseTo(fixture.input_checks.sum, 6);
    expect(sumAbs).toBeCloseTo(fixture.input_checks.sum_abs, 4);
    expect(Array.from(fixture.signal.subarray(0, 10))).toEqual(fixture.input_checks.first10);

    const extractor = createFeatureExtractor('full', { noiseFloorDb: null });
    const matrix = extractor.extract(fixture.signal);
    expect(matrix.frames).toBe(fixture.n_frames);
    for (const [feature, { column: first, rows, abs, rel }] of Object.entries(TOLERANCE)) {
      const start = extractor.names.indexOf(first);
      const reference = fixture.features[feature];
      expect(reference, feature).toHaveLength(rows);
      for (let row = 0; row < rows; row++) {
        for (let t = 0; t < matrix.frames; t++) {
          const ours = matrix.data[t * matrix.dims + start + row];
          const theirs = reference[row][t];
          if (Math.abs(ours - theirs) > abs + rel * Math.abs(theirs)) {
            expect.fail(
              `${fixture.clip} ${feature}[${row}][${t}]: expected ${theirs} (±${abs} ±${rel} rel), got ${ours}`,
            );
          }
        }
      }
    }
  }

  it(`matches every librosa feature on ${SYNTHETIC_CLIP}`, () =>
    checkParity(loadLibrosaFixture(SYNTHETIC_CLIP)));
  for (const clip of CORPUS_CLIPS) {
    const present = sharedFixtureExists(clip);
    it.skipIf(!present)(
      `matches every librosa feature on ${clip}${present ? '' : ' (skipped: shared fixtures absent, set SER_SHARED_DIR)'}`,
      () => checkParity(loadLibrosaFixture(clip)),
    );
  }
});

describe('every feature set with the wasm SIMD spectrogram', () => {
  // Largest deviation from the TypeScript loops: absolute in dB and MFCC units, relative for the rest.
  const DB_LIKE = /^(logmel|logmel_delta|mfcc|mfcc_delta|mfcc_delta2|spectral_contrast)$/;
  const clips = () => [
    to16Bit(speechLikeClip(), 3),
    Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.99 * Math.sin(0.3927 * i)),
    new Float32Array(5000),
    loadLibrosaFixture(SYNTHETIC_CLIP).signal,
  ];

  it.each(FEATURE_SET_NAMES)('%s matches the TypeScript loops within 1e-4 dB / 1e-5 relative', (set) => {
    for (const noiseFloorDb of [DEFAULT_FEATURE_CONFIG.noiseFloorDb, null]) {
      const extractor = createFeatureExtractor(set, { noiseFloorDb });
      for (const clip of clips()) {
        useSpectrumKernels(null);
        const expected = extractor.extract(clip);
        useSpectrumKernels(spectrumKernels);
        const actual = extractor.extract(clip);
        useSpectrumKernels(null);
        extractor.names.forEach((name, d) => {
          const absolute = DB_LIKE.test(groupOf(name));
          for (let t = 0; t < expected.frames; t++) {
            const want = expected.data[t * expected.dims + d];
            const got = actual.data[t * actual.dims + d];
            const bound = absolute ? 1e-4 : 1e-5 * Math.abs(want);
            if (!(Math.abs(got - want) <= bound)) {
              expect.fail(
                `${set} floor ${noiseFloorDb} ${name}[${t}]: expected ${want} (±${bound}), got ${got}`,
              );
            }
          }
        });
      }
    }
  });
});
