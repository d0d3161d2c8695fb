import { createDeltaFilter } from './deltas.ts';
import { createFrameFeatures, type MelEnergies } from './frame-features.ts';
import { createMelFilterbank } from './mel.ts';
import { createDct } from './mfcc.ts';
import { createPitchTracker, MIN_PITCH_FMIN, semitoneContour } from './pitch.ts';
import { createSpectralContrast } from './spectral.ts';
import { createStft } from './stft.ts';

/** Frame-feature parameters. Defaults (DEFAULT_FEATURE_CONFIG) match the librosa reference fixtures. */
export interface FeatureConfig {
  /** Sample rate in Hz the signal already has (resample before extracting). */
  sampleRate: number;
  /** FFT size and frame length of every feature (the ZCR and RMS frames too); a power of two. */
  nFft: number;
  /** Samples between frame centres. */
  hop: number;
  nMels: number;
  /** MFCC count of the sets whose size follows the config (not `seed004-46`, which always takes 13). */
  nMfcc: number;
  /** Mel filterbank range in Hz. When a partial config omits fmax, it is sampleRate / 2. */
  fmin: number;
  fmax: number;
  /**
   * Level in dBFS (RMS re full scale 1.0) of a white-noise floor assumed under every signal, so that exact
   * digital silence and dithered silence (sox's ±1 LSB TPDF, ≈ −96 dBFS) give nearly the same features: its
   * expected power is added to every power-spectrum bin (and to the RMS mean square), and its RMS amplitude
   * is the ZCR threshold. `null` disables it: no floor and librosa's ZCR threshold 1e-10 (librosa parity).
   */
  noiseFloorDb: number | null;
  /** Savitzky–Golay window of the deltas, in frames (odd). */
  deltaWidth: number;
  /** Fraction of spectral magnitude below the roll-off frequency. */
  rolloffPercent: number;
  /** Upper edge in Hz of the lowest spectral-contrast band. */
  contrastFmin: number;
  /** Octave bands above contrastFmin: the contrast has contrastBands + 1 values. */
  contrastBands: number;
  /** Fraction of each contrast band's bins averaged for its peak and its valley. */
  contrastQuantile: number;
  /** F0 search range in Hz of the pitch columns; the pitch window is 2.5 periods of pitchFmin. */
  pitchFmin: number;
  pitchFmax: number;
  /** Voicing strength (normalised autocorrelation peak) from which a frame has an F0. */
  voicingThreshold: number;
}

/**
 * Bump when decoding, resampling or any feature's maths changes: cached features and trained models made with
 * another version no longer match what the front end computes.
 */
export const FRONT_END_VERSION = 2;

export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  sampleRate: 16000,
  nFft: 512,
  hop: 256,
  nMels: 40,
  nMfcc: 20,
  fmin: 0,
  fmax: 8000,
  noiseFloorDb: -80,
  deltaWidth: 9,
  rolloffPercent: 0.85,
  contrastFmin: 200,
  contrastBands: 6,
  contrastQuantile: 0.02,
  pitchFmin: 60,
  pitchFmax: 500,
  voicingThreshold: 0.45,
});

/**
 * Named feature sets (dimensions with the default config):
 * - `logmel40`: 40 log-mel energies in dB.
 * - `logmel40+deltas`: 40 log-mel + their 40 deltas.
 * - `mfcc+deltas+zcr+rms`: 20 MFCC + 20 deltas + zero-crossing rate + RMS.
 * - `seed004-46`: 13 MFCC + 13 deltas + 13 delta-deltas + 7 spectral contrast = 46. Always 13 MFCC (the
 *   first 13 of the orthonormal DCT, whatever nMfcc is); the delta-deltas are librosa's
 *   `delta(order=2)`: a second-order Savitzky–Golay derivative, not a delta of the deltas.
 * - `seed004-librosa-46`: seed paper 004's own 46: spectral centroid, contrast, bandwidth and roll-off, ZCR, RMS,
 *   20 MFCC and 20 deltas. Always 20 MFCC. The paper counts contrast as one value; librosa gives one per band,
 *   so ours is their mean (`spectral_contrast_mean`). The paper framed with hop 512 (157 frames in 5 s): set
 *   `hop` in the experiment's feature config to match.
 * - `seed002-mfcc-rms-zcr`: seed paper 002's set: 20 MFCC + RMS + ZCR = 22.
 * - `full`: 40 log-mel, 20 MFCC, 20 MFCC deltas, ZCR, RMS, spectral centroid, bandwidth, roll-off and
 *   7 spectral contrast = 92.
 * - `logmel40+pitch`: 40 log-mel + `f0` + `voicing` = 42.
 * - `full+pitch`: `full` + `f0` + `voicing` = 94.
 * Log-mel and MFCC counts follow nMels / nMfcc, and contrast follows contrastBands. The pitch columns
 * (core/audio/pitch.ts): `f0` is 12·log2(F0 / 100 Hz) in semitones, interpolated through unvoiced frames
 * and held flat beyond the first and last voiced one (0 in a clip with none); `voicing` is the voicing
 * strength in [0, 1], 0 for silence.
 */
