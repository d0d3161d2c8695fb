/**
 * The resampler's filters, designed once per rate pair (resample.ts runs them): half-band stages while the rate
 * halves towards the target, then one Kaiser-windowed-sinc kernel for the sharp transition. The trade-offs are
 * measured in resample.ts's comment.
 */

/** Stopband attenuation the sharp kernels are designed for, in dB. */
const STOPBAND_DB = 65;

/**
 * Half-band filters have equal ripple in passband and stopband, spread across the whole band because they
 * are short, so their passband error adds straight to the output. More attenuation keeps it out of the way.
 */
const HALF_BAND_STOPBAND_DB = 80;

/**
 * Width of the transition band as a fraction of the lower rate, centred on its Nyquist frequency: for a 16 kHz
 * side the passband ends at 7.2 kHz and the stopband starts at 8.8 kHz. Content between 8 and 8.8 kHz may alias
 * into 7.2–8 kHz, but nothing aliases below 7.2 kHz.
 */
const TRANSITION_FRACTION = 0.1;

/** Exact polyphase tables are kept up to this many coefficients; larger ones interpolate between phases. */
const MAX_EXACT_TABLE = 1 << 17;

/** Phases in an interpolated table. Linear interpolation between them errs by about 1.2 / PHASES² (−94 dB). */
export const INTERPOLATED_PHASES = 256;

/** Narrowest transition (cycles per sample) for a half-band stage before the last one; narrower costs more. */
const MIN_HALF_BAND_TRANSITION = 0.05;

const CACHE_SIZE = 8;

/**
 * The sharp filter from one rate to the target, in lowest terms: `up` output samples per `down` input samples.
 * Output n sits at input position n · down / up = index + phase / up.
 * - `symmetric` (up ≤ 2): the only phases are 0 and ½, whose taps are symmetric. Each pair of mirrored input
 *   samples is added before the multiply, which halves the work.
 * - `phases`: one row of taps per exact phase.
 * - `interpolated`: when exact rows would be too many, rows on a fixed grid of phases, linearly interpolated.
 */
export type SharpKernel =
  | { kind: 'symmetric'; up: number; down: number; centre: number; pairs: number; rows: Float32Array }
  | {
      kind: 'phases' | 'interpolated';
      up: number;
      down: number;
      reach: number;
      taps: number;
      rows: Float32Array;
    };

/**
 * Halve the rate with these half-band filters first (odd taps, as {@link designHalfBand} returns them), then
 * apply `kernel` (absent when already at the target). A plan is designed once per rate pair and then reused
 * as the same object, so accelerated kernels can key their copies of its tables on it.
 */
export interface ResamplePlan {
  halfBands: Float32Array[];
  kernel: SharpKernel | undefined;
}

const plans = new Map<string, ResamplePlan>();

/** The plan from one rate to another, designed once per pair and then reused. */
export function planFor(fromRate: number, toRate: number): ResamplePlan {
  const key = `${fromRate}:${toRate}`;
  let plan = plans.get(key);
  if (plan) {
    plans.delete(key); // Re-inserted below as the most recently used.
  } else {
    plan = designPlan(fromRate, toRate);
    if (plans.size >= CACHE_SIZE) plans.delete(plans.keys().next().value as string);
  }
  plans.set(key, plan);
  return plan;
}

/**
 * Halves the rate with cheap half-band filters while that stays worthwhile, then does the rest (the sharp
 * transition around the target's Nyquist) with one kernel at the lowest rate.
 */
function designPlan(fromRate: number, toRate: number): ResamplePlan {
  const halfBands: Float32Array[] = [];
  let rate = fromRate;
  while (rate % 2 === 0 && rate / 2 >= toRate) {
    const last = rate / 2 === toRate;
    // A half-band response is symmetric about rate / 4, so its protected edge fixes its transition:
    // - the last stage is the whole anti-alias filter, so it keeps 0.45 · toRate like a single kernel would;
    // - an earlier stage must keep everything that folds out of 0 … 0.55 · toRate (the final stopband edge)
    //   so that no alias lands where later stages would pass it, even partially.
    const protectedEdge = ((last ? 1 - TRANSITION_FRACTION : 1 + TRANSITION_FRACTION) / 2) * toRate;
    const transition = 0.5 - (2 * protectedEdge) / rate;
    if (!last && transition < MIN_HALF_BAND_TRANSITION) break;
    halfBands.push(designHalfBand(transition));
    rate /= 2;
  }
  return { halfBands, kernel: rate === toRate ? undefined : designKernel(rate, toRate) };
}

/**
 * Odd taps (offsets 1, 3, 5, …; the centre tap is ½) of a Kaiser-windowed half-band filter whose transition,
 * in cycles per input sample, is centred on a quarter of the rate, with `decibels` (≥ 50) of stopband.
 */
