import { describe, expect, it } from 'vitest';
import { speechRms, withNoise } from '../../../training/evaluation/added-noise.ts';
import { createRandom } from '../../../training/random.ts';
import { speechLike } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;

/** `speech` between `padding` seconds of digital silence on each side. */
function padded(speech: Float32Array, padding: number): Float32Array {
  const pad = Math.round(padding * RATE);
  const out = new Float32Array(speech.length + 2 * pad);
  out.set(speech, pad);
  return out;
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length);

describe('withNoise', () => {
  it("measures the level on the speech alone, so silence around it does not change the noise's level", () => {
    const { signal } = speechLike(3);
    const alone = speechRms(signal, RATE);
    const withSilence = speechRms(padded(signal, 2), RATE);
    expect(withSilence / alone).toBeGreaterThan(0.95);
    expect(withSilence / alone).toBeLessThan(1.05);
    // The whole padded clip's RMS would have put the noise 3–4 dB lower.
    expect(rms(padded(signal, 2)) / withSilence).toBeLessThan(0.7);
  });

  it('adds noise at the SNR asked, white or brown, the same for the same seed', () => {
    const clean = padded(speechLike(2).signal, 0.5);
    for (const colour of ['white', 'brown'] as const) {
      const noisy = withNoise(clean, RATE, 20, colour, createRandom(3));
      const noise = noisy.map((v, i) => v - clean[i]);
      const snr = 20 * Math.log10(speechRms(clean, RATE) / rms(noise));
      expect(snr).toBeCloseTo(20, 1);
      expect(withNoise(clean, RATE, 20, colour, createRandom(3))).toEqual(noisy);
      expect(withNoise(clean, RATE, 20, colour, createRandom(4))).not.toEqual(noisy);
    }
  });

  it('falls back to the whole clip when it finds no speech', () => {
    const silence = new Float32Array(RATE);
    expect(speechRms(silence, RATE)).toBe(0);
    expect(withNoise(silence, RATE, 10, 'white', createRandom(1))).toEqual(silence);
  });
});