export const FEATURE_SET_NAMES = [
  'logmel40',
  'logmel40+deltas',
  'mfcc+deltas+zcr+rms',
  'seed004-46',
  'seed004-librosa-46',
  'seed002-mfcc-rms-zcr',
  'full',
  'logmel40+pitch',
  'full+pitch',
] as const;

export type FeatureSetName = (typeof FEATURE_SET_NAMES)[number];

/** Frame features, row-major and frame-major: value (frame t, feature d) is data[t·dims + d]. */
export interface FeatureMatrix {
  data: Float32Array;
  frames: number;
  dims: number;
}

export interface FeatureExtractor {
  readonly set: FeatureSetName;
  readonly config: FeatureConfig;
  readonly dims: number;
  /** Column names, e.g. `logmel_0`, `mfcc_delta_3`, `zcr`, `spectral_contrast_6`. */
  readonly names: readonly string[];
  /** The spectral columns, first (pitch's come last): the only ones the front end and equaliser touch. */
  readonly spectralDims: number;
  /** `logmel40` only (null for the rest): its features before floor and log, for window-front-end.ts. */
  readonly melEnergies: MelEnergies | null;
  /** Frames for a signal of `samples` samples: 1 + floor(samples / hop) (centred frames). */
  frameCount(samples: number): number;
  extract(signal: Float32Array): FeatureMatrix;
}

type BlockKind =
  | 'logmel'
  | 'logmel_delta'
  | 'mfcc'
  | 'mfcc_delta'
  | 'mfcc_delta2'
  | 'zcr'
  | 'rms'
  | 'spectral_centroid'
  | 'spectral_bandwidth'
  | 'spectral_rolloff'
  | 'spectral_contrast'
  | 'f0'
  | 'voicing';

type Block = readonly [kind: BlockKind, width: number];

const SEED004_MFCC = 13;
const SEED004_LIBROSA_MFCC = 20;
// Always both: the extractor tracks pitch when there is an f0 column and writes both.
const PITCH_BLOCKS: readonly Block[] = [
  ['f0', 1],
  ['voicing', 1],
];
// librosa zero_crossings' default threshold, used when the noise floor is off.
const LIBROSA_ZCR_THRESHOLD = 1e-10;

function layoutOf(set: FeatureSetName, config: FeatureConfig): Block[] {
  const { nMels, nMfcc } = config;
  const contrast = config.contrastBands + 1;
  switch (set) {
    case 'logmel40':
      return [['logmel', nMels]];
    case 'logmel40+deltas':
      return [
        ['logmel', nMels],
        ['logmel_delta', nMels],
      ];
    case 'mfcc+deltas+zcr+rms':
      return [
        ['mfcc', nMfcc],
        ['mfcc_delta', nMfcc],
        ['zcr', 1],
        ['rms', 1],
      ];
    case 'seed004-46':
      return [
        ['mfcc', SEED004_MFCC],
        ['mfcc_delta', SEED004_MFCC],
        ['mfcc_delta2', SEED004_MFCC],
        ['spectral_contrast', contrast],
      ];
    case 'seed004-librosa-46':
      // Contrast is computed per band and averaged into one column when the frame is extracted.
      return [
        ['spectral_centroid', 1],
        ['spectral_contrast', contrast],
        ['spectral_bandwidth', 1],
        ['spectral_rolloff', 1],
        ['zcr', 1],
        ['rms', 1],
        ['mfcc', SEED004_LIBROSA_MFCC],
        ['mfcc_delta', SEED004_LIBROSA_MFCC],
      ];
    case 'seed002-mfcc-rms-zcr':
      return [
        ['mfcc', nMfcc],
        ['rms', 1],
        ['zcr', 1],
      ];
    case 'full':
      return [
        ['logmel', nMels],
        ['mfcc', nMfcc],
        ['mfcc_delta', nMfcc],
        ['zcr', 1],
        ['rms', 1],
        ['spectral_centroid', 1],
        ['spectral_bandwidth', 1],
        ['spectral_rolloff', 1],
        ['spectral_contrast', contrast],
      ];
    case 'logmel40+pitch':
      return [...layoutOf('logmel40', config), ...PITCH_BLOCKS];
    case 'full+pitch':
      return [...layoutOf('full', config), ...PITCH_BLOCKS];
  }
}

