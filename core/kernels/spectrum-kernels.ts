/**
 * JS face of the frame features' WebAssembly SIMD loops in `spectrum.wasm` (source: `assembly/spectrum.ts`,
 * built by `npm run build:kernels`), for `useSpectrumKernels` in core/audio/frame-features.ts.
 * Instantiation takes an already compiled module because workerd cannot compile wasm at run time: there
 * `import spectrumWasm from './spectrum.wasm'` gives the module; Node reads the file (`load-node.ts`).
 *
 * Memory: each plan's tables (window, twiddles, bit-reversal offsets, mel weights, DCT matrix, bin
 * frequencies, contrast bands: about 40 kB at nFft 512) are copied in once and kept, up to TABLE_BUDGET_BYTES
 * for all plans together. Above them, one call's buffers: the zero-padded signal, the f32 feature matrix (or
 * the f64 mel energies of core/audio/window-front-end.ts), the per-frame scratch and the contrast extremes
 * (about 5 bytes per input sample for 92 columns at hop 256); or a window's kept energies, their floor and its
 * log-mel out, for `scaledLogMel`.
 * Memory grows to the largest call's need and stays, so calls needing more than MAX_MEMORY_BYTES are left to
 * the TypeScript loops.
 */
import type { FrameFeaturesPlan, SpectrumKernels } from '../audio/frame-features.ts';
import { fftFrequencies } from '../audio/stft.ts';
import { align16, createMemoryReserver } from './wasm-memory.ts';

/** The registered kernels, plus their memory size for callers that watch it. */
export interface WasmSpectrumKernels extends SpectrumKernels {
  /** Size of the kernels' wasm memory: it grows to the largest call's need, then stays. */
  memoryBytes(): number;
}

interface SpectrumExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(half: number, nMels: number, maxTake: number): number;
  frameFeatures(...args: number[]): void;
  melEnergyFrames(...args: number[]): void;
  scaledLogMel(...args: number[]): void;
}

/** 16 MiB holds one call on about 3 M samples (3 minutes at 16 kHz, more than the Worker accepts). */
const MAX_MEMORY_BYTES = 16 << 20;
/** When a new plan's tables would pass this, the tables of every earlier plan are dropped first. */
const TABLE_BUDGET_BYTES = 1 << 20;
/** Mel band records {i32 first bin, i32 bin count, i32 weights address, unused}; contrast band records alike. */
const RECORD_BYTES = 16;
/** The plan record: the layout `assembly/spectrum.ts` reads (its constants name the fields). */
const PLAN_BYTES = 128;
/** f64x2: one complex value or power bin of two frames. */
const VECTOR_BYTES = 16;

/** One plan's tables in wasm memory: where its plan record is, and what a call needs to size its buffers. */
interface Tables {
  plan: number;
  scratchBytes: number;
  contrastBands: number;
}

