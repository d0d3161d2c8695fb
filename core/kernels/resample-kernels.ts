/**
 * JS face of the resampler's WebAssembly SIMD loops in `resample.wasm` (source: `assembly/resample.ts`, built
 * by `npm run build:kernels`), with decoding's 16-bit PCM downmix in front of them, for `useResampleKernels` in
 * core/audio/resample.ts. Instantiation takes an
 * already compiled module because workerd cannot compile wasm at run time: there
 * `import resampleWasm from './resample.wasm'` gives the module; Node reads the file (`load-node.ts`).
 *
 * Memory: each plan's tables are copied in once and kept, up to TABLE_BUDGET_BYTES for all plans together.
 * Above them, one call's buffers: the input, the half-band stages' outputs, the output and the stages'
 * scratch (about 14 bytes per input sample in all; 16-bit PCM is downmixed into the input's room). Memory
 * grows to the largest call's need and stays, so calls needing more than MAX_MEMORY_BYTES are declined:
 * resample.ts then sends the input in overlapping pieces.
 */
import type { ResampleKernels } from '../audio/resample.ts';
import type { ResamplePlan, SharpKernel } from '../audio/resample-design.ts';
import { align16, createMemoryReserver } from './wasm-memory.ts';

/** The registered kernels, plus their memory size for callers that watch it. */
export interface WasmResampleKernels extends ResampleKernels {
  /** Size of the kernels' wasm memory: it grows to the largest call's need, then stays. */
  memoryBytes(): number;
}

interface ResampleExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  foldedScratch(...args: number[]): number;
  folded(...args: number[]): void;
  rowsScratch(...args: number[]): number;
  rows(...args: number[]): void;
  downmixPcm16(from: number, frames: number, channels: number, to: number): void;
}

/**
 * 16 MiB holds one call on about 1.2 M input samples (25 s at 48 kHz) without pinning much of the Worker's
 * 128 MB; resample.ts cuts longer inputs into pieces that fit.
 */
const MAX_MEMORY_BYTES = 16 << 20;
/** When a new plan's tables would pass this, the tables of every earlier plan are dropped first. */
const TABLE_BUDGET_BYTES = 2 << 20;
/** Folded-kernel records: {f32 tap, i32 left offset, i32 right offset, unused}. */
const RECORD_BYTES = 16;

/** One stage's tables in wasm memory, with what its call needs besides the buffers. */
type Stage =
  | {
      kind: 'folded';
      up: number;
      down: number;
      centre: number;
      terms: number;
      count0: number;
      count1: number;
    }
  | { kind: 'rows'; up: number; down: number; taps: number; reach: number; phases: number; table: number };

export function createResampleKernels(module: WebAssembly.Module): WasmResampleKernels {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as ResampleExports;
  const base = align16(wasm.heapBase());
  const plans = new Map<ResamplePlan, Stage[]>();
  let tablesEnd = base;

  const reserve = createMemoryReserver(wasm.memory, MAX_MEMORY_BYTES);
  const floats = (address: number, count: number) => new Float32Array(wasm.memory.buffer, address, count);

  /** The plan's stages, its tables copied in on first use. */
  const stagesFor = (plan: ResamplePlan): Stage[] | null => {
    const known = plans.get(plan);
    if (known) return known;
    const bytes = tableBytes(plan);
    if (tablesEnd + bytes > base + TABLE_BUDGET_BYTES) {
      plans.clear();
      tablesEnd = base;
    }
    if (!reserve(tablesEnd + bytes)) return null;
    const stages: Stage[] = [];
    const place = (byteCount: number) => {
      const at = tablesEnd;
      tablesEnd = align16(tablesEnd + byteCount);
      return at;
    };
    for (const coefficients of plan.halfBands) {
      const terms = place(coefficients.length * RECORD_BYTES);
      writeRecords(wasm.memory, terms, halfBandRecords(coefficients));
      stages.push({
        kind: 'folded',
        up: 1,
        down: 2,
        centre: 0.5,
        terms,
        count0: coefficients.length,
        count1: 0,
      });
    }
    const { kernel } = plan;
    if (kernel?.kind === 'symmetric') {
      const [phase0, phase1] = symmetricRecords(kernel);
      const terms = place((phase0.length + phase1.length) * RECORD_BYTES);
      writeRecords(wasm.memory, terms, [...phase0, ...phase1]);
      const { up, down, centre } = kernel;
      stages.push({ kind: 'folded', up, down, centre, terms, count0: phase0.length, count1: phase1.length });
    } else if (kernel) {
      const table = place(kernel.rows.length * 4);
      floats(table, kernel.rows.length).set(kernel.rows);
      const { up, down, taps, reach } = kernel;
      // An interpolated table has one row more than grid phases (resample-design.ts); 0 marks an exact one.
      const phases = kernel.kind === 'interpolated' ? kernel.rows.length / taps - 1 : 0;
      stages.push({ kind: 'rows', up, down, taps, reach, phases, table });
    }
    plans.set(plan, stages);
    return stages;
  };

  /**
   * Runs the plan's stages on the `length` samples at `tablesEnd` (written there by `fill` once the memory is
   * reserved) into `output`; false when the stages or their buffers do not fit.
   */
  const runPlan = (
    plan: ResamplePlan,
    length: number,
    fill: (input: number) => void,
    output: Float32Array,
  ) => {
    // Checked before any size reaches the kernels' i32 arithmetic.
    if (length * 4 > MAX_MEMORY_BYTES) return false;
    const stages = stagesFor(plan);
    if (!stages) return false;
    const halfBands = plan.halfBands.length;
    // Half-band stages alternate between `input` (which has room for any of them) and `stage`.
    const input = tablesEnd;
    const stage = align16(input + length * 4);
    const final = align16(stage + (halfBands > 0 ? Math.ceil(length / 2) * 4 : 0));
    const scratch = align16(final + output.length * 4);
    let scratchBytes = 0;
    let remaining = length;
    for (const step of stages) {
      const outLength = step === stages[halfBands] ? output.length : Math.ceil(remaining / 2);
      scratchBytes = Math.max(scratchBytes, scratchFor(wasm, step, remaining, outLength));
      remaining = outLength;
    }
    if (!reserve(scratch + scratchBytes)) return false;

    fill(input);
    let from = input;
    remaining = length;
    stages.forEach((step, index) => {
      const last = index === halfBands;
      const to = last ? final : index % 2 === 0 ? stage : input;
      const outLength = last ? output.length : Math.ceil(remaining / 2);
      run(wasm, step, from, remaining, to, outLength, scratch);
      from = to;
      remaining = outLength;
    });
    // Without a sharp kernel the last half-band output is the result, possibly one sample longer.
    output.set(floats(from, output.length));
    return true;
  };

  return {
    memoryBytes: () => wasm.memory.buffer.byteLength,

    resample: (plan, signal, output) =>
      runPlan(plan, signal.length, (input) => floats(input, signal.length).set(signal), output),

    resamplePcm16(plan, interleaved, channels, output) {
      // Mono and stereo, what uploads and corpora send; other layouts keep the TypeScript downmix.
      if (channels !== 1 && channels !== 2) return false;
      const frames = interleaved.length / channels;
      // The 16-bit samples go in at the far end of the input's room (2 bytes each, so at most half of it for
      // stereo), and the downmix writes the f32 mono signal from its start: frame f never overwrites samples
      // that frames after f still need.
      return runPlan(
        plan,
        frames,
        (input) => {
          const samples = input + frames * 4 - interleaved.length * 2;
          new Int16Array(wasm.memory.buffer, samples, interleaved.length).set(interleaved);
          wasm.downmixPcm16(samples, frames, channels, input);
        },
        output,
      );
    },
  };
}

