/**
 * Waveform augmentation: the recording conditions a served model meets and a studio corpus lacks. Each
 * augmented copy of a clip is the clip through, in order: a speed change (tempo and pitch together, as a tape
 * played faster), reverberation from a synthetic room, a random low-pass (telephone to wide band), additive
 * noise at a random SNR, and a random gain. Every choice comes from the generator it is given, so a copy is a
 * function of the clip, the run's seed and the copy's number.
 */
import FFT from 'fft.js';
import { resample } from '../../core/audio/resample.ts';
import type { WaveformAugmentation } from '../../core/contracts/waveform-augmentation.ts';
import type { Random } from '../random.ts';

const uniform = (random: Random, [low, high]: readonly [number, number]) =>
  low + (high - low) * random.next();

function rms(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i] * signal[i];
  return Math.sqrt(sum / Math.max(signal.length, 1));
}

/** Plays the signal `speed` times faster: it is read as if recorded at rate·speed and resampled to rate. */
export function changeSpeed(signal: Float32Array, sampleRate: number, speed: number): Float32Array {
  if (speed === 1) return signal.slice();
  // Whole hundreds of hertz keep the resampler's exact polyphase tables small.
  const playedAt = Math.round((sampleRate * speed) / 100) * 100;
  return resample(signal, playedAt, sampleRate);
}

/** A room impulse response: a direct path, then exponentially decaying Gaussian noise (−60 dB at rt60). */
export function syntheticRoom(sampleRate: number, rt60: number, random: Random): Float32Array {
  const length = Math.max(2, Math.round(rt60 * sampleRate));
  const response = new Float32Array(length);
  const decay = Math.log(1000) / (rt60 * sampleRate);
  // Reflections start a few milliseconds after the direct sound and carry about as much energy as it does.
  const firstReflection = Math.round(0.003 * sampleRate);
  let energy = 0;
  for (let i = firstReflection; i < length; i++) {
    response[i] = random.normal() * Math.exp(-decay * i);
    energy += response[i] * response[i];
  }
  const scale = 1 / Math.sqrt(Math.max(energy, 1e-12));
  for (let i = firstReflection; i < length; i++) response[i] *= scale;
  response[0] = 1;
  return response;
}

/** Linear convolution through the FFT, cut to the signal's length (the tail past its end is dropped). */
export function convolve(signal: Float32Array, response: Float32Array): Float32Array {
  let size = 1;
  while (size < signal.length + response.length - 1) size *= 2;
  size = Math.max(size, 4);
  const fft = new FFT(size);
  const spectrum = (values: Float32Array) => {
    const input = fft.createComplexArray() as number[];
    for (let i = 0; i < values.length; i++) input[2 * i] = values[i];
    const out = fft.createComplexArray() as number[];
    fft.transform(out, input);
    return out;
  };
  const a = spectrum(signal);
  const b = spectrum(response);
  const product = fft.createComplexArray() as number[];
  for (let k = 0; k < size; k++) {
    const [ar, ai, br, bi] = [a[2 * k], a[2 * k + 1], b[2 * k], b[2 * k + 1]];
    product[2 * k] = ar * br - ai * bi;
    product[2 * k + 1] = ar * bi + ai * br;
  }
  const result = fft.createComplexArray() as number[];
  fft.inverseTransform(result, product);
  const out = new Float32Array(signal.length);
  for (let i = 0; i < out.length; i++) out[i] = result[2 * i];
  return out;
}

/** 4th-order Butterworth low-pass: two biquads (Q 0.541 and 1.307), causal, float64 state. */
export function lowPass(signal: Float32Array, sampleRate: number, cutoffHz: number): Float32Array {
  if (!(cutoffHz > 0 && cutoffHz < sampleRate / 2)) {
    throw new RangeError(`low-pass: expected a cut-off in (0, ${sampleRate / 2}) Hz, got ${cutoffHz}`);
  }
  let current = Float64Array.from(signal);
  for (const q of [0.5411961, 1.306563]) {
    const w = (2 * Math.PI * cutoffHz) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    const b0 = (1 - cos) / 2 / a0;
    const b1 = (1 - cos) / a0;
    const a1 = (-2 * cos) / a0;
    const a2 = (1 - alpha) / a0;
    const next = new Float64Array(current.length);
    let [x1, x2, y1, y2] = [0, 0, 0, 0];
    for (let i = 0; i < current.length; i++) {
      const x = current[i];
      const y = b0 * x + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
      [x2, x1, y2, y1] = [x1, x, y1, y];
      next[i] = y;
    }
    current = next;
  }
  return Float32Array.from(current);
}

