import { describe, expect, it } from 'vitest';
import { createSampleBuffer } from '../../../core/audio/sample-buffer.ts';

const ramp = (from: number, length: number) => Float32Array.from({ length }, (_, i) => from + i);

describe('createSampleBuffer', () => {
  it('keeps every sample a reader may still ask for, by its position in the audio, across growth and drops', () => {
    const buffer = createSampleBuffer(8);
    let end = 0;
    for (const length of [3, 5, 7, 1, 12, 4, 9]) {
      buffer.append(ramp(end, length));
      end += length;
      const from = Math.max(0, end - 10);
      buffer.dropBefore(from);
      expect(buffer.end).toBe(end);
      expect(Array.from(buffer.slice(from, end))).toEqual(Array.from(ramp(from, end - from)));
    }
  });

  it('refuses a slice from before what was let go, once it has gone', () => {
    const buffer = createSampleBuffer(4);
    buffer.append(ramp(0, 4));
    buffer.dropBefore(3);
    // Not a position: ignored.
    buffer.dropBefore(Number.NaN);
    buffer.append(ramp(4, 2));
    expect(() => buffer.slice(1, 5)).toThrow(/expected samples from 3 on, got a slice from 1/);
    expect(Array.from(buffer.slice(3, 6))).toEqual([3, 4, 5]);
  });

  it('takes over an owned first piece longer than itself instead of copying it, and copies one not owned', () => {
    const owned = ramp(0, 100);
    const taken = createSampleBuffer(8);
    taken.append(owned, true);
    expect(taken.slice(0, 100).buffer).toBe(owned.buffer);
    const copied = createSampleBuffer(8);
    copied.append(owned);
    expect(copied.slice(0, 100).buffer).not.toBe(owned.buffer);
    // What comes after an owned piece is appended as usual, without writing into the caller's array.
    taken.append(ramp(100, 5));
    expect(Array.from(taken.slice(98, 105))).toEqual([98, 99, 100, 101, 102, 103, 104]);
    expect(owned[99]).toBe(99);
  });
});
