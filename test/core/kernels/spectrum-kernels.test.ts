import { afterEach, describe, expect, it } from 'vitest';
import {
  createFrameFeatures,
  type FrameColumns,
  type FrameFeatures,
  useSpectrumKernels,
} from '../../../core/audio/frame-features.ts';
import { createMelFilterbank } from '../../../core/audio/mel.ts';
import { createDct } from '../../../core/audio/mfcc.ts';
import { createSpectralContrast } from '../../../core/audio/spectral.ts';
import { createStft } from '../../../core/audio/stft.ts';
import { loadSpectrumKernels } from '../../../core/kernels/load-node.ts';
import type { WasmSpectrumKernels } from '../../../core/kernels/spectrum-kernels.ts';
import { createRandom } from '../../../training/random.ts';

const kernels = loadSpectrumKernels();

/** A loud tone that stops halfway, over faint noise, with stretches of digital silence: every column moves. */
function toneNoiseSilence(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, (_, i) => {
    if (i % 3000 > 2500) return 0;
    const tone = i < length / 2 ? 0.99 * Math.sin(0.3927 * i + 0.001 * i * (i / length)) : 0;
    return tone + 0.01 * (2 * random.next() - 1);
  });
}

const MFCC = 13;
const ALL_COLUMNS: FrameColumns = {
  logMel: 0,
  mfcc: 40,
  zcr: 40 + MFCC,
  rms: 41 + MFCC,
  centroid: 42 + MFCC,
  bandwidth: 43 + MFCC,
  rolloff: 44 + MFCC,
  contrast: 45 + MFCC,
};

interface PlanOptions {
  nFft: number;
  hop: number;
  /** 0: no noise floor (librosa parity), else its level in dBFS. */
  floorDb?: number;
  /** Contrast settings; null: no contrast columns (FFT sizes too small for octave bands). */
  contrast?: { fmin: number; bands: number; quantile: number } | null;
  columns?: Partial<FrameColumns>;
}

/** Frame features over 40 mels, 13 MFCC and every other column, as feature-set.ts builds them. */
function frameFeaturesOf({
  nFft,
  hop,
  floorDb = -80,
  contrast = { fmin: 200, bands: 6, quantile: 0.02 },
  columns = {},
}: PlanOptions): FrameFeatures {
  const stft = createStft(nFft, hop);
  const noise = floorDb === 0 ? 0 : 10 ** (floorDb / 20);
  const bands = contrast ? contrast.bands + 1 : 0;
  return createFrameFeatures({
    stft,
    sampleRate: 16000,
    floorPower: noise * noise * stft.windowPower,
    floorMeanSquare: noise * noise,
    zcrThreshold: floorDb === 0 ? 1e-10 : noise,
    rolloffPercent: 0.85,
    mel: createMelFilterbank({ sampleRate: 16000, nFft, nMels: 40, fmin: 0, fmax: 8000 }),
    dct: createDct(40, MFCC),
    contrast: contrast
      ? createSpectralContrast({
          sampleRate: 16000,
          nFft,
          fmin: contrast.fmin,
          nBands: contrast.bands,
          quantile: contrast.quantile,
        })
      : null,
    dims: ALL_COLUMNS.contrast + bands,
    columns: { ...ALL_COLUMNS, ...(contrast ? {} : { contrast: -1 }), ...columns },
  });
}

/** Both paths on one signal, into matrices prefilled with a sentinel, and whether the kernels took the call. */
function bothWays(features: FrameFeatures, signal: Float32Array, wasm: WasmSpectrumKernels = kernels) {
  const frames = features.stft.frameCount(signal.length);
  const matrix = () => new Float32Array(frames * features.dims).fill(-12345);
  const expected = matrix();
  useSpectrumKernels(null);
  features.compute(signal, expected);
  const actual = matrix();
  let handled = false;
  useSpectrumKernels({
    frameFeatures(plan, input, out) {
      handled = wasm.frameFeatures(plan, input, out);
      return handled;
    },
    melEnergies: () => false,
    scaledLogMel: () => false,
  });
  features.compute(signal, actual);
  useSpectrumKernels(null);
  return { expected, actual, handled, frames };
}

