import { describe, expect, it } from 'vitest';
import { centreFrames } from '../../../core/audio/fit-frames.ts';

const ramp = (frames: number, dims: number) => ({
  data: Float32Array.from({ length: frames * dims }, (_, i) => i + 1),
  frames,
  dims,
});

describe('centreFrames', () => {
  it('crops a long clip around its centre, the odd frame going to the end', () => {
    const fitted = centreFrames(ramp(7, 2), 4);
    expect(fitted.firstFrame).toBe(1);
    expect(fitted.audioFrames).toBe(4);
    expect([...fitted.data]).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('pads a short clip with zeros on both sides', () => {
    const fitted = centreFrames(ramp(2, 1), 5);
    expect(fitted.firstFrame).toBe(-2);
    expect(fitted.audioFrames).toBe(2);
    expect([...fitted.data]).toEqual([0, 0, 1, 2, 0]);
  });

  it('keeps a clip of the right length as it is', () => {
    const matrix = ramp(3, 2);
    expect([...centreFrames(matrix, 3).data]).toEqual([...matrix.data]);
  });

  it('rejects a non-positive length', () => {
    expect(() => centreFrames(ramp(3, 1), 0)).toThrow(/expected a positive whole number of frames, got 0/);
  });
});
