/**
 * Samples that arrive in pieces (a live stream), kept from the first one a later reader may still need. What is
 * let go leaves when the buffer is full rather than on every piece, so each sample is moved about once.
 * Positions are sample indices from the start of the audio.
 */
export interface SampleBuffer {
  /** Samples appended so far. */
  readonly end: number;
  /**
   * Appends `samples`. `owned`: the caller hands the array over (nothing else reads or writes it), so a first
   * piece larger than the buffer becomes the buffer instead of being copied in.
   */
  append(samples: Float32Array, owned?: boolean): void;
  /** Samples [from, to): a view, valid until the next append; `from` must not be before what was let go. */
  slice(from: number, to: number): Float32Array;
  /** Lets the samples before `sample` go. */
  dropBefore(sample: number): void;
}

export function createSampleBuffer(initialLength: number): SampleBuffer {
  let buffer: Float32Array = new Float32Array(Math.max(1, initialLength));
  // buffer[i] is sample start + i; `end` samples have arrived; those before `keepFrom` may go.
  let start = 0;
  let end = 0;
  let keepFrom = 0;
  return {
    get end() {
      return end;
    },
    append(samples, owned = false) {
      let used = end - start;
      if (owned && used === 0 && samples.length > buffer.length) {
        buffer = samples;
        start = end;
        end += samples.length;
        return;
      }
      if (used + samples.length > buffer.length && keepFrom > start) {
        buffer.copyWithin(0, keepFrom - start, used);
        used -= keepFrom - start;
        start = keepFrom;
      }
      if (used + samples.length > buffer.length) {
        const grown = new Float32Array(Math.max(2 * buffer.length, used + samples.length));
        grown.set(buffer.subarray(0, used));
        buffer = grown;
      }
      buffer.set(samples, used);
      end += samples.length;
    },
    slice(from, to) {
      if (from < start) {
        throw new RangeError(`sample buffer: expected samples from ${start} on, got a slice from ${from}`);
      }
      return buffer.subarray(from - start, to - start);
    },
    dropBefore(sample) {
      if (!Number.isFinite(sample)) return;
      keepFrom = Math.max(keepFrom, Math.min(sample, end));
    },
  };
}
