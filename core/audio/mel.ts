// Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above.
const LINEAR_HZ_PER_MEL = 200 / 3;
const LOG_START_HZ = 1000;
const LOG_START_MEL = LOG_START_HZ / LINEAR_HZ_PER_MEL;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → mel on the Slaney scale (librosa `hz_to_mel`, htk=False). */
export function hzToMel(hz: number): number {
  return hz >= LOG_START_HZ ? LOG_START_MEL + Math.log(hz / LOG_START_HZ) / LOG_STEP : hz / LINEAR_HZ_PER_MEL;
}

/** Mel → Hz on the Slaney scale (librosa `mel_to_hz`, htk=False). */
export function melToHz(mel: number): number {
  return mel >= LOG_START_MEL
    ? LOG_START_HZ * Math.exp(LOG_STEP * (mel - LOG_START_MEL))
    : mel * LINEAR_HZ_PER_MEL;
}

/** Smallest power `powerToDb` distinguishes (librosa's default `amin`). */
export const POWER_DB_AMIN = 1e-10;

/** Power → dB re 1.0: 10·log10(max(amin, power)) (librosa `power_to_db` with ref 1 and top_db None). */
export function powerToDb(power: number, amin = POWER_DB_AMIN): number {
  return 10 * tableLog10(Math.max(power, amin));
}

// log10 by table: Math.log10 costs ~25 ns here and runs 50+ times per frame (the wasm frame-feature kernels sum a
// series instead, two values per vector: core/kernels/assembly/spectrum.ts). x = m·2^e with m in [1, 2):
// log10 x = e·log10 2 + log10 m, with log10 m interpolated linearly in a 1024-step table (error < 1e-6 dB).
const MANTISSA_STEPS = 1024;
const LOG10_MANTISSA = Float64Array.from({ length: MANTISSA_STEPS + 1 }, (_, i) =>
  Math.log10(1 + i / MANTISSA_STEPS),
);
const INVERSE_POWER_OF_TWO = Float64Array.from({ length: 2048 }, (_, biased) => 2 ** (1023 - biased));
const LOG10_2 = Math.log10(2);
const bitsFloat = new Float64Array(1);
const bitsWords = new Uint32Array(bitsFloat.buffer);
const HIGH_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

function tableLog10(x: number): number {
  // Zero, subnormals, infinities and NaN (never produced above amin, but stay exact if they come).
  if (!(x >= 2.2250738585072014e-308 && x < Number.POSITIVE_INFINITY)) return Math.log10(x);
  bitsFloat[0] = x;
  const biased = (bitsWords[HIGH_WORD] >>> 20) & 0x7ff;
  const position = (x * INVERSE_POWER_OF_TWO[biased] - 1) * MANTISSA_STEPS;
  const i = position | 0;
  const low = LOG10_MANTISSA[i];
  return (biased - 1023) * LOG10_2 + low + (position - i) * (LOG10_MANTISSA[i + 1] - low);
}

export interface MelFilterbankOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fmin: number;
  fmax: number;
}

/**
 * Triangular mel filters with Slaney area normalisation (librosa `filters.mel`, norm='slaney'). spectrogram.ts
 * applies them to whole clips; the wasm frame-feature kernels copy each filter's non-zero weights (starts, ends).
 */
export interface MelFilterbank {
  readonly nMels: number;
  readonly bins: number;
  /** Dense weights, [nMels × bins] row-major. */
  readonly weights: Float64Array;
  /** Filter m's non-zero weights are bins starts[m] … ends[m] − 1 (none when the two are equal). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Writes the mel-band energies of a one-sided spectrum (length `bins`) into `out` (length `nMels`). */
  apply(spectrum: Float64Array, out: Float64Array): void;
}

export function createMelFilterbank({
  sampleRate,
  nFft,
  nMels,
  fmin,
  fmax,
}: MelFilterbankOptions): MelFilterbank {
  if (!Number.isInteger(nMels) || nMels < 1) {
    throw new RangeError(`mel: expected nMels to be a positive integer, got ${nMels}`);
  }
  if (!(fmin >= 0 && fmin < fmax && fmax <= sampleRate / 2)) {
    throw new RangeError(
      `mel: expected 0 ≤ fmin < fmax ≤ ${sampleRate / 2} Hz, got fmin ${fmin}, fmax ${fmax}`,
    );
  }
  const bins = nFft / 2 + 1;
  // nMels + 2 edges equally spaced in mel: filter m rises from edge m to m+1 and falls to m+2.
  const edges = new Float64Array(nMels + 2);
  const melMin = hzToMel(fmin);
  const melMax = hzToMel(fmax);
  for (let i = 0; i < edges.length; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1));

  const weights = new Float64Array(nMels * bins);
  const starts = new Int32Array(nMels);
  const ends = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const [left, centre, right] = [edges[m], edges[m + 1], edges[m + 2]];
    const areaNorm = 2 / (right - left);
    starts[m] = bins;
    for (let k = 0; k < bins; k++) {
      const hz = (k * sampleRate) / nFft;
      const rising = (hz - left) / (centre - left);
      const falling = (right - hz) / (right - centre);
      const w = Math.max(0, Math.min(rising, falling)) * areaNorm;
      weights[m * bins + k] = w;
      if (w > 0) {
        if (starts[m] === bins) starts[m] = k;
        ends[m] = k + 1;
      }
    }
    // A filter narrower than a bin has no weights: an empty range, not bins … 0.
    if (starts[m] === bins) starts[m] = 0;
  }

  return {
    nMels,
    bins,
    weights,
    starts,
    ends,
    apply(spectrum, out) {
      for (let m = 0; m < nMels; m++) {
        const row = m * bins;
        let sum = 0;
        for (let k = starts[m]; k < ends[m]; k++) sum += weights[row + k] * spectrum[k];
        out[m] = sum;
      }
    },
  };
}
