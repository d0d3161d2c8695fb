/**
 * The pitch tracker's front (pitch.ts): the signal halved with half-band filters while fmax keeps at least
 * MIN_SAMPLES_PER_PERIOD samples per period, then high-passed at fmin / 2. Buffers are made once per decimator
 * and grown to the longest signal seen.
 */
import { designHalfBand } from './resample-design.ts';

/** Halving stops before fmax would have fewer samples per period than this: the parabola needs the detail. */
export const MIN_SAMPLES_PER_PERIOD = 16;
/** Fraction of the analysis rate whose band is used: 3/8 (3 kHz at 8 kHz), six harmonics of fmax. */
export const KEPT_BAND = 3 / 8;
const HALF_BAND_STOPBAND_DB = 50;

/** One halving: its filter's odd taps, and the share of white noise's power it keeps. */
interface HalfBand {
  taps: Float64Array;
  noiseGain: number;
}

function halfBandFor(transition: number): HalfBand {
  const taps = Float64Array.from(designHalfBand(transition, HALF_BAND_STOPBAND_DB));
  // ¼ from the centre tap (½), 2h² from each pair.
  let noiseGain = 0.25;
  for (const tap of taps) noiseGain += 2 * tap * tap;
  return { taps, noiseGain };
}

/**
 * Low-passes `source` with a half-band filter (odd taps `taps`, centre ½) and keeps every other sample:
 * dst[margin + m] from source around margin + 2m, for m < halved. Four outputs per pass, each with its own
 * running sum: one sum would wait on floating-point add latency at every tap.
 */
function halve(
  source: Float64Array,
  dst: Float64Array,
  taps: Float64Array,
  margin: number,
  halved: number,
): void {
  const pairs = taps.length;
  for (let m = 0; m < halved; m += 4) {
    const c = margin + 2 * m;
    let s0 = 0.5 * source[c];
    let s1 = 0.5 * source[c + 2];
    let s2 = 0.5 * source[c + 4];
    let s3 = 0.5 * source[c + 6];
    for (let j = 0; j < pairs; j++) {
      const tap = taps[j];
      const left = c - 2 * j - 1;
      const right = c + 2 * j + 1;
      s0 += tap * (source[left] + source[right]);
      s1 += tap * (source[left + 2] + source[right + 2]);
      s2 += tap * (source[left + 4] + source[right + 4]);
      s3 += tap * (source[left + 6] + source[right + 6]);
    }
    dst[margin + m] = s0;
    dst[margin + m + 1] = s1;
    dst[margin + m + 2] = s2;
    dst[margin + m + 3] = s3;
  }
}

export interface PitchDecimator {
  /** Rate in Hz after halving. */
  readonly rate: number;
  /** Input samples per output sample. */
  readonly factor: number;
  /** Variance that white noise at `noiseFloorDb` keeps through the halvings and the high-pass (0 without one). */
  readonly floorVariance: number;
  /** Zeros each side of the output, so the frame loop needs no bounds checks. */
  readonly margin: number;
  /**
   * `signal` low-passed, halved and high-passed: the analysed signal is data[margin … margin + length). The
   * buffer is reused by the next call.
   */
  decimate(signal: Float32Array): { data: Float64Array; length: number };
}

export function createPitchDecimator(options: {
  sampleRate: number;
  fmin: number;
  fmax: number;
  noiseFloorDb: number | null;
}): PitchDecimator {
  const { sampleRate, fmin, fmax, noiseFloorDb } = options;
  let rate = sampleRate;
  while (rate / 2 >= MIN_SAMPLES_PER_PERIOD * fmax) rate /= 2;
  // Each halving must pass the kept band and stop whatever it would alias into it: with output rate r, pass
  // to B = KEPT_BAND·rate and stop from r − B, a transition centred on r / 2 as a half-band's is. Only the
  // last halving needs a narrow one (from 3/8 to 5/8 of its rate); earlier ones are a few taps.
  const halvings: HalfBand[] = [];
  for (let output = sampleRate / 2; output >= rate; output /= 2) {
    halvings.push(halfBandFor(0.5 - (KEPT_BAND * rate) / output));
  }
  // The high-pass cuts at fmin / 2: drift and rumble go, the search range passes within 1 dB.
  const pole = 1 - (Math.PI * fmin) / rate;
  // White noise keeps 2 / (1 + pole) of its power through the high-pass.
  let floorVariance = noiseFloorDb === null ? 0 : (10 ** (noiseFloorDb / 10) * 2) / (1 + pole);
  for (const { noiseGain } of halvings) floorVariance *= noiseGain;
  // Room for the widest filter and for `halve` running up to three outputs past the end.
  const margin = 2 * Math.max(0, ...halvings.map(({ taps }) => taps.length)) + 8;
  // Two signal buffers for the halvings, grown to the longest signal seen; their margins stay zero.
  let input = new Float64Array(0);
  let output = new Float64Array(0);

  return {
    rate,
    factor: Math.round(sampleRate / rate),
    floorVariance,
    margin,
    decimate(signal) {
      const needed = signal.length + 2 * margin + 1;
      if (input.length < needed) {
        input = new Float64Array(needed);
        output = new Float64Array(needed);
      }
      let data = input;
      let next = output;
      let length = signal.length;
      data.set(signal, margin);
      data.fill(0, margin + length, 2 * margin + length + 1);
      for (const { taps } of halvings) {
        const halved = Math.ceil(length / 2);
        halve(data, next, taps, margin, halved);
        next.fill(0, margin + halved, 2 * margin + halved + 1);
        [data, next] = [next, data];
        length = halved;
      }
      // High-pass (one pole and a zero at DC) instead of Praat's per-frame mean: a frame's mean is pulled by
      // a loud edge, and the offset left over the quiet rest correlates at every lag like a strong voice.
      let previous = 0;
      let filtered = 0;
      for (let i = margin; i < margin + length; i++) {
        const x = data[i];
        filtered = x - previous + pole * filtered;
        previous = x;
        data[i] = filtered;
      }
      return { data, length };
    },
  };
}