/** Which feature a column holds, by the layout above. */
function kindOf(features: FrameFeatures, column: number): keyof FrameColumns | 'other' {
  const { columns } = features;
  const widths: Record<keyof FrameColumns, number> = {
    logMel: 40,
    mfcc: MFCC,
    zcr: 1,
    rms: 1,
    centroid: 1,
    bandwidth: 1,
    rolloff: 1,
    contrast: features.contrast?.bands ?? 0,
  };
  for (const kind of Object.keys(widths) as (keyof FrameColumns)[]) {
    if (columns[kind] >= 0 && column >= columns[kind] && column < columns[kind] + widths[kind]) return kind;
  }
  return 'other';
}

/**
 * Fails on the first value outside its bound: dB and MFCC units within 1e-4 absolutely (one f32 step is 8e-6
 * at 100 dB), the zero-crossing rate and columns the plan leaves alone exactly, the rest within 1e-5 relative.
 */
function expectClose(features: FrameFeatures, actual: Float32Array, expected: Float32Array, label: string) {
  for (let i = 0; i < expected.length; i++) {
    const kind = kindOf(features, i % features.dims);
    const want = expected[i];
    const got = actual[i];
    const bound =
      kind === 'zcr' || kind === 'other'
        ? 0
        : kind === 'logMel' || kind === 'mfcc' || kind === 'contrast'
          ? 1e-4
          : 1e-5 * Math.abs(want) + 1e-12;
    if (!(Math.abs(got - want) <= bound)) {
      expect.fail(
        `${label}: ${kind} column ${i % features.dims} of frame ${Math.floor(i / features.dims)}: expected ${want} (±${bound}), got ${got}`,
      );
    }
  }
}

afterEach(() => useSpectrumKernels(null));

