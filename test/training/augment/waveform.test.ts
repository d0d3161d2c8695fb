import { describe, expect, it } from 'vitest';
import { WaveformAugmentationSchema } from '../../../core/contracts/waveform-augmentation.ts';
import {
  augmentWaveform,
  changeSpeed,
  convolve,
  lowPass,
  shelf,
  syntheticRoom,
} from '../../../training/augment/waveform.ts';
import { createRandom, type Random } from '../../../training/random.ts';
import { speechLike, tone } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;
const rms = (signal: Float32Array) => Math.sqrt(signal.reduce((sum, x) => sum + x * x, 0) / signal.length);
const options = (overrides = {}) => WaveformAugmentationSchema.parse({ copies: 1, ...overrides });

describe('augmentWaveform', () => {
  const speech = speechLike(2).signal;

  it('is a function of the generator: same seed, same copy; another seed, another copy', () => {
    const a = augmentWaveform(speech, RATE, options(), createRandom(5));
    expect(augmentWaveform(speech, RATE, options(), createRandom(5))).toEqual(a);
    expect(augmentWaveform(speech, RATE, options(), createRandom(6))).not.toEqual(a);
  });

  it('leaves the signal alone when every transform is off', () => {
    const off = options({
      speeds: [1],
      reverbProbability: 0,
      lowPassProbability: 0,
      noiseProbability: 0,
      gainDb: [0, 0],
    });
    expect(augmentWaveform(speech, RATE, off, createRandom(1))).toEqual(speech);
  });

  it('adds noise at the drawn SNR against the clip', () => {
    const noisy = options({
      speeds: [1],
      reverbProbability: 0,
      lowPassProbability: 0,
      noiseProbability: 1,
      snrDb: [10, 10],
      gainDb: [0, 0],
    });
    const out = augmentWaveform(speech, RATE, noisy, createRandom(2));
    const noise = out.map((x, i) => x - speech[i]);
    expect(20 * Math.log10(rms(speech) / rms(noise))).toBeCloseTo(10, 1);
  });
});

describe('additive white Gaussian noise (seed 002)', () => {
  const speech = speechLike(3).signal;
  const awgn = (snr: number) =>
    options({
      speeds: [1],
      reverbProbability: 0,
      lowPassProbability: 0,
      noiseProbability: 1,
      snrDb: [snr, snr],
      noiseColours: ['white'],
      gainDb: [0, 0],
    });

  it.each([0, 10, 20, 30])('adds it at %i dB SNR, measured within 0.5 dB', (snr) => {
    for (let seed = 1; seed <= 5; seed++) {
      const out = augmentWaveform(speech, RATE, awgn(snr), createRandom(seed));
      const noise = out.map((x, i) => x - speech[i]);
      expect(Math.abs(20 * Math.log10(rms(speech) / rms(noise)) - snr)).toBeLessThanOrEqual(0.5);
    }
  });

  it('is white: its first differences carry twice its power (3 dB, within 0.5), as uncorrelated samples do', () => {
    const out = augmentWaveform(speech, RATE, awgn(0), createRandom(3));
    const noise = out.map((x, i) => x - speech[i]);
    // Brown noise, correlated from sample to sample, has first differences far weaker than itself.
    const differences = noise.slice(1).map((x, i) => x - noise[i]);
    expect(Math.abs(20 * Math.log10(rms(differences) / rms(noise)) - 10 * Math.log10(2))).toBeLessThan(0.5);
  });

  it('refuses an unknown or repeated colour', () => {
    expect(() => options({ noiseColours: ['pink'] })).toThrow();
    expect(() => options({ noiseColours: ['white', 'white'] })).toThrow('expected each colour once');
  });
});

