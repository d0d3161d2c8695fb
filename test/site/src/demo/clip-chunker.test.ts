import { describe, expect, it } from 'vitest';
import { createClipChunker } from '../../../../site/src/demo/clip-chunker.ts';

const ramp = (from: number, length: number) => Float32Array.from({ length }, (_, i) => from + i);

describe('createClipChunker', () => {
  it('emits consecutive fixed-length clips across block boundaries, losing no sample', () => {
    const chunker = createClipChunker(10, 0.5); // 5-sample clips
    expect(chunker.push(ramp(0, 3))).toEqual([]);
    const clips = chunker.push(ramp(3, 9));
    expect(clips.map((clip) => Array.from(clip))).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);
    expect(Array.from(chunker.flush(0) ?? [])).toEqual([10, 11]);
  });

  it('drops a tail shorter than the minimum and starts afresh after a flush', () => {
    const chunker = createClipChunker(10, 1);
    chunker.push(ramp(0, 4));
    expect(chunker.flush(0.5)).toBeNull();
    expect(chunker.flush(0)).toBeNull();
    expect(chunker.push(ramp(100, 10))[0][0]).toBe(100);
  });

  it('rejects clips shorter than one sample', () => {
    expect(() => createClipChunker(16_000, 0)).toThrow(/at least one sample/);
  });
});
