/**
 * JS face of the spectrogram's WebAssembly SIMD loops in `spectrum.wasm` (source: `assembly/spectrum.ts`,
 * built by `npm run build:kernels`), for `useSpectrumKernels` in functions/audio/spectrogram.ts. Instantiation
 * takes an already compiled module because workerd cannot compile wasm at run time: there
 * `import spectrumWasm from './spectrum.wasm'` gives the module; Node reads the file (`load-node.ts`).
 *
 * Memory: each plan's tables (window, twiddles, bit-reversal offsets, mel weights: about 20 bytes per FFT
 * point) are copied in once and kept, up to TABLE_BUDGET_BYTES for all plans together. Above them, one call's
 * buffers: the zero-padded signal, the FFT scratch and the f64 outputs (about 13 bytes per input sample with
 * magnitudes and 40 mels at hop 256, 5.3 without magnitudes). Memory grows to the largest call's need and
 * stays, so calls needing more than MAX_MEMORY_BYTES are left to the TypeScript loops.
 */
import type { SpectrogramPlan, SpectrumKernels } from '../audio/spectrogram.ts';
import { align16, createMemoryReserver } from './wasm-memory.ts';

/** The registered kernels, plus their memory size for callers that watch it. */
export interface WasmSpectrumKernels extends SpectrumKernels {
  /** Size of the kernels' wasm memory: it grows to the largest call's need, then stays. */
  memoryBytes(): number;
}

interface SpectrumExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  spectrogram(...args: number[]): void;
}

/**
 * 16 MiB holds one call on about 1.2 M samples with magnitudes (75 s at 16 kHz, more than the Worker accepts),
 * 3 M without.
 */
const MAX_MEMORY_BYTES = 16 << 20;
/** When a new plan's tables would pass this, the tables of every earlier plan are dropped first. */
const TABLE_BUDGET_BYTES = 1 << 20;
/** Mel band records: {i32 first bin, i32 bin count, i32 weights address, unused}. */
const RECORD_BYTES = 16;
/** f64x2: one complex value or power bin of two frames. */
const VECTOR_BYTES = 16;

/** One plan's tables in wasm memory. */
interface Tables {
  window: number;
  twiddles: number;
  reversed: number;
  /** Mel band records, or 0 without mel filters. */
  bands: number;
}

export function createSpectrumKernels(module: WebAssembly.Module): WasmSpectrumKernels {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as SpectrumExports;
  const base = align16(wasm.heapBase());
  const plans = new Map<SpectrogramPlan, Tables>();
  let tablesEnd = base;

  const reserve = createMemoryReserver(wasm.memory, MAX_MEMORY_BYTES);
  const doubles = (address: number, count: number) => new Float64Array(wasm.memory.buffer, address, count);

  /** The plan's tables, copied in on first use. */
  const tablesFor = (plan: SpectrogramPlan): Tables | null => {
    const known = plans.get(plan);
    if (known) return known;
    const { nFft, window } = plan.stft;
    const half = nFft / 2;
    const mel = plan.mel;
    let weightCount = 0;
    if (mel) for (let m = 0; m < mel.nMels; m++) weightCount += mel.ends[m] - mel.starts[m];
    const sizes = [
      nFft * 8,
      (half + 1) * VECTOR_BYTES,
      half * 4,
      mel ? mel.nMels * RECORD_BYTES + weightCount * 8 : 0,
    ];
    const bytes = sizes.reduce((sum, size) => sum + align16(size), 0);
    if (tablesEnd + bytes > base + TABLE_BUDGET_BYTES) {
      plans.clear();
      tablesEnd = base;
    }
    if (!reserve(tablesEnd + bytes)) return null;
    const [windowAt, twiddlesAt, reversedAt, bandsAt] = sizes.map((size) => {
      const at = tablesEnd;
      tablesEnd = align16(tablesEnd + size);
      return at;
    });
    doubles(windowAt, nFft).set(window);
    // W_nFft^k = (cos, −sin)(2πk / nFft), k = 0 … half, as functions/audio/real-fft.ts computes them; the
    // half-size FFT's own twiddles are every other one.
    const twiddles = doubles(twiddlesAt, 2 * (half + 1));
    for (let k = 0; k <= half; k++) {
      twiddles[2 * k] = Math.cos((2 * Math.PI * k) / nFft);
      twiddles[2 * k + 1] = -Math.sin((2 * Math.PI * k) / nFft);
    }
    const reversed = new Int32Array(wasm.memory.buffer, reversedAt, half);
    const bits = Math.log2(half);
    for (let n = 0; n < half; n++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((n >> b) & 1) << (bits - 1 - b);
      reversed[n] = r * VECTOR_BYTES;
    }
    if (mel) {
      const records = new Int32Array(wasm.memory.buffer, bandsAt, mel.nMels * 4);
      let weightsAt = bandsAt + mel.nMels * RECORD_BYTES;
      for (let m = 0; m < mel.nMels; m++) {
        const start = mel.starts[m];
        const count = mel.ends[m] - start;
        records.set([start, count, weightsAt], 4 * m);
        const row = m * mel.bins + start;
        doubles(weightsAt, count).set(mel.weights.subarray(row, row + count));
        weightsAt += count * 8;
      }
    }
    const tables = { window: windowAt, twiddles: twiddlesAt, reversed: reversedAt, bands: mel ? bandsAt : 0 };
    plans.set(plan, tables);
    return tables;
  };

  return {
    memoryBytes: () => wasm.memory.buffer.byteLength,

    spectrogram(plan, signal, magnitude, logMel) {
      const { nFft, hop, bins } = plan.stft;
      // Checked before any size reaches the kernels' i32 arithmetic.
      if (signal.length * 4 > MAX_MEMORY_BYTES) return false;
      const tables = tablesFor(plan);
      if (!tables) return false;
      const half = nFft / 2;
      const frames = plan.stft.frameCount(signal.length);
      const nMels = plan.mel?.nMels ?? 0;
      // An even number of frames: the last pair's second frame, when there is no such frame, reads zeros.
      const rows = frames + (frames & 1);
      const paddedLength = (rows - 1) * hop + nFft;
      const padded = tablesEnd;
      const scratch = align16(padded + paddedLength * 4);
      const magnitudeAt = align16(scratch + (3 * half + 1) * VECTOR_BYTES);
      const logMelAt = align16(magnitudeAt + (magnitude ? rows * bins * 8 : 0));
      const end = logMelAt + (logMel ? rows * nMels * 8 : 0);
      if (!reserve(end)) return false;

      const input = new Float32Array(wasm.memory.buffer, padded, paddedLength);
      // Frame t is samples [t·hop − half, t·hop + half) of the signal: `half` zeros in front.
      const present = Math.min(signal.length, paddedLength - half);
      input.fill(0, 0, half);
      input.set(signal.subarray(0, present), half);
      input.fill(0, half + present);
      wasm.spectrogram(
        padded,
        frames,
        hop,
        half,
        tables.window,
        tables.twiddles,
        tables.reversed,
        plan.floorPower,
        magnitude ? magnitudeAt : 0,
        tables.bands,
        nMels,
        logMel ? logMelAt : 0,
        scratch,
      );
      magnitude?.set(doubles(magnitudeAt, frames * bins));
      logMel?.set(doubles(logMelAt, frames * nMels));
      return true;
    },
  };
}