/** Defaults overlaid with the given fields (fmax defaulting to Nyquist), validated. */
export function resolveFeatureConfig(overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const sampleRate = overrides.sampleRate ?? DEFAULT_FEATURE_CONFIG.sampleRate;
  const config: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, fmax: sampleRate / 2, ...given };
  const fail = (expected: string, got: unknown) => {
    throw new RangeError(`feature config: expected ${expected}, got ${got}`);
  };
  const isPositiveInteger = (x: number) => Number.isInteger(x) && x > 0;
  if (!(Number.isFinite(config.sampleRate) && config.sampleRate > 0)) {
    fail('a positive sampleRate', config.sampleRate);
  }
  if (!isPositiveInteger(config.nFft) || config.nFft < 4 || (config.nFft & (config.nFft - 1)) !== 0) {
    fail('nFft to be a power of two ≥ 4', config.nFft);
  }
  if (!isPositiveInteger(config.hop)) fail('hop to be a positive integer', config.hop);
  if (!isPositiveInteger(config.nMels)) fail('nMels to be a positive integer', config.nMels);
  if (!isPositiveInteger(config.nMfcc) || config.nMfcc > config.nMels) {
    fail(`nMfcc to be an integer in 1–${config.nMels} (nMels)`, config.nMfcc);
  }
  if (!(config.fmin >= 0 && config.fmin < config.fmax && config.fmax <= config.sampleRate / 2)) {
    fail(`0 ≤ fmin < fmax ≤ ${config.sampleRate / 2} Hz`, `fmin ${config.fmin}, fmax ${config.fmax}`);
  }
  if (config.noiseFloorDb !== null && !Number.isFinite(config.noiseFloorDb)) {
    fail('noiseFloorDb to be a finite dBFS level or null', config.noiseFloorDb);
  }
  if (!isPositiveInteger(config.deltaWidth) || config.deltaWidth < 3 || config.deltaWidth % 2 === 0) {
    fail('deltaWidth to be an odd integer ≥ 3', config.deltaWidth);
  }
  if (!(config.rolloffPercent > 0 && config.rolloffPercent < 1)) {
    fail('0 < rolloffPercent < 1', config.rolloffPercent);
  }
  if (!isPositiveInteger(config.contrastBands)) {
    fail('contrastBands to be a positive integer', config.contrastBands);
  }
  // Whether the contrast bands fit below Nyquist is checked only by the sets that use them.
  if (!(config.contrastFmin > 0)) fail('a positive contrastFmin', config.contrastFmin);
  if (!(config.contrastQuantile > 0 && config.contrastQuantile < 1)) {
    fail('0 < contrastQuantile < 1', config.contrastQuantile);
  }
  // Whether the pitch range suits the sample rate is checked only by the sets that use it (the tracker).
  if (!(config.pitchFmin >= MIN_PITCH_FMIN && config.pitchFmin < config.pitchFmax)) {
    fail(
      `${MIN_PITCH_FMIN} ≤ pitchFmin < pitchFmax`,
      `pitchFmin ${config.pitchFmin}, pitchFmax ${config.pitchFmax}`,
    );
  }
  if (!(config.voicingThreshold > 0 && config.voicingThreshold < 1)) {
    fail('0 < voicingThreshold < 1', config.voicingThreshold);
  }
  return config;
}