export function createSpectrumKernels(module: WebAssembly.Module): WasmSpectrumKernels {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as SpectrumExports;
  const base = align16(wasm.heapBase());
  const plans = new Map<FrameFeaturesPlan, Tables>();
  let tablesEnd = base;

  const reserve = createMemoryReserver(wasm.memory, MAX_MEMORY_BYTES);
  const doubles = (address: number, count: number) => new Float64Array(wasm.memory.buffer, address, count);
  const ints = (address: number, count: number) => new Int32Array(wasm.memory.buffer, address, count);

  /** The plan's tables and plan record, copied in on first use. */
  const tablesFor = (plan: FrameFeaturesPlan): Tables | null => {
    const known = plans.get(plan);
    if (known) return known;
    const { stft, mel, dct, contrast, columns } = plan;
    const { nFft, window, bins } = stft;
    const half = nFft / 2;
    const hasMel = columns.logMel >= 0 || columns.mfcc >= 0;
    const hasDct = columns.mfcc >= 0;
    const hasShape = columns.centroid >= 0 || columns.bandwidth >= 0 || columns.rolloff >= 0;
    const hasContrast = columns.contrast >= 0;
    const nMels = hasMel && mel ? mel.nMels : 0;
    let weightCount = 0;
    if (hasMel && mel) for (let m = 0; m < mel.nMels; m++) weightCount += mel.ends[m] - mel.starts[m];
    const contrastBands = hasContrast && contrast ? contrast.bands : 0;
    const sizes = [
      PLAN_BYTES,
      nFft * 8,
      (half + 1) * VECTOR_BYTES,
      half * 4,
      nMels * RECORD_BYTES + weightCount * 8,
      hasDct && dct ? dct.matrix.length * 8 : 0,
      hasShape ? bins * 8 : 0,
      contrastBands * RECORD_BYTES,
    ];
    const bytes = sizes.reduce((sum, size) => sum + align16(size), 0);
    if (tablesEnd + bytes > base + TABLE_BUDGET_BYTES) {
      plans.clear();
      tablesEnd = base;
    }
    if (!reserve(tablesEnd + bytes)) return null;
    const [planAt, windowAt, twiddlesAt, reversedAt, melAt, dctAt, freqsAt, contrastAt] = sizes.map(
      (size) => {
        const at = tablesEnd;
        tablesEnd = align16(tablesEnd + size);
        return at;
      },
    );
    doubles(windowAt, nFft).set(window);
    // W_nFft^k = (cos, −sin)(2πk / nFft), k = 0 … half, as core/audio/real-fft.ts computes them; the
    // half-size FFT's own twiddles are every other one.
    const twiddles = doubles(twiddlesAt, 2 * (half + 1));
    for (let k = 0; k <= half; k++) {
      twiddles[2 * k] = Math.cos((2 * Math.PI * k) / nFft);
      twiddles[2 * k + 1] = -Math.sin((2 * Math.PI * k) / nFft);
    }
    const reversed = ints(reversedAt, half);
    const bits = Math.log2(half);
    for (let n = 0; n < half; n++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((n >> b) & 1) << (bits - 1 - b);
      reversed[n] = r * VECTOR_BYTES;
    }
    if (hasMel && mel) {
      const records = ints(melAt, nMels * 4);
      let weightsAt = melAt + nMels * RECORD_BYTES;
      for (let m = 0; m < nMels; m++) {
        const start = mel.starts[m];
        const count = mel.ends[m] - start;
        records.set([start, count, weightsAt], 4 * m);
        const row = m * mel.bins + start;
        doubles(weightsAt, count).set(mel.weights.subarray(row, row + count));
        weightsAt += count * 8;
      }
    }
    if (hasDct && dct) doubles(dctAt, dct.matrix.length).set(dct.matrix);
    if (hasShape) doubles(freqsAt, bins).set(fftFrequencies(plan.sampleRate, nFft));
    let maxTake = 0;
    if (hasContrast && contrast) {
      const records = ints(contrastAt, contrastBands * 4);
      for (let band = 0; band < contrastBands; band++) {
        records.set([contrast.first[band], contrast.end[band], contrast.take[band]], 4 * band);
        maxTake = Math.max(maxTake, contrast.take[band]);
      }
    }
    const record = ints(planAt, PLAN_BYTES / 4);
    record.set([
      stft.hop,
      half,
      windowAt,
      twiddlesAt,
      reversedAt,
      hasMel ? melAt : 0,
      nMels,
      hasDct ? dctAt : 0,
      hasDct && dct ? dct.outputs : 0,
      hasShape ? freqsAt : 0,
      hasContrast ? contrastAt : 0,
      contrastBands,
      maxTake,
      plan.dims,
      columns.logMel,
      columns.mfcc,
      columns.centroid,
      columns.bandwidth,
      columns.rolloff,
      columns.contrast,
      columns.rms,
      columns.zcr,
    ]);
    new Float32Array(wasm.memory.buffer, planAt + 88, 1)[0] = float32AtLeast(-plan.zcrThreshold);
    doubles(planAt + 96, 3).set([plan.floorPower, plan.rolloffPercent, plan.floorMeanSquare]);
    const tables = { plan: planAt, scratchBytes: wasm.scratchBytes(half, nMels, maxTake), contrastBands };
    plans.set(plan, tables);
    return tables;
  };

  /**
   * Lays out one call above the tables: the signal zero-padded for its frames, an output of `rowBytes` per
   * frame, the per-frame scratch and the contrast extremes. Null when memory cannot grow that far.
   */
  const padSignal = (plan: FrameFeaturesPlan, signal: Float32Array, rowBytes: number, tables: Tables) => {
    const { nFft, hop } = plan.stft;
    const half = nFft / 2;
    const frames = plan.stft.frameCount(signal.length);
    // An even number of frames: the last pair's second frame, when there is no such frame, reads zeros.
    const rows = frames + (frames & 1);
    const paddedLength = (rows - 1) * hop + nFft;
    const padded = tablesEnd;
    const matrix = align16(padded + paddedLength * 4);
    const scratch = align16(matrix + rows * rowBytes);
    const extremes = align16(scratch + tables.scratchBytes);
    const end = extremes + (rows / 2) * tables.contrastBands * 2 * VECTOR_BYTES;
    if (!reserve(end)) return null;
    const input = new Float32Array(wasm.memory.buffer, padded, paddedLength);
    // Frame t is samples [t·hop − half, t·hop + half) of the signal: `half` zeros in front.
    const present = Math.min(signal.length, paddedLength - half);
    input.fill(0, 0, half);
    input.set(signal.subarray(0, present), half);
    input.fill(0, half + present);
    return { padded, matrix, scratch, extremes };
  };

  return {
    memoryBytes: () => wasm.memory.buffer.byteLength,

    frameFeatures(plan, signal, out) {
      // Checked before any size reaches the kernels' i32 arithmetic.
      if (signal.length * 4 > MAX_MEMORY_BYTES) return false;
      const tables = tablesFor(plan);
      if (!tables) return false;
      const frames = plan.stft.frameCount(signal.length);
      const layout = padSignal(plan, signal, plan.dims * 4, tables);
      if (!layout) return false;
      const { padded, matrix, scratch, extremes } = layout;
      const features = new Float32Array(wasm.memory.buffer, matrix, frames * plan.dims);
      // The columns the kernel leaves alone keep what `out` has.
      features.set(out.subarray(0, frames * plan.dims));
      wasm.frameFeatures(tables.plan, padded, frames, signal.length, matrix, scratch, extremes);
      out.set(features);
      return true;
    },

    scaledLogMel(energies, gainSquared, floor, out) {
      const nMels = floor.length;
      if (energies.length % nMels !== 0 || energies.length * 12 > MAX_MEMORY_BYTES) return false;
      const floorAt = tablesEnd;
      const energiesAt = align16(floorAt + nMels * 8);
      const outAt = align16(energiesAt + energies.length * 8);
      if (!reserve(outAt + energies.length * 4)) return false;
      doubles(floorAt, nMels).set(floor);
      doubles(energiesAt, energies.length).set(energies);
      wasm.scaledLogMel(energiesAt, energies.length / nMels, nMels, gainSquared, floorAt, outAt);
      out.set(new Float32Array(wasm.memory.buffer, outAt, energies.length));
      return true;
    },

    melEnergies(plan, signal, out) {
      const { columns } = plan;
      if (signal.length * 4 > MAX_MEMORY_BYTES || plan.mel === null) return false;
      if (columns.logMel < 0 && columns.mfcc < 0) return false;
      const tables = tablesFor(plan);
      if (!tables) return false;
      const { nMels } = plan.mel;
      const frames = plan.stft.frameCount(signal.length);
      const layout = padSignal(plan, signal, nMels * 8, tables);
      if (!layout) return false;
      wasm.melEnergyFrames(tables.plan, layout.padded, frames, layout.matrix, layout.scratch);
      out.set(new Float64Array(wasm.memory.buffer, layout.matrix, frames * nMels));
      return true;
    },
  };
}

/** The smallest f32 ≥ x: comparing an f32 sample with it in f32 gives what comparing with x in f64 does. */
function float32AtLeast(x: number): number {
  const rounded = Math.fround(x);
  if (rounded >= x) return rounded;
  // One f32 step up: towards zero for a negative value, away from it for a positive one.
  const bits = new Int32Array(Float32Array.of(rounded).buffer);
  bits[0] += rounded < 0 ? -1 : 1;
  return new Float32Array(bits.buffer)[0];
}