describe('spectrum wasm kernels', () => {
  // FFT sizes with an odd and an even number of radix-2 stages in the half-size transform; hops from one sample
  // to past the frame; lengths from none to several frames, giving odd and even frame counts.
  it.each([
    [8, 3, null],
    [64, 16, null],
    [256, 128, { fmin: 200, bands: 5, quantile: 0.02 }],
    [512, 256, { fmin: 200, bands: 6, quantile: 0.02 }],
    [512, 160, { fmin: 200, bands: 6, quantile: 0.02 }],
    [1024, 1029, { fmin: 200, bands: 6, quantile: 0.02 }],
    [2048, 512, { fmin: 200, bands: 6, quantile: 0.02 }],
  ])('match the TypeScript loops in every column (nFft %i, hop %i)', (nFft, hop, contrast) => {
    for (const floorDb of [-80, 0]) {
      const features = frameFeaturesOf({ nFft, hop, floorDb, contrast });
      for (const length of [0, 1, 5, nFft + 3, 5 * hop + nFft, 9 * hop + 2 * nFft]) {
        const { expected, actual, handled } = bothWays(features, toneNoiseSilence(length, length));
        expect(handled).toBe(true);
        expectClose(features, actual, expected, `floor ${floorDb}, ${length} samples`);
      }
    }
  });

  it.each([
    [8, 3],
    [512, 256],
    [512, 160],
    [2048, 512],
  ])(
    'give the mel energies the TypeScript loops give, without floor or log (nFft %i, hop %i)',
    (nFft, hop) => {
      const features = frameFeaturesOf({ nFft, hop, contrast: null });
      for (const length of [0, 1, nFft + 3, 9 * hop + 2 * nFft]) {
        const signal = toneNoiseSilence(length, length);
        useSpectrumKernels(null);
        const expected = features.melEnergies?.compute(signal) ?? new Float64Array(0);
        let handled = false;
        useSpectrumKernels({
          frameFeatures: () => false,
          melEnergies(plan, input, out) {
            handled = kernels.melEnergies(plan, input, out);
            return handled;
          },
          scaledLogMel: () => false,
        });
        const actual = features.melEnergies?.compute(signal) ?? new Float64Array(1);
        // Digital silence stays exactly 0: no floor is added.
        const silence = features.melEnergies?.compute(new Float32Array(length)) ?? [1];
        useSpectrumKernels(null);
        expect(handled).toBe(true);
        expect(actual.length).toBe(features.stft.frameCount(length) * 40);
        expect(silence.every((energy) => energy === 0)).toBe(true);
        for (let i = 0; i < expected.length; i++) {
          expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-9 * Math.max(expected[i], 1e-6));
        }
      }
    },
  );

  it.each([40, 7])('log scaled mel energies as the TypeScript loop does (%i bands)', (nMels) => {
    const random = createRandom(nMels);
    // Energies from digital silence (0) to full scale, and a floor under each band.
    const energies = Float64Array.from({ length: 9 * nMels }, (_, i) =>
      i % 5 === 0 ? 0 : random.next() ** 8 * 1e3,
    );
    const floor = Float64Array.from({ length: nMels }, (_, m) => 1e-7 * (m + 1));
    const expected = energies.map(
      (energy, i) => 10 * Math.log10(Math.max(1e-10, 0.37 * energy + floor[i % nMels])),
    );
    const actual = new Float32Array(energies.length);
    expect(kernels.scaledLogMel(energies, 0.37, floor, actual)).toBe(true);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-4);
    // Rows that do not fit the bands are left to the TypeScript loop.
    expect(kernels.scaledLogMel(energies.subarray(1), 0.37, floor, actual.subarray(1))).toBe(false);
  });

  it.each([
    ['more than two', 0.1],
    ['more than a short band holds', 0.99],
  ])('average %s extremes per contrast band as the TypeScript loops do', (_, quantile) => {
    const features = frameFeaturesOf({ nFft: 512, hop: 256, contrast: { fmin: 400, bands: 4, quantile } });
    expect(Math.max(...(features.contrast?.take ?? []))).toBeGreaterThan(2);
    const { expected, actual, handled } = bothWays(features, toneNoiseSilence(20000, 7));
    expect(handled).toBe(true);
    expectClose(features, actual, expected, `quantile ${quantile}`);
  });

  it('write only the columns the plan names, wherever they are', () => {
    const features = frameFeaturesOf({
      nFft: 512,
      hop: 256,
      columns: { logMel: -1, zcr: 45, rms: -1, bandwidth: -1, centroid: 0, rolloff: 1 },
    });
    const { expected, actual, handled } = bothWays(features, toneNoiseSilence(9000, 3));
    expect(handled).toBe(true);
    expectClose(features, actual, expected, 'sparse columns');
    // Columns 2–39 belong to nothing here: they keep the sentinel on both paths.
    expect(actual[2]).toBe(-12345);
  });

  it('reuse their memory: once a plan has its tables in, more calls leave it the same size', () => {
    const fresh = loadSpectrumKernels();
    const plans = [frameFeaturesOf({ nFft: 512, hop: 256 }), frameFeaturesOf({ nFft: 1024, hop: 160 })];
    const clips = [toneNoiseSilence(48000, 1), toneNoiseSilence(16000, 2), toneNoiseSilence(30000, 3)];
    // Two rounds: buffers sit above the tables, so the first call had less below it than it has now.
    for (let round = 0; round < 2; round++) {
      for (const features of plans) for (const clip of clips) bothWays(features, clip, fresh);
    }
    const settled = fresh.memoryBytes();
    for (let round = 0; round < 3; round++) {
      for (const features of plans) {
        for (const clip of clips) expect(bothWays(features, clip, fresh).handled).toBe(true);
      }
    }
    expect(fresh.memoryBytes()).toBe(settled);
  });

  it('drop earlier plans past their table budget and copy them in again when they come back', () => {
    // Tables of about 0.5 MB each at nFft 16384: two of them pass the 1 MiB budget.
    const plans = Array.from({ length: 4 }, (_, i) => frameFeaturesOf({ nFft: 16384, hop: 4096 + i }));
    for (const features of [...plans, plans[0]]) {
      const { expected, actual, handled } = bothWays(features, toneNoiseSilence(40000, features.stft.hop));
      expect(handled, `hop ${features.stft.hop}`).toBe(true);
      expectClose(features, actual, expected, `hop ${features.stft.hop}`);
    }
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });

  it('take a minute at 16 kHz, the longest upload the Worker accepts', () => {
    const features = frameFeaturesOf({ nFft: 512, hop: 256 });
    const { expected, actual, handled } = bothWays(features, toneNoiseSilence(960_000, 5));
    expect(handled).toBe(true);
    expectClose(features, actual, expected, 'a minute');
  });

  it('leave a call that would need more than 16 MiB to the TypeScript loops', () => {
    // 4.2 M samples: 16.8 MB of signal alone.
    const features = frameFeaturesOf({ nFft: 512, hop: 256 });
    const { expected, actual, handled } = bothWays(features, toneNoiseSilence(4_200_000, 4));
    expect(handled).toBe(false);
    expect(actual).toEqual(expected);
    expect(kernels.memoryBytes()).toBeLessThanOrEqual(16 << 20);
  });
});