export function createFeatureExtractor(
  set: FeatureSetName,
  overrides?: Partial<FeatureConfig>,
): FeatureExtractor {
  if (!FEATURE_SET_NAMES.includes(set)) {
    throw new RangeError(`unknown feature set "${set}": expected one of ${FEATURE_SET_NAMES.join(', ')}`);
  }
  const config = Object.freeze(resolveFeatureConfig(overrides));
  const { sampleRate, nFft, hop, nMels } = config;
  const layout = layoutOf(set, config);
  const fixedMfcc =
    set === 'seed004-46' ? SEED004_MFCC : set === 'seed004-librosa-46' ? SEED004_LIBROSA_MFCC : 0;
  if (nMels < fixedMfcc) {
    throw new RangeError(`feature config: expected nMels ≥ ${fixedMfcc} for ${set}, got ${nMels}`);
  }

  const column = new Map<BlockKind, number>();
  const width = new Map<BlockKind, number>();
  const names: string[] = [];
  for (const [kind, size] of layout) {
    column.set(kind, names.length);
    width.set(kind, size);
    for (let i = 0; i < size; i++) {
      names.push(size === 1 && kind !== 'spectral_contrast' ? kind : `${kind}_${i}`);
    }
  }
  const dims = names.length;
  const columnOf = (kind: BlockKind) => column.get(kind) ?? -1;
  // seed004-librosa-46 hands out its contrast bands as their mean: one column in place of the block.
  const averageContrast = set === 'seed004-librosa-46';
  const contrastWidth = width.get('spectral_contrast') ?? 0;
  const outputNames = averageContrast
    ? [
        ...names.slice(0, columnOf('spectral_contrast')),
        'spectral_contrast_mean',
        ...names.slice(columnOf('spectral_contrast') + contrastWidth),
      ]
    : names;
  const outputDims = outputNames.length;
  const logmelColumn = columnOf('logmel');
  const mfccColumn = columnOf('mfcc');
  const contrastColumn = columnOf('spectral_contrast');
  const f0Column = columnOf('f0');
  const voicingColumn = columnOf('voicing');
  const mfccCount = width.get('mfcc') ?? 0;

  const stft = createStft(nFft, hop);
  const needsMel = logmelColumn >= 0 || mfccCount > 0;
  const pitch =
    f0Column >= 0
      ? createPitchTracker({
          sampleRate,
          hop,
          fmin: config.pitchFmin,
          fmax: config.pitchFmax,
          voicingThreshold: config.voicingThreshold,
          noiseFloorDb: config.noiseFloorDb,
        })
      : null;
  const deltaFilter = createDeltaFilter(config.deltaWidth, 1);
  const delta2Filter = createDeltaFilter(config.deltaWidth, 2);

  const noiseAmplitude = config.noiseFloorDb === null ? 0 : 10 ** (config.noiseFloorDb / 20);
  const noiseMeanSquare = noiseAmplitude * noiseAmplitude;
  const frameFeatures = createFrameFeatures({
    stft,
    sampleRate,
    // White noise of variance σ² has expected periodogram σ²·Σw² in every bin of a windowed FFT.
    floorPower: noiseMeanSquare * stft.windowPower,
    floorMeanSquare: noiseMeanSquare,
    zcrThreshold: config.noiseFloorDb === null ? LIBROSA_ZCR_THRESHOLD : noiseAmplitude,
    rolloffPercent: config.rolloffPercent,
    mel: needsMel ? createMelFilterbank(config) : null,
    dct: mfccCount > 0 ? createDct(nMels, mfccCount) : null,
    contrast:
      contrastColumn >= 0
        ? createSpectralContrast({
            sampleRate,
            nFft,
            fmin: config.contrastFmin,
            nBands: config.contrastBands,
            quantile: config.contrastQuantile,
          })
        : null,
    dims,
    columns: {
      logMel: logmelColumn,
      mfcc: mfccColumn,
      zcr: columnOf('zcr'),
      rms: columnOf('rms'),
      centroid: columnOf('spectral_centroid'),
      bandwidth: columnOf('spectral_bandwidth'),
      rolloff: columnOf('spectral_rolloff'),
      contrast: contrastColumn,
    },
  });

  /** The frame matrix with the contrast block averaged into one column. */
  const withAverageContrast = (data: Float32Array, frames: number): Float32Array => {
    const out = new Float32Array(frames * outputDims);
    const first = columnOf('spectral_contrast');
    for (let t = 0; t < frames; t++) {
      const row = t * dims;
      const target = t * outputDims;
      out.set(data.subarray(row, row + first), target);
      let sum = 0;
      for (let b = 0; b < contrastWidth; b++) sum += data[row + first + b];
      out[target + first] = sum / contrastWidth;
      out.set(data.subarray(row + first + contrastWidth, row + dims), target + first + 1);
    }
    return out;
  };

  return {
    set,
    config,
    dims: outputDims,
    names: Object.freeze(outputNames),
    spectralDims: outputDims - (pitch ? PITCH_BLOCKS.length : 0),
    melEnergies: set === 'logmel40' ? frameFeatures.melEnergies : null,
    frameCount: (samples) => stft.frameCount(samples),
    extract(signal) {
      const frames = stft.frameCount(signal.length);
      const data = new Float32Array(frames * dims);
      frameFeatures.compute(signal, data);
      for (const [kind, source, filter] of [
        ['logmel_delta', logmelColumn, deltaFilter],
        ['mfcc_delta', mfccColumn, deltaFilter],
        ['mfcc_delta2', mfccColumn, delta2Filter],
      ] as const) {
        const target = column.get(kind);
        if (target !== undefined) filter.apply(data, dims, source, target, width.get(kind) ?? 0);
      }
      if (pitch) {
        const track = pitch.track(signal);
        const semitones = semitoneContour(track.f0);
        for (let t = 0; t < frames; t++) {
          data[t * dims + f0Column] = semitones[t];
          data[t * dims + voicingColumn] = track.voicing[t];
        }
      }
      if (averageContrast) return { data: withAverageContrast(data, frames), frames, dims: outputDims };
      return { data, frames, dims };
    },
  };
}
