import { describe, expect, it } from 'vitest';
import { createFeatureExtractor } from '../../../core/audio/feature-set.ts';
import {
  clipFeatures,
  DEFAULT_UTTERANCE_CONFIG,
  prepareUtterance,
  speechBounds,
  standardiseOver,
} from '../../../core/audio/utterance.ts';
import {
  concat,
  dbfs,
  mix,
  silence,
  speechLike,
  to16Bit,
  vowelLike,
  whiteNoise,
} from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;
const extractor = createFeatureExtractor('logmel40', { fmin: 60, fmax: 7000, noiseFloorDb: -65 });
const prepare = (signal: Float32Array) => prepareUtterance(signal, extractor, DEFAULT_UTTERANCE_CONFIG);
// A quiet room under the syllables (45 dB down), as in any recording: pauses that are digital zero would sit
// on the extractor's noise floor, whose distance below the speech no front end can make level-invariant.
const speech = mix(speechLike(2.5).signal, whiteNoise(2.5, -75, 7));
const scaled = (signal: Float32Array, db: number) => signal.map((x) => x * dbfs(db));
/** Largest absolute difference between two prepared matrices of the same shape. */
const maxDifference = (a: { data: Float32Array }, b: { data: Float32Array }) => {
  expect(a.data.length).toBe(b.data.length);
  return Math.max(...a.data.map((value, i) => Math.abs(value - b.data[i])));
};
/** Per column: mean and standard deviation over the rows, end to end (what a pooling model summarises). */
const profile = ({ data, frames, dims }: { data: Float32Array; frames: number; dims: number }) => {
  const out: number[] = [];
  for (let d = 0; d < dims; d++) {
    const column = Array.from({ length: frames }, (_, t) => data[t * dims + d]);
    const mean = column.reduce((sum, x) => sum + x, 0) / frames;
    out.push(mean, Math.sqrt(column.reduce((sum, x) => sum + (x - mean) ** 2, 0) / frames));
  }
  return out;
};
const profileDifference = (a: Parameters<typeof profile>[0], b: Parameters<typeof profile>[0]) => {
  const [pa, pb] = [profile(a), profile(b)];
  return Math.max(...pa.map((value, i) => Math.abs(value - pb[i])));
};
/** The signal scaled to a sample peak of `db` dBFS. */
const atPeak = (signal: Float32Array, db: number) => {
  const peak = Math.max(...signal.map(Math.abs));
  return signal.map((x) => (x / peak) * dbfs(db));
};

