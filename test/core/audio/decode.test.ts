import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_RATE, decodeAudio } from '../../../core/audio/decode.ts';
import { decodeWav, readWavInfo, WavError } from '../../../core/audio/wav.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { createRandom } from '../../../training/random.ts';

/**
 * A speech-like signal as a function of time, so it can be sampled exactly at any rate: a voiced tone at
 * 140 Hz with 5.5 Hz vibrato and all its harmonics below 7 kHz (amplitude falling like 1/k, a syllable-rate
 * envelope), plus band-limited "noise" made of many random sinusoids below 7 kHz. Nothing lies above the
 * 7.2 kHz passband, so every rate should yield the same 16 kHz signal.
 */
function speechLike(seed: number): (t: number) => number {
  const random = createRandom(seed);
  const vibratoHz = 5.5;
  const vibratoDepthHz = 12;
  const harmonics = Math.floor(7000 / (140 + vibratoDepthHz));
  const noise = Array.from({ length: 120 }, () => ({
    frequency: 50 + random.next() * 6900,
    phase: random.next() * 2 * Math.PI,
    amplitude: 0.004 * random.next(),
  }));
  return (t) => {
    // Phase of the fundamental: the integral of 140 + 12 sin(2π · 5.5 t).
    const fundamental =
      2 * Math.PI * 140 * t - (vibratoDepthHz / vibratoHz) * Math.cos(2 * Math.PI * vibratoHz * t);
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
    let value = 0;
    for (let k = 1; k <= harmonics; k++) value += (0.25 / k) * Math.sin(k * fundamental);
    for (const component of noise) {
      value += component.amplitude * Math.sin(2 * Math.PI * component.frequency * t + component.phase);
    }
    return envelope * value;
  };
}

function sampled(signal: (t: number) => number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => signal(i / rate));
}

/** 10 log10(reference power / difference power), away from the first and last 20 ms. */
function snrDb(actual: Float32Array, reference: Float32Array, rate: number): number {
  expect(actual.length).toBe(reference.length);
  const edge = Math.round(0.02 * rate);
  let signal = 0;
  let noise = 0;
  for (let i = edge; i < reference.length - edge; i++) {
    signal += reference[i] ** 2;
    noise += (actual[i] - reference[i]) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('decodeAudio', () => {
  it('returns 16 kHz mono by default, with the source header', () => {
    const wav = encodeWav([sampled(Math.sin, 44100, 0.25), sampled(Math.cos, 44100, 0.25)], 44100);
    const decoded = decodeAudio(wav);
    expect(DEFAULT_TARGET_RATE).toBe(16000);
    expect(decoded.sampleRate).toBe(16000);
    expect(decoded.samples.length).toBe(Math.round((11025 * 16000) / 44100));
    expect(decoded.info).toEqual(readWavInfo(wav));
    expect(decoded.info).toMatchObject({ sampleRate: 44100, channels: 2, frames: 11025 });
  });

  it('resamples to another target rate when asked', () => {
    const wav = encodeWav(sampled(Math.sin, 44100, 0.1), 44100, { encoding: 'float32' });
    const decoded = decodeAudio(wav, { targetRate: 22050 });
    expect(decoded.sampleRate).toBe(22050);
    expect(decoded.samples.length).toBe(2205);
  });

  it('passes 16 kHz mono through unchanged', () => {
    const wav = encodeWav(
      sampled((t) => Math.sin(2 * Math.PI * 300 * t), 16000, 0.1),
      16000,
      { encoding: 'pcm24' },
    );
    expect(decodeAudio(wav).samples).toEqual(decodeWav(wav).channels[0]);
  });

  it('downmixes to the mean of the channels', () => {
    const left = sampled((t) => Math.sin(2 * Math.PI * 440 * t), 16000, 0.05);
    const right = sampled((t) => 0.5 * Math.cos(2 * Math.PI * 660 * t), 16000, 0.05);
    const stereo = decodeAudio(encodeWav([left, right], 16000, { encoding: 'float32' })).samples;
    expect(stereo).toEqual(left.map((x, i) => (x + right[i]) / 2));

    // Gains -2, -1, 0, 1, 2, 3 average to 1/2.
    const six = Array.from({ length: 6 }, (_, c) => left.map((x) => x * (c - 2)));
    const mixed = decodeAudio(encodeWav(six, 16000, { encoding: 'float32' })).samples;
    expect(Math.max(...mixed.map((x, i) => Math.abs(x - left[i] / 2)))).toBeLessThan(1e-6);

    const antiphase = decodeAudio(encodeWav([left, left.map((x) => -x)], 16000, { encoding: 'float32' }));
    expect(Math.max(...antiphase.samples.map(Math.abs))).toBe(0);
  });

  it('throws WavErrors from the decoder unchanged', () => {
    const notWav = new TextEncoder().encode('<html>oops</html>');
    expect(() => decodeAudio(notWav)).toThrow(WavError);
    expect(() => decodeAudio(notWav)).toThrow(/expected a RIFF\/WAVE file starting with "RIFF", got "<htm"/);
  });

  it.each([0, -16000, 15999.5])('rejects a target rate of %s', (targetRate) => {
    const wav = encodeWav(new Float32Array(16), 16000);
    expect(() => decodeAudio(wav, { targetRate })).toThrow(
      new RangeError(`decodeAudio: expected targetRate to be a positive integer in Hz, got ${targetRate}`),
    );
  });

  it('yields the same 16 kHz speech-like signal from 48, 44.1 and 22.05 kHz as sampling at 16 kHz', () => {
    const signal = speechLike(7);
    const seconds = 1;
    const reference = sampled(signal, 16000, seconds);
    const snr: Record<string, number> = {};
    for (const rate of [48000, 44100, 22050]) {
      const recording = sampled(signal, rate, seconds);
      for (const encoding of ['float32', 'pcm16'] as const) {
        // Stereo with both channels equal: the downmix must not change anything either.
        const wav = encodeWav([recording, recording], rate, { encoding });
        snr[`${rate} ${encoding}`] = snrDb(decodeAudio(wav).samples, reference, 16000);
      }
    }
    // Measured: 82 / 81 / 85 dB from float32 at 48 / 44.1 / 22.05 kHz, 83 / 79 / 81 dB from pcm16.
    for (const [source, value] of Object.entries(snr)) expect(value, source).toBeGreaterThan(75);
  });
});
