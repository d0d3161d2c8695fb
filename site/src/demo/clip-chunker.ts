/**
 * Cuts a stream of mono PCM blocks into consecutive clips of a fixed length, so each one can be sent to the
 * function as soon as it is complete.
 */
export interface ClipChunker {
  /** Adds samples; returns the clips completed by them (usually none or one). */
  push(samples: Float32Array): Float32Array[];
  /** The incomplete tail, if it is at least `minSeconds` long; clears it either way. */
  flush(minSeconds: number): Float32Array | null;
}

export function createClipChunker(sampleRate: number, clipSeconds: number): ClipChunker {
  const clipLength = Math.round(sampleRate * clipSeconds);
  if (!(clipLength > 0)) {
    throw new RangeError(
      `createClipChunker: expected a clip of at least one sample, got ${sampleRate} Hz × ${clipSeconds} s`,
    );
  }
  let clip = new Float32Array(clipLength);
  let filled = 0;
  return {
    push(samples) {
      const done: Float32Array[] = [];
      let offset = 0;
      while (offset < samples.length) {
        const take = Math.min(clipLength - filled, samples.length - offset);
        clip.set(samples.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === clipLength) {
          done.push(clip);
          clip = new Float32Array(clipLength);
          filled = 0;
        }
      }
      return done;
    },
    flush(minSeconds) {
      const tail = filled >= sampleRate * minSeconds && filled > 0 ? clip.slice(0, filled) : null;
      filled = 0;
      return tail;
    },
  };
}