/** Where sox's `bass` and `treble` put their shelves by default, in Hz, and their slope. */
const BASS_SHELF_HZ = 100;
const TREBLE_SHELF_HZ = 3000;
const SHELF_SLOPE = 0.5;

/**
 * A shelving biquad (RBJ's cookbook, as sox's `bass` and `treble`): `gainDb` below (`low`) or above (`high`)
 * `frequencyHz`, unity on the other side; causal, float64 state.
 */
export function shelf(
  signal: Float32Array,
  sampleRate: number,
  kind: 'low' | 'high',
  frequencyHz: number,
  gainDb: number,
): Float32Array {
  if (!(frequencyHz > 0 && frequencyHz < sampleRate / 2)) {
    throw new RangeError(`shelf: expected a frequency in (0, ${sampleRate / 2}) Hz, got ${frequencyHz}`);
  }
  const a = 10 ** (gainDb / 40);
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const cos = Math.cos(w);
  const alpha = (Math.sin(w) / 2) * Math.sqrt((a + 1 / a) * (1 / SHELF_SLOPE - 1) + 2);
  const root = 2 * Math.sqrt(a) * alpha;
  const sign = kind === 'low' ? 1 : -1;
  const b0 = a * (a + 1 - sign * (a - 1) * cos + root);
  const b1 = sign * 2 * a * (a - 1 - sign * (a + 1) * cos);
  const b2 = a * (a + 1 - sign * (a - 1) * cos - root);
  const a0 = a + 1 + sign * (a - 1) * cos + root;
  const a1 = -sign * 2 * (a - 1 + sign * (a + 1) * cos);
  const a2 = a + 1 + sign * (a - 1) * cos - root;
  const out = new Float32Array(signal.length);
  let [x1, x2, y1, y2] = [0, 0, 0, 0];
  for (let i = 0; i < signal.length; i++) {
    const x = signal[i];
    const y = (b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    [x2, x1, y2, y1] = [x1, x, y1, y];
    out[i] = y;
  }
  return out;
}

/** White noise, or brown (integrated, high-passed by a leak) for rumble-like noise, at unit RMS. */
export function unitNoise(length: number, brown: boolean, random: Random): Float32Array {
  const out = new Float32Array(length);
  let state = 0;
  for (let i = 0; i < length; i++) {
    const white = random.normal();
    state = 0.98 * state + white;
    out[i] = brown ? state : white;
  }
  const level = rms(out);
  if (level > 0) for (let i = 0; i < length; i++) out[i] /= level;
  return out;
}

/** One augmented copy of `signal` (mono, at `sampleRate`), drawn from `random` as the options say. */
export function augmentWaveform(
  signal: Float32Array,
  sampleRate: number,
  options: WaveformAugmentation,
  random: Random,
): Float32Array {
  let out = changeSpeed(signal, sampleRate, options.speeds[random.int(options.speeds.length)]);
  if (random.next() < options.reverbProbability) {
    out = convolve(out, syntheticRoom(sampleRate, uniform(random, options.rt60Seconds), random));
  }
  if (random.next() < options.lowPassProbability) {
    const cutoff = Math.min(uniform(random, options.lowPassHz), 0.49 * sampleRate);
    out = lowPass(out, sampleRate, cutoff);
  }
  if (options.shelfProbability > 0 && random.next() < options.shelfProbability) {
    out = shelf(out, sampleRate, 'low', BASS_SHELF_HZ, uniform(random, options.shelfDb));
    out = shelf(out, sampleRate, 'high', TREBLE_SHELF_HZ, uniform(random, options.shelfDb));
  }
  if (random.next() < options.noiseProbability) {
    const colour = options.noiseColours[random.int(options.noiseColours.length)];
    const added = unitNoise(out.length, colour === 'brown', random);
    const level = rms(out) * 10 ** (-uniform(random, options.snrDb) / 20);
    for (let i = 0; i < out.length; i++) out[i] += level * added[i];
  }
  const gain = 10 ** (uniform(random, options.gainDb) / 20);
  for (let i = 0; i < out.length; i++) out[i] *= gain;
  return out;
}
