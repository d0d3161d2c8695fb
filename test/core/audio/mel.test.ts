import { describe, expect, it } from 'vitest';
import { createMelFilterbank, hzToMel, melToHz, powerToDb } from '../../../core/audio/mel.ts';
import { createStft } from '../../../core/audio/stft.ts';
import { CORPUS_CLIPS, loadLibrosaFixture, SYNTHETIC_CLIP, sharedFixtureExists } from './librosa-fixtures.ts';

const DEFAULTS = { sampleRate: 16000, nFft: 512, nMels: 40, fmin: 0, fmax: 8000 };

describe('Slaney mel scale', () => {
  it('is linear (3 mel per 200 Hz) below 1 kHz and logarithmic (27 mel per factor 6.4) above', () => {
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12);
  });

  it('round-trips through melToHz', () => {
    for (const hz of [0, 133.3, 999.9, 1000, 2500, 8000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 9);
  });
});

describe('powerToDb', () => {
  it('is 10·log10 with powers below amin 1e-10 clamped', () => {
    expect(powerToDb(1)).toBe(0);
    expect(powerToDb(0.01)).toBeCloseTo(-20, 6);
    expect(powerToDb(0)).toBeCloseTo(-100, 6);
    expect(powerToDb(0, 1e-5)).toBeCloseTo(-50, 6);
  });

  it('stays within 1e-6 dB of Math.log10 from amin to 1e12 (its log table)', () => {
    let worst = 0;
    for (let i = 0; i <= 100_000; i++) {
      const power = 1e-10 * 10 ** (i * 22e-5);
      worst = Math.max(worst, Math.abs(powerToDb(power) - 10 * Math.log10(power)));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('passes infinities and NaN through as Math.log10 does', () => {
    expect(powerToDb(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(powerToDb(Number.NaN)).toBeNaN();
  });
});

describe('createMelFilterbank', () => {
  it('builds triangles whose area in Hz is 1 (Slaney normalisation)', () => {
    // A fine FFT grid so the Riemann sum approximates the area well.
    const nFft = 8192;
    const bank = createMelFilterbank({ ...DEFAULTS, nFft });
    const hzPerBin = DEFAULTS.sampleRate / nFft;
    for (let m = 0; m < bank.nMels; m++) {
      let area = 0;
      for (let k = 0; k < bank.bins; k++) area += bank.weights[m * bank.bins + k] * hzPerBin;
      expect(area).toBeCloseTo(1, 2);
    }
  });

  it('peaks each filter at its centre: equally spaced in mel between fmin and fmax', () => {
    const bank = createMelFilterbank({ ...DEFAULTS, nFft: 8192, nMels: 10, fmin: 100, fmax: 7000 });
    const step = (hzToMel(7000) - hzToMel(100)) / 11;
    for (let m = 0; m < bank.nMels; m++) {
      const row = bank.weights.subarray(m * bank.bins, (m + 1) * bank.bins);
      const peakHz = (row.indexOf(Math.max(...row)) * 16000) / 8192;
      expect(Math.abs(peakHz - melToHz(hzToMel(100) + step * (m + 1)))).toBeLessThan(16000 / 8192);
    }
  });

  it('applies the dense weights (sparse evaluation gives the same sums)', () => {
    const bank = createMelFilterbank(DEFAULTS);
    const spectrum = Float64Array.from({ length: bank.bins }, (_, k) => 1 + Math.sin(k));
    const out = new Float64Array(bank.nMels);
    bank.apply(spectrum, out);
    for (let m = 0; m < bank.nMels; m++) {
      let expected = 0;
      for (let k = 0; k < bank.bins; k++) expected += bank.weights[m * bank.bins + k] * spectrum[k];
      expect(out[m]).toBeCloseTo(expected, 12);
    }
  });

  it('gives each filter the bins of its non-zero weights, an empty range when it falls between bins', () => {
    // At nFft 16 (1 kHz bins), the lowest of 20 filters are narrower than a bin.
    for (const bank of [
      createMelFilterbank(DEFAULTS),
      createMelFilterbank({ ...DEFAULTS, nFft: 16, nMels: 20 }),
    ]) {
      for (let m = 0; m < bank.nMels; m++) {
        expect(bank.starts[m]).toBeLessThanOrEqual(bank.ends[m]);
        for (let k = 0; k < bank.bins; k++) {
          const inside = k >= bank.starts[m] && k < bank.ends[m];
          expect(bank.weights[m * bank.bins + k] > 0, `filter ${m}, bin ${k}`).toBe(inside);
        }
      }
    }
    const coarse = createMelFilterbank({ ...DEFAULTS, nFft: 16, nMels: 20 });
    expect(coarse.starts.some((start, m) => start === coarse.ends[m])).toBe(true);
  });

  it('rejects a range outside 0..Nyquist and a non-positive band count', () => {
    expect(() => createMelFilterbank({ ...DEFAULTS, fmax: 9000 })).toThrow(
      'expected 0 ≤ fmin < fmax ≤ 8000 Hz, got fmin 0, fmax 9000',
    );
    expect(() => createMelFilterbank({ ...DEFAULTS, nMels: 0 })).toThrow(
      'expected nMels to be a positive integer, got 0',
    );
  });

  // librosa melspectrogram(power=2, n_mels=40, norm='slaney') within 1e-3 relative (measured ≈ 5e-6).
  const parity = (clip: string) => {
    const fixture = loadLibrosaFixture(clip);
    const stft = createStft(512, 256);
    const bank = createMelFilterbank(DEFAULTS);
    const power = new Float64Array(stft.bins);
    const mel = new Float64Array(bank.nMels);
    const reference = fixture.features.mel_power;
    expect(stft.frameCount(fixture.signal.length)).toBe(fixture.n_frames);
    let worst = 0;
    for (let t = 0; t < fixture.n_frames; t++) {
      stft.powerSpectrum(fixture.signal, t, power);
      bank.apply(power, mel);
      for (let m = 0; m < bank.nMels; m++) {
        const expected = reference[m][t];
        worst = Math.max(worst, Math.abs(mel[m] - expected) / Math.max(Math.abs(expected), 1e-12));
      }
    }
    expect(worst).toBeLessThan(1e-3);
  };

  it(`matches librosa's mel power spectrogram on ${SYNTHETIC_CLIP}`, () => parity(SYNTHETIC_CLIP));
  for (const clip of CORPUS_CLIPS) {
    const present = sharedFixtureExists(clip);
    it.skipIf(!present)(
      `matches librosa's mel power spectrogram on ${clip}${present ? '' : ' (skipped: shared fixtures absent, set SER_SHARED_DIR)'}`,
      () => parity(clip),
    );
  }
});