describe('prepareUtterance', () => {
  it('standardises each column over the speech frames', () => {
    const prepared = prepare(speech);
    expect(prepared.speechFrames).toBeGreaterThan(50);
    expect(prepared.dims).toBe(40);
    const column = Array.from({ length: prepared.frames }, (_, t) => prepared.data[t * 40 + 10]);
    // Over all kept frames (speech plus the pauses between syllables) the mean is below the speech mean.
    expect(Math.max(...column)).toBeGreaterThan(0.5);
    expect(Math.min(...column)).toBeLessThan(-0.5);
  });

  it.each([-40, -20])(
    'gives nearly the same features at %d dBFS peak as at 0 dBFS (16-bit, dithered)',
    (db) => {
      const reference = prepare(to16Bit(atPeak(speech, -0.1), 1));
      const quieter = prepare(to16Bit(atPeak(speech, db), 1));
      expect(Math.abs(quieter.frames - reference.frames)).toBeLessThanOrEqual(4);
      // 16-bit dither is 58 dB under the peak at −40 dBFS: it shows in the bands the signal leaves empty.
      expect(profileDifference(quieter, reference)).toBeLessThan(0.15);
    },
  );

  it('gives exactly the same features at any gain without quantisation', () => {
    const reference = prepare(speech);
    expect(maxDifference(prepare(scaled(speech, -15)), reference)).toBeLessThan(1e-3);
  });

  it('ignores a DC offset and a tilted spectrum (−3 dB at 0 Hz, +2.3 dB at 8 kHz)', () => {
    const reference = prepare(speech);
    const offset = prepare(speech.map((x) => x + 0.1));
    expect(Math.abs(offset.frames - reference.frames)).toBeLessThanOrEqual(2);
    expect(profileDifference(offset, reference)).toBeLessThan(0.05);
    const tilted = prepare(speech.map((x, i) => x - 0.3 * (i > 0 ? speech[i - 1] : 0)));
    expect(Math.abs(tilted.frames - reference.frames)).toBeLessThanOrEqual(2);
    expect(profileDifference(tilted, reference)).toBeLessThan(0.15);
  });

  it("with centre 'overall', is level-invariant but keeps a tilted spectrum", () => {
    const overall = (signal: Float32Array) =>
      prepareUtterance(signal, extractor, { ...DEFAULT_UTTERANCE_CONFIG, centre: 'overall' });
    const reference = overall(speech);
    expect(maxDifference(overall(scaled(speech, -15)), reference)).toBeLessThan(1e-3);
    // A first difference lifts the top bands against the bottom ones: their means move apart.
    const tilted = overall(speech.map((x, i) => x - 0.9 * (i > 0 ? speech[i - 1] : 0)));
    const bandMean = (prepared: typeof reference, band: number) => {
      let sum = 0;
      for (let t = 0; t < prepared.frames; t++) sum += prepared.data[t * prepared.dims + band];
      return sum / prepared.frames;
    };
    const spread = (prepared: typeof reference) => bandMean(prepared, 35) - bandMean(prepared, 2);
    expect(spread(tilted) - spread(reference)).toBeGreaterThan(0.5);
  });

  it('rejects an unknown centre or spread', () => {
    expect(() =>
      prepareUtterance(speech, extractor, { ...DEFAULT_UTTERANCE_CONFIG, centre: 'median' as 'overall' }),
    ).toThrow(/expected centre per-band or overall, got median/);
    expect(() =>
      prepareUtterance(speech, extractor, { ...DEFAULT_UTTERANCE_CONFIG, spread: 'none' as 'utterance' }),
    ).toThrow(/expected spread utterance or training-set, got none/);
  });

  it('ignores leading and trailing silence of any length, digital or dithered', () => {
    const reference = prepare(speech);
    // Whole hops of silence keep the frame grid: the same features to rounding.
    for (const [before, after] of [
      [32, 0],
      [0, 100],
      [125, 20],
    ]) {
      const padded = prepare(concat(silence((before * 256) / RATE), speech, silence((after * 256) / RATE)));
      expect(padded.frames).toBe(reference.frames);
      expect(maxDifference(padded, reference)).toBeLessThan(1e-3);
    }
    // Any other length moves the frame grid by a fraction of a hop, which moves a few frames' values.
    for (const [before, after] of [
      [0.5, 0],
      [0, 1.3],
      [1.7, 0.3],
    ]) {
      const padded = prepare(concat(silence(before), speech, silence(after)));
      expect(Math.abs(padded.frames - reference.frames)).toBeLessThanOrEqual(1);
      expect(profileDifference(padded, reference)).toBeLessThan(0.15);
    }
    const dithered = prepare(to16Bit(concat(silence(1), speech, silence(1)), 3));
    expect(Math.abs(dithered.frames - reference.frames)).toBeLessThanOrEqual(2);
    expect(profileDifference(dithered, reference)).toBeLessThan(0.15);
  });

  it('keeps a margin of frames around the speech', () => {
    const prepared = prepare(concat(silence(1), speech));
    // The speech starts 1.1 s in (speechLike leads with 0.1 s); 0.1 s margin ≈ 6 frames of 16 ms.
    expect(prepared.firstFrame * 256).toBeGreaterThan(0.9 * RATE);
    expect(prepared.firstFrame * 256).toBeLessThan(1.1 * RATE);
  });

  it('counts every frame of steady noise, and stays finite on digital silence', () => {
    const noise = prepare(whiteNoise(1, -30));
    expect(noise.frames).toBe(extractor.frameCount(RATE));
    expect(noise.speechFrames).toBe(noise.frames);
    const quiet = prepare(silence(1));
    expect(quiet.data.every(Number.isFinite)).toBe(true);
  });
});

describe('prepareUtterance with pitch columns', () => {
  const withPitch = createFeatureExtractor('logmel40+pitch', { fmin: 60, fmax: 7000, noiseFloorDb: -65 });

  it('centres and scales the 40 bands only, so f0 stays in semitones re 100 Hz at any gain', () => {
    expect(withPitch.spectralDims).toBe(40);
    expect(extractor.spectralDims).toBe(40);
    const vowel = vowelLike(1.5, 200);
    const [loud, quiet] = [0, -40].map((db) =>
      prepareUtterance(atPeak(vowel, db), withPitch, DEFAULT_UTTERANCE_CONFIG),
    );
    const f0 = (prepared: typeof loud) =>
      Array.from({ length: prepared.frames }, (_, t) => prepared.data[t * 42 + 40]);
    // 200 Hz is 12 semitones above 100 Hz.
    for (const semitones of f0(loud).slice(5, -5)) expect(semitones).toBeCloseTo(12, 0);
    expect(maxDifference(loud, quiet)).toBeLessThan(0.05);
    const bands = prepareUtterance(vowel, extractor, DEFAULT_UTTERANCE_CONFIG);
    for (let t = 0; t < loud.frames; t++) {
      for (let d = 0; d < 40; d++) expect(loud.data[t * 42 + d]).toBeCloseTo(bands.data[t * 40 + d], 4);
    }
  });

  it("with pitch 'clip-relative', gives f0 in semitones from the clip's mean, so a voice an octave up reads the same", () => {
    const relative = { ...DEFAULT_UTTERANCE_CONFIG, pitch: 'clip-relative' as const };
    const glide = (from: number) => (t: number) => from * 2 ** (t / 1.5 / 2);
    const [low, high] = [100, 200].map((hz) =>
      prepareUtterance(vowelLike(1.5, glide(hz)), withPitch, relative),
    );
    const f0 = (prepared: typeof low) =>
      Array.from({ length: prepared.frames }, (_, t) => prepared.data[t * 42 + 40]).slice(5, -5);
    // Half an octave's glide around a mean of 0, the same for both voices.
    expect(Math.abs(f0(low).reduce((sum, x) => sum + x, 0) / f0(low).length)).toBeLessThan(0.5);
    expect(Math.max(...f0(low)) - Math.min(...f0(low))).toBeGreaterThan(4);
    expect(f0(low)).toEqual(f0(high).map((value) => expect.closeTo(value, 0)));
    expect(() =>
      prepareUtterance(vowelLike(1, 200), withPitch, {
        ...DEFAULT_UTTERANCE_CONFIG,
        pitch: 'centred' as 'absolute',
      }),
    ).toThrow('expected pitch absolute or clip-relative, got centred');
    expect(() => prepareUtterance(vowelLike(1, 200), extractor, relative)).toThrow(
      "expected a feature set with an f0 column for pitch 'clip-relative', got logmel40",
    );
  });
});

