/** What training's modules share: the examples a fold trains on, its options, its epochs and its result. */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { z } from 'zod';
import type { EpochRecordSchema } from '../core/contracts/run-record.ts';
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import type { ModelConfig } from './models/index.ts';

/** Examples held in memory: features [count, frames, dims] row-major (normalised), labels as class indices. */
export interface FeatureSet {
  features: Float32Array;
  labels: readonly number[];
  frames: number;
  dims: number;
  /** The leading columns that are spectral bands (the extractor's `spectralDims`): what the equaliser bends. */
  bands: number;
  /**
   * Augmented copies of `features` (same shape, same order: copy k of example i is the same clip transformed);
   * each epoch every training example is drawn from the original or one of them, uniformly.
   */
  variants?: readonly Float32Array[];
  /** Group (corpus) of each example, for `maxExamplesPerGroup`. */
  groups?: readonly number[];
  /** The teachers' probabilities for each example [count × labels] (training.distillation). */
  teacherTargets?: Float32Array;
}

/** One epoch of one fold, as stored in the run record (core/contracts/run-record.ts's EpochRecordSchema). */
export type EpochRecord = z.output<typeof EpochRecordSchema>;

export interface TrainFoldOptions {
  model: ModelConfig;
  training: TrainingConfig;
  /** Label order of the model's outputs. */
  labels: readonly string[];
  train: FeatureSet;
  /** For early stopping and best-weights restore; without it every epoch runs and the last weights are kept. */
  validation?: FeatureSet;
  /** Epoch checkpoints go here; a fold interrupted with the same inputs resumes from its last epoch. */
  checkpointDir?: string;
  /** Shown in progress lines: fold `index` (0-based) of `count`. */
  fold?: { index: number; count: number };
  log?: TrainingLog;
  /** Called after each epoch's checkpoint is written. */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

export interface TrainedFold {
  /** With the best epoch's weights restored. */
  model: tfl.LayersModel;
  history: EpochRecord[];
  /** The epoch whose weights the model has (1-based); 0 if no epoch scored a finite loss (initial weights). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training time in this process (excludes epochs done before a resume). */
  seconds: number;
  /** The last completed epoch found in the checkpoint, or null for a fresh start. */
  resumedFromEpoch: number | null;
}

/** Progress of early stopping, saved with every checkpoint. */
export interface StoppingState {
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  /** Lower is better; null until an epoch scores a finite value. */
  bestScore: number | null;
  epochsWithoutImprovement: number;
  /** Optimizer steps in the weight average (weightAverage), whose mean the checkpoint keeps as its best weights. */
  averagedSteps?: number;
}

/**
 * Where training reports: every line, and with `progress` an epoch's progress line, which a terminal may redraw
 * in place instead of scrolling (the next plain line keeps the last one).
 */
export type TrainingLog = (line: string, kind?: 'progress') => void;
