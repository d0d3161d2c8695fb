import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../../core/audio/wav.ts';
import type { ClassifyOutcome } from '../../../../site/src/demo/classify-client.ts';
import { createClipPipeline } from '../../../../site/src/demo/clip-pipeline.ts';

const noSpeech: ClassifyOutcome = { kind: 'no-speech', message: 'none' };

describe('createClipPipeline', () => {
  it('sends one 16 kHz WAV per full clip, then the tail, answers in order', async () => {
    const sent: { sampleRate: number; seconds: number }[] = [];
    const delays = [30, 0, 10];
    const pipeline = createClipPipeline({
      sampleRate: 48_000,
      clipSeconds: 3,
      minTailSeconds: 1,
      send: async (wav) => {
        const { info } = decodeWav(wav);
        sent.push({ sampleRate: info.sampleRate, seconds: info.durationSeconds });
        await new Promise((resolve) => setTimeout(resolve, delays[sent.length - 1]));
        return noSpeech;
      },
    });
    // 7.5 s in blocks of 4096 frames, as the worklet posts them.
    const total = 48_000 * 7.5;
    for (let offset = 0; offset < total; offset += 4096)
      pipeline.push(new Float32Array(Math.min(4096, total - offset)));
    const cycles = await pipeline.finish();
    expect(sent).toEqual([
      { sampleRate: 16_000, seconds: 3 },
      { sampleRate: 16_000, seconds: 3 },
      { sampleRate: 16_000, seconds: 1.5 },
    ]);
    expect(cycles.map((cycle) => [cycle.index, cycle.startSeconds, cycle.endSeconds])).toEqual([
      [0, 0, 3],
      [1, 3, 6],
      [2, 6, 7.5],
    ]);
  });

  it('keeps sending after a send that throws', async () => {
    let calls = 0;
    const pipeline = createClipPipeline({
      sampleRate: 16_000,
      clipSeconds: 1,
      minTailSeconds: 1,
      send: async () => {
        calls++;
        if (calls === 1) throw new Error('connection reset');
        return noSpeech;
      },
    });
    pipeline.push(new Float32Array(32_000));
    const cycles = await pipeline.finish();
    expect(cycles.map((cycle) => cycle.outcome.kind)).toEqual(['unreachable', 'no-speech']);
  });
});