describe('standardiseOver', () => {
  it('centres each column over the marked rows and divides all by their pooled spread', () => {
    // Column 0: 1, 3, 5, (100 unmarked) → mean 3, variance 8/3; column 1: constant 5 → variance 0.
    const matrix = { data: Float32Array.from([1, 5, 3, 5, 5, 5, 100, 5]), frames: 4, dims: 2 };
    const out = standardiseOver(matrix, Uint8Array.of(1, 1, 1, 0));
    const scale = 1 / Math.sqrt(8 / 3 / 2);
    expect(out.data[0]).toBeCloseTo(-2 * scale, 5);
    expect(out.data[6]).toBeCloseTo(97 * scale, 4);
    expect([...out.data.filter((_, i) => i % 2 === 1)]).toEqual([0, 0, 0, 0]);
  });

  it("with centre 'overall', subtracts one mean over all columns and keeps their differences", () => {
    // Column means 3 and 5 → overall mean 4; the pooled spread is the same as per band.
    const matrix = { data: Float32Array.from([1, 5, 3, 5, 5, 5, 100, 5]), frames: 4, dims: 2 };
    const out = standardiseOver(matrix, Uint8Array.of(1, 1, 1, 0), 'overall');
    const scale = 1 / Math.sqrt(8 / 3 / 2);
    expect(out.data[0]).toBeCloseTo(-3 * scale, 5);
    expect([...out.data.filter((_, i) => i % 2 === 1)].map((x) => x / scale)).toEqual(
      Array(4).fill(expect.closeTo(1, 5)),
    );
  });

  it("with spread 'training-set', centres without dividing, so a clip keeps its swing in dB", () => {
    const matrix = { data: Float32Array.from([1, 5, 3, 5, 5, 5, 100, 5]), frames: 4, dims: 2 };
    const out = standardiseOver(matrix, Uint8Array.of(1, 1, 1, 0), 'overall', 'training-set');
    expect([...out.data]).toEqual([-3, 1, -1, 1, 1, 1, 96, 1]);
  });

  it('standardises only the first `columns` columns and copies the rest', () => {
    // Column 2 (a pitch column) is left as it is; columns 0 and 1 come out as in the two-column case above.
    const matrix = { data: Float32Array.from([1, 5, 7, 3, 5, 8, 5, 5, 9, 100, 5, 10]), frames: 4, dims: 3 };
    const out = standardiseOver(matrix, Uint8Array.of(1, 1, 1, 0), 'per-band', 'utterance', 2);
    const twoColumns = standardiseOver(
      { data: Float32Array.from([1, 5, 3, 5, 5, 5, 100, 5]), frames: 4, dims: 2 },
      Uint8Array.of(1, 1, 1, 0),
    );
    expect(out.dims).toBe(3);
    expect([...out.data.filter((_, i) => i % 3 === 2)]).toEqual([7, 8, 9, 10]);
    expect([...out.data.filter((_, i) => i % 3 !== 2)]).toEqual([...twoColumns.data]);
    expect(() => standardiseOver(matrix, new Uint8Array(4), 'per-band', 'utterance', 4)).toThrow(
      'expected columns in 0–3, got 4',
    );
  });

  it('stays finite on a constant matrix', () => {
    const out = standardiseOver({ data: new Float32Array(6).fill(3), frames: 3, dims: 2 }, new Uint8Array(3));
    expect([...out.data]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('speechBounds', () => {
  it('cuts to the marked rows plus a margin, or keeps all rows when none is marked', () => {
    expect(speechBounds(Uint8Array.of(0, 0, 0, 1, 0, 1, 0, 0, 0, 0), 2)).toEqual({ first: 1, end: 8 });
    expect(speechBounds(Uint8Array.of(1, 0, 0), 5)).toEqual({ first: 0, end: 3 });
    expect(speechBounds(new Uint8Array(4), 1)).toEqual({ first: 0, end: 4 });
  });
});

describe('clipFeatures', () => {
  it('is the plain extractor without an utterance config', () => {
    const plain = clipFeatures(speech, extractor, null);
    expect(plain.data).toEqual(extractor.extract(speech).data);
    expect(plain.firstFrame).toBe(0);
  });
});