describe('transforms', () => {
  it('changeSpeed shortens by the factor and raises a tone by it', () => {
    const faster = changeSpeed(tone(1, 500, -10), RATE, 1.1);
    expect(faster.length).toBe(Math.round(RATE / 1.1));
    // Zero crossings per second follow the frequency.
    let crossings = 0;
    for (let i = 1; i < faster.length; i++) if (faster[i - 1] < 0 !== faster[i] < 0) crossings++;
    expect(crossings / 2 / (faster.length / RATE)).toBeCloseTo(550, -1);
  });

  it('lowPass passes the voice band and takes 4 kHz down by ≥ 20 dB at a 2 kHz cut-off', () => {
    const gain = (hz: number) =>
      20 * Math.log10(rms(lowPass(tone(1, hz, -10), RATE, 2000).subarray(1000)) / rms(tone(1, hz, -10)));
    expect(Math.abs(gain(300))).toBeLessThan(0.1);
    expect(gain(2000)).toBeCloseTo(-3, 0);
    expect(gain(4000)).toBeLessThan(-20);
  });

  it('convolve matches direct convolution', () => {
    const signal = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const response = Float32Array.of(1, 0.5, -0.25);
    const out = convolve(signal, response);
    for (let n = 0; n < 50; n++) {
      let expected = 0;
      for (let k = 0; k < 3; k++) if (n - k >= 0) expected += response[k] * signal[n - k];
      expect(out[n]).toBeCloseTo(expected, 5);
    }
  });

  it('syntheticRoom decays by 60 dB over rt60', () => {
    const room = syntheticRoom(RATE, 0.4, createRandom(3));
    expect(room.length).toBe(0.4 * RATE);
    expect(room[0]).toBe(1);
    const early = rms(room.subarray(100, 1700));
    const late = rms(room.subarray(room.length - 1600));
    // The windows' centres are 0.29 s apart: 60 dB / 0.4 s × 0.29 s ≈ 44 dB.
    const drop = 20 * Math.log10(early / late);
    expect(drop).toBeGreaterThan(40);
    expect(drop).toBeLessThan(48);
  });
});

describe('microphone colour (shelfProbability)', () => {
  const levelDb = (signal: Float32Array) => 20 * Math.log10(rms(signal.subarray(4000)));
  const change = (hz: number, filtered: (signal: Float32Array) => Float32Array) => {
    const sine = tone(2, hz, -6);
    return levelDb(filtered(sine)) - levelDb(sine);
  };

  it("shapes as sox's bass and treble do: 4.76 dB at 50 Hz and 5.55 dB at 6 kHz for +6 dB shelves", () => {
    // The figures sox 14.4 measures on the same sines (`bass 6`, `treble 6`, first 0.25 s trimmed).
    expect(change(50, (x) => shelf(x, RATE, 'low', 100, 6))).toBeCloseTo(4.76, 1);
    expect(change(6000, (x) => shelf(x, RATE, 'high', 3000, 6))).toBeCloseTo(5.55, 1);
    expect(Math.abs(change(1000, (x) => shelf(x, RATE, 'low', 100, 6)))).toBeLessThan(0.1);
    expect(change(50, (x) => shelf(x, RATE, 'low', 100, -6))).toBeCloseTo(-4.76, 1);
    expect(() => shelf(tone(1, 100, -6), RATE, 'high', 9000, 6)).toThrow(
      'shelf: expected a frequency in (0, 8000) Hz, got 9000',
    );
  });

  it('draws nothing when off, so copies made before the option existed stay the same', () => {
    const counted = (seed: number) => {
      const random = createRandom(seed);
      const counter = { draws: 0 };
      const wrapped: Random = {
        ...random,
        next: () => {
          counter.draws++;
          return random.next();
        },
      };
      return { wrapped, counter };
    };
    const speech = speechLike(1).signal;
    const base = { speeds: [1], reverbProbability: 0, lowPassProbability: 0, noiseProbability: 0 };
    const off = counted(3);
    augmentWaveform(speech, RATE, options(base), off.wrapped);
    const on = counted(3);
    const coloured = augmentWaveform(speech, RATE, options({ ...base, shelfProbability: 1 }), on.wrapped);
    // One draw for whether, two for the gains.
    expect(on.counter.draws - off.counter.draws).toBe(3);
    expect(coloured).not.toEqual(augmentWaveform(speech, RATE, options(base), createRandom(3)));
  });
});