function scratchFor(wasm: ResampleExports, stage: Stage, length: number, outLength: number): number {
  if (stage.kind === 'rows') return wasm.rowsScratch(length, stage.taps, stage.reach, stage.up, stage.down);
  return wasm.foldedScratch(outLength, stage.up, stage.down, stage.terms, stage.count0, stage.count1);
}

function run(
  wasm: ResampleExports,
  stage: Stage,
  from: number,
  length: number,
  to: number,
  outLength: number,
  scratch: number,
): void {
  if (stage.kind === 'rows') {
    const { table, taps, reach, up, down, phases } = stage;
    wasm.rows(from, length, to, outLength, table, taps, reach, up, down, phases, scratch);
  } else {
    const { up, down, centre, terms, count0, count1 } = stage;
    wasm.folded(from, length, to, outLength, up, down, centre, terms, count0, count1, scratch);
  }
}

/** A folded-kernel term: output q adds tap · (x[q·down + left] + x[q·down + right]). */
interface Term {
  tap: number;
  left: number;
  right: number;
}

/** `coefficients[j]` is the half-band tap at offsets ±(2j + 1) (resample.ts's `halve`). */
function halfBandRecords(coefficients: Float32Array): Term[] {
  return Array.from(coefficients, (tap, j) => ({ tap, left: -(2 * j + 1), right: 2 * j + 1 }));
}

/**
 * Phase 0 pairs its taps around the centre sample; phase ½ (up = 2, so `down` is odd) around the midpoint
 * of samples (down − 1) / 2 and (down + 1) / 2 past q·down (resample.ts's `filterSymmetric`).
 */
function symmetricRecords(kernel: Extract<SharpKernel, { kind: 'symmetric' }>): [Term[], Term[]] {
  const { up, down, pairs, rows } = kernel;
  const phase0 = Array.from(rows.subarray(0, pairs), (tap, m) => ({ tap, left: -1 - m, right: 1 + m }));
  if (up === 1) return [phase0, []];
  const half = (down - 1) / 2;
  const phase1 = Array.from(rows.subarray(pairs), (tap, m) => ({ tap, left: half - m, right: half + 1 + m }));
  return [phase0, phase1];
}

function writeRecords(memory: WebAssembly.Memory, address: number, terms: Term[]): void {
  const taps = new Float32Array(memory.buffer, address, terms.length * 4);
  const offsets = new Int32Array(memory.buffer, address, terms.length * 4);
  terms.forEach((term, t) => {
    taps[4 * t] = term.tap;
    offsets[4 * t + 1] = term.left;
    offsets[4 * t + 2] = term.right;
  });
}

function tableBytes(plan: ResamplePlan): number {
  let bytes = 0;
  for (const coefficients of plan.halfBands) bytes += align16(coefficients.length * RECORD_BYTES);
  const { kernel } = plan;
  if (kernel?.kind === 'symmetric') bytes += align16(kernel.up * kernel.pairs * RECORD_BYTES);
  else if (kernel) bytes += align16(kernel.rows.length * 4);
  return bytes;
}
