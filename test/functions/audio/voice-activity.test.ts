import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../functions/audio/wav.ts';
import {
  ABSOLUTE_FLOOR_DB,
  detectVoiceActivity,
  MIN_SPEECH_SECONDS,
  speechSecondsBetween,
} from '../../../functions/audio/voice-activity.ts';
import { mix, silence, speechLike, tone, whiteNoise } from '../../fixtures/audio/synthetic.ts';

const RATE = 16000;

describe('detectVoiceActivity', () => {
  it('finds no speech in digital silence', () => {
    const activity = detectVoiceActivity(silence(3), RATE);
    expect(activity.speechDetected).toBe(false);
    expect(activity.speechSeconds).toBe(0);
    expect(activity.noiseFloorDb).toBeNull();
  });

  it.each([
    ['loud', -15],
    ['moderate', -35],
    ['quiet', -60],
  ])('finds no speech in %s white noise (%d dBFS)', (_, level) => {
    const activity = detectVoiceActivity(whiteNoise(3, level), RATE);
    expect(activity.speechDetected).toBe(false);
    expect(activity.speechSeconds).toBeLessThan(MIN_SPEECH_SECONDS);
  });

  it('finds no speech in a noise burst that starts after silence', () => {
    const signal = new Float32Array(3 * RATE);
    signal.set(whiteNoise(2, -25), RATE);
    expect(detectVoiceActivity(signal, RATE).speechDetected).toBe(false);
  });

  it('finds no speech in a held tone', () => {
    expect(detectVoiceActivity(tone(3, 440, -20), RATE).speechDetected).toBe(false);
  });

  it('finds speech in a speech-like signal and times it to within a syllable edge', () => {
    const { signal, voicedSeconds } = speechLike(3);
    const activity = detectVoiceActivity(signal, RATE);
    expect(activity.speechDetected).toBe(true);
    // The raised-cosine edges of each syllable fall below the margin, so active time is a share of voiced time.
    expect(activity.speechSeconds).toBeGreaterThan(0.4 * voicedSeconds);
    expect(activity.speechSeconds).toBeLessThanOrEqual(voicedSeconds + 0.05);
  });

  it('finds speech under white noise at 20 dB SNR', () => {
    const { signal } = speechLike(3);
    expect(detectVoiceActivity(mix(signal, whiteNoise(3, -45)), RATE).speechDetected).toBe(true);
  });

  it('finds speech in the espeak-ng clip', () => {
    const clip = decodeWav(readFileSync(new URL('../../fixtures/audio/speech.wav', import.meta.url)));
    const activity = detectVoiceActivity(clip.channels[0], clip.info.sampleRate);
    expect(activity.speechDetected).toBe(true);
    expect(activity.speechSeconds).toBeGreaterThan(1);
    expect(activity.noiseFloorDb).toBeGreaterThanOrEqual(ABSOLUTE_FLOOR_DB);
  });

  it('answers for a one-sample clip without throwing', () => {
    const activity = detectVoiceActivity(Float32Array.of(0.5), RATE);
    expect(activity.active.length).toBe(1);
    expect(activity.speechDetected).toBe(false);
  });

  it('rejects a non-positive sample rate', () => {
    expect(() => detectVoiceActivity(silence(1), 0)).toThrow('expected a positive sample rate, got 0');
  });
});

describe('speechSecondsBetween', () => {
  it('counts only the active frames inside the window', () => {
    const signal = new Float32Array(4 * RATE);
    signal.set(speechLike(2).signal, 0);
    const activity = detectVoiceActivity(signal, RATE);
    const first = speechSecondsBetween(activity, 0, 2);
    expect(first).toBeGreaterThan(MIN_SPEECH_SECONDS);
    expect(speechSecondsBetween(activity, 2, 4)).toBe(0);
    expect(first).toBeCloseTo(activity.speechSeconds, 6);
  });
});
