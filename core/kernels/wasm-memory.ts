/** Rounds a byte count or address up to 16 bytes, the alignment of one SIMD vector. */
export function align16(n: number): number {
  return (n + 15) & ~15;
}

const PAGE_BYTES = 65536;

/**
 * A function that grows `memory` to hold `end` bytes, never past `maxBytes`: false when it would pass the cap or
 * the engine refuses to grow, so the caller can fall back to its TypeScript loops.
 */
export function createMemoryReserver(memory: WebAssembly.Memory, maxBytes: number): (end: number) => boolean {
  return (end) => {
    if (end > maxBytes) return false;
    const missing = end - memory.buffer.byteLength;
    if (missing <= 0) return true;
    try {
      memory.grow(Math.ceil(missing / PAGE_BYTES));
      return true;
    } catch {
      return false;
    }
  };
}
