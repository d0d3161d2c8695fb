/**
 * Voice activity's frame levels for audio that arrives in pieces (a live stream), so that each window of the
 * stream's grid takes its levels from one pass over the samples instead of summing its own again. The blocks of
 * samples are summed in the order detectVoiceActivity sums them and each frame adds up its blocks the same way,
 * so a window's levels are, to the bit, the ones it would compute alone (windowLevels does the same for a whole
 * clip).
 */
import {
  type ActivityFrames,
  type ActivityLevels,
  activityFrameCount,
  blockOf,
  defaultActivityFrames,
  frameLevel,
  MIN_BLOCK,
} from './voice-activity.ts';

export interface ActivityLevelsStream {
  /** Appends samples at the stream's rate. */
  push(samples: Float32Array): void;
  /**
   * The levels of the `length` samples from `from` (sample index in the stream, received already), or null when
   * the window does not start on a frame, is shorter than one, or reaches before what was dropped.
   */
  levelsFor(from: number, length: number): ActivityLevels | null;
  /** Forgets the samples before `sample`: no later window starts before it. */
  dropBefore(sample: number): void;
}

export function createActivityLevelsStream(
  sampleRate: number,
  frames: ActivityFrames = defaultActivityFrames(sampleRate),
): ActivityLevelsStream {
  const block = blockOf(frames);
  const shareable = !frames.centred && block >= MIN_BLOCK;
  // Sums of complete blocks from block `firstBlock` on, then the running sums of the block being filled.
  let blockSquares = new Float64Array(256);
  let blockSums = new Float64Array(256);
  let firstBlock = 0;
  let completeBlocks = 0;
  let squares = 0;
  let sum = 0;
  let filled = 0;

  const storeBlock = () => {
    const at = completeBlocks - firstBlock;
    if (at === blockSquares.length) {
      const grownSquares = new Float64Array(2 * at);
      const grownSums = new Float64Array(2 * at);
      grownSquares.set(blockSquares);
      grownSums.set(blockSums);
      blockSquares = grownSquares;
      blockSums = grownSums;
    }
    blockSquares[at] = squares;
    blockSums[at] = sum;
    completeBlocks++;
    squares = 0;
    sum = 0;
    filled = 0;
  };

  return {
    push(samples) {
      if (!shareable) return;
      const length = samples.length;
      let i = 0;
      while (i < length) {
        // A block (or what is left of one) at a time, summed in locals: the closure's variables live in memory.
        const end = Math.min(length, i + block - filled);
        let runningSquares = squares;
        let runningSum = sum;
        for (let j = i; j < end; j++) {
          const x = samples[j];
          runningSquares += x * x;
          runningSum += x;
        }
        squares = runningSquares;
        sum = runningSum;
        filled += end - i;
        i = end;
        if (filled === block) storeBlock();
      }
    },
    levelsFor(from, length) {
      if (!shareable || from % frames.hop !== 0 || length < frames.frameLength) return null;
      const count = activityFrameCount(frames, length);
      const firstFrame = from / frames.hop;
      const lastBlockEnd = ((firstFrame + count - 1) * frames.hop + frames.frameLength) / block;
      if (from / block < firstBlock || lastBlockEnd > completeBlocks) return null;
      const energies = new Float64Array(count);
      const frameSquares = new Float64Array(count);
      const blocksPerFrame = frames.frameLength / block;
      for (let frame = 0; frame < count; frame++) {
        const start = ((firstFrame + frame) * frames.hop) / block - firstBlock;
        let total = 0;
        let frameSum = 0;
        for (let b = start; b < start + blocksPerFrame; b++) {
          total += blockSquares[b];
          frameSum += blockSums[b];
        }
        const level = frameLevel(total, frameSum, frames.frameLength, true);
        energies[frame] = level.energy;
        frameSquares[frame] = level.squares;
      }
      return { frames, energies, squares: frameSquares };
    },
    dropBefore(sample) {
      const drop = Math.min(Math.floor(sample / block), completeBlocks) - firstBlock;
      if (drop <= 0) return;
      blockSquares.copyWithin(0, drop, completeBlocks - firstBlock);
      blockSums.copyWithin(0, drop, completeBlocks - firstBlock);
      firstBlock += drop;
    },
  };
}