export function designHalfBand(transition: number, decibels = HALF_BAND_STOPBAND_DB): Float32Array {
  const halfLength = kaiserHalfLength(transition, decibels);
  const beta = kaiserBeta(decibels);
  const pairs = Math.ceil((halfLength - 1) / 2);
  const coefficients = new Float32Array(pairs);
  for (let j = 0; j < pairs; j++) coefficients[j] = impulse(2 * j + 1, 0.25, halfLength, beta);
  return coefficients;
}

function designKernel(fromRate: number, toRate: number): SharpKernel {
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  const down = fromRate / divisor;
  // In input samples: cutoff and transition in cycles per input sample.
  const lowerRate = Math.min(fromRate, toRate);
  const cutoff = lowerRate / (2 * fromRate);
  const halfLength = kaiserHalfLength((TRANSITION_FRACTION * lowerRate) / fromRate, STOPBAND_DB);
  const beta = kaiserBeta(STOPBAND_DB);

  if (up <= 2) {
    // Row 0 holds taps at offsets ±1, ±2, …; row 1 (phase ½) at ±½, ±1½, …
    const pairs = Math.ceil(halfLength - 0.5);
    const rows = new Float32Array(2 * pairs);
    for (let m = 0; m < pairs; m++) {
      rows[m] = impulse(m + 1, cutoff, halfLength, beta);
      rows[pairs + m] = impulse(m + 0.5, cutoff, halfLength, beta);
    }
    return { kind: 'symmetric', up, down, centre: impulse(0, cutoff, halfLength, beta), pairs, rows };
  }

  const reach = Math.ceil(halfLength);
  const taps = Math.ceil((2 * reach) / 4) * 4;
  const interpolated = up * taps > MAX_EXACT_TABLE;
  const phases = interpolated ? INTERPOLATED_PHASES : up;
  // An interpolated table carries one extra row (position 1) so every position has a row on each side.
  const rowCount = interpolated ? INTERPOLATED_PHASES + 1 : up;
  const rows = new Float32Array(rowCount * taps);
  for (let r = 0; r < rowCount; r++) {
    // Tap k multiplies the input sample at offset k - (reach - 1) from the integer position.
    for (let k = 0; k < 2 * reach; k++)
      rows[r * taps + k] = impulse(r / phases - (k - (reach - 1)), cutoff, halfLength, beta);
  }
  return { kind: interpolated ? 'interpolated' : 'phases', up, down, reach, taps, rows };
}

/** The windowed-sinc low-pass impulse response at `t` input samples, for a cutoff in cycles per sample. */
function impulse(t: number, cutoff: number, halfLength: number, beta: number): number {
  const ratio = t / halfLength;
  if (Math.abs(ratio) >= 1) return 0;
  const window = besselI0(beta * Math.sqrt(1 - ratio * ratio)) / besselI0(beta);
  return 2 * cutoff * sinc(2 * cutoff * t) * window;
}

/** Kaiser's formula: window half-length (in samples) for `decibels` over `transition` cycles per sample. */
function kaiserHalfLength(transition: number, decibels: number): number {
  return (decibels - 7.95) / (2 * 14.36 * transition);
}

/** Kaiser's formula: window shape parameter for a stopband attenuation of `decibels` (> 50 dB). */
function kaiserBeta(decibels: number): number {
  return 0.1102 * (decibels - 8.7);
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const angle = Math.PI * x;
  return Math.sin(angle) / angle;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; term > sum * 1e-12; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Input samples on either side of an output's position that its value can depend on, at most. */
function planReach(plan: ResamplePlan): number {
  let reach = 0;
  let scale = 1;
  for (const coefficients of plan.halfBands) {
    reach += (2 * coefficients.length + 2) * scale;
    scale *= 2;
  }
  const { kernel } = plan;
  if (kernel?.kind === 'symmetric') reach += (kernel.pairs + kernel.down + 2) * scale;
  else if (kernel) reach += (kernel.taps + kernel.reach + Math.ceil(kernel.down / kernel.up) + 2) * scale;
  return reach;
}

/**
 * How a plan's work can be cut into pieces with the same outputs as one call: pieces start on a multiple of
 * `period` input samples (after which the half-band stages and the sharp kernel's phases repeat; each period
 * gives `outputsPerPeriod` outputs) and reach `margin` input samples (a multiple of the period, at least the
 * filters' span) past both ends of their own outputs.
 */
export function pieceGeometry(plan: ResamplePlan): {
  period: number;
  outputsPerPeriod: number;
  margin: number;
} {
  const period = 2 ** plan.halfBands.length * (plan.kernel?.down ?? 1);
  return {
    period,
    outputsPerPeriod: plan.kernel?.up ?? 1,
    margin: Math.ceil(planReach(plan) / period) * period,
  };
}
