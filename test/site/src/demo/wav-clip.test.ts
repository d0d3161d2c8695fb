import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../../core/audio/wav.ts';
import { CLIP_SAMPLE_RATE, clipToWav } from '../../../../site/src/demo/wav-clip.ts';

describe('clipToWav', () => {
  it('turns a 44.1 kHz clip into 16 kHz mono 16-bit WAV of the same duration and pitch', () => {
    const seconds = 0.5;
    const tone = Float32Array.from(
      { length: 44_100 * seconds },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44_100),
    );
    const { info, channels } = decodeWav(clipToWav(tone, 44_100));
    expect(info).toMatchObject({
      formatName: 'PCM',
      sampleRate: CLIP_SAMPLE_RATE,
      channels: 1,
      bitsPerSample: 16,
    });
    const samples = channels[0];
    expect(samples.length).toBe(16_000 * seconds);
    // 440 Hz at 16 kHz: zero crossings every 16000 / 880 ≈ 18.2 samples.
    let crossings = 0;
    for (let i = 1; i < samples.length; i++) if (samples[i - 1] < 0 !== samples[i] < 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(438);
    expect(crossings).toBeLessThanOrEqual(442);
  });
});
