import type { FeatureMatrix } from './feature-set.ts';

/** A feature matrix cropped or padded to the model's fixed input length. */
export interface FittedFrames extends FeatureMatrix {
  /** Clip frame placed at input frame 0: positive when the clip was cropped, negative when it was padded. */
  firstFrame: number;
  /** Input frames that hold clip frames (the rest is padding). */
  audioFrames: number;
}

/**
 * Centred crop or zero pad to `frames` (equal trim or padding on both sides; an odd frame is trimmed from the end, or padded at the start).
 * Apply it to normalised features: the zero padding is then the training-set mean. Training and serving both
 * call this, so a clip is fitted the same way in both.
 */
export function centreFrames(matrix: FeatureMatrix, frames: number): FittedFrames {
  if (!Number.isInteger(frames) || frames <= 0) {
    throw new RangeError(`centreFrames: expected a positive whole number of frames, got ${frames}`);
  }
  const { dims } = matrix;
  const data = new Float32Array(frames * dims);
  const firstFrame = Math.floor((matrix.frames - frames) / 2);
  const from = Math.max(0, firstFrame);
  const to = Math.min(matrix.frames, firstFrame + frames);
  data.set(matrix.data.subarray(from * dims, to * dims), (from - firstFrame) * dims);
  return { data, frames, dims, firstFrame, audioFrames: Math.max(0, to - from) };
}
