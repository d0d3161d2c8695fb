/** The examples of an epoch, in batches: which examples, their augmentation (random EQ, mixup) and weights. */
import type { TrainingConfig } from '../core/contracts/training-config.ts';
import type { Random } from './random.ts';
import type { FeatureSet } from './training-types.ts';

/**
 * Each training example's loss weight (see TrainingConfigSchema.classWeights): `balanced` gives n / (classes
 * present · n_class), `none` 1, and `balanced-per-corpus` m / (cells · m_cell), a cell being one label of one group
 * (corpus) and m counting what an epoch draws (epochExamples: at most `perGroup` of each group), so that every
 * cell weighs the same in an epoch on average (a capped group's draw varies from epoch to epoch). Examples without
 * a group count as one group.
 */
export function exampleLossWeights(
  labels: readonly number[],
  groups: readonly number[] | undefined,
  mode: 'balanced' | 'balanced-per-corpus' | 'none',
  perGroup: number | null,
): number[] {
  if (mode === 'none') return labels.map(() => 1);
  const perCorpus = mode === 'balanced-per-corpus';
  const groupOf = (index: number) => (perCorpus ? (groups?.[index] ?? 0) : 0);
  const cellOf = (index: number) => `${groupOf(index)}:${labels[index]}`;
  const groupSizes = new Map<number, number>();
  const cellSizes = new Map<string, number>();
  labels.forEach((_, i) => {
    groupSizes.set(groupOf(i), (groupSizes.get(groupOf(i)) ?? 0) + 1);
    cellSizes.set(cellOf(i), (cellSizes.get(cellOf(i)) ?? 0) + 1);
  });
  // The share of a group an epoch draws; all of it for the plain balance, as before the cap existed.
  const drawn = (group: number) =>
    perCorpus && perGroup !== null ? Math.min(1, perGroup / (groupSizes.get(group) as number)) : 1;
  const epochSize = [...groupSizes].reduce((sum, [group, size]) => sum + size * drawn(group), 0);
  return labels.map(
    (_, i) => epochSize / (cellSizes.size * (cellSizes.get(cellOf(i)) as number) * drawn(groupOf(i))),
  );
}

/** The examples of one epoch: all, or at most `perGroup` of each group drawn from the generator. */
export function epochExamples(set: FeatureSet, perGroup: number | null, random: Random): number[] {
  const all = set.labels.map((_, i) => i);
  if (perGroup === null || set.groups === undefined) return all;
  const byGroup = new Map<number, number[]>();
  for (const index of all) {
    const group = set.groups[index];
    byGroup.set(group, [...(byGroup.get(group) ?? []), index]);
  }
  const chosen: number[] = [];
  for (const group of [...byGroup.keys()].sort((a, b) => a - b)) {
    const members = byGroup.get(group) as number[];
    chosen.push(...(members.length <= perGroup ? members : random.shuffle(members).slice(0, perGroup)));
  }
  return chosen.sort((a, b) => a - b);
}

/** A random equaliser curve over `dims` bands (see TrainingConfigSchema's `randomEq`), with mean 0. */
export function randomEqCurve(dims: number, eq: TrainingConfig['randomEq'], random: Random): Float64Array {
  const curve = new Float64Array(dims);
  const tilt = (2 * random.next() - 1) * eq.maxTilt;
  const ripples = [1, 2].map((order) => ({
    order,
    amplitude: (2 * random.next() - 1) * eq.maxRipple,
    phase: 2 * Math.PI * random.next(),
  }));
  for (let d = 0; d < dims; d++) {
    const position = dims > 1 ? d / (dims - 1) : 0.5;
    curve[d] = tilt * (position - 0.5);
    for (const { order, amplitude, phase } of ripples) {
      curve[d] += amplitude * Math.cos(Math.PI * order * position + phase);
    }
  }
  const mean = curve.reduce((sum, value) => sum + value, 0) / dims;
  for (let d = 0; d < dims; d++) curve[d] -= mean;
  return curve;
}

// Padding (and the gap a shift leaves) is all zeros, the training mean: it stays what serving pads with.
const isPadding = (row: Float32Array) => row.every((value) => value === 0);

/** Adds `curve` to the first curve.length columns of every frame of `example` that is not padding. */
function addToAudioFrames(example: Float32Array, dims: number, curve: Float64Array): void {
  for (let at = 0; at < example.length; at += dims) {
    const row = example.subarray(at, at + dims);
    if (isPadding(row)) continue;
    for (let d = 0; d < curve.length; d++) row[d] += curve[d];
  }
}

/**
 * Warps `row`'s bands in place: band d takes the value at position d · factor of the original row, linearly
 * interpolated, the top band's value beyond it. `scratch` holds a copy of the row (dims floats).
 */
export function warpBands(row: Float32Array, factor: number, scratch: Float32Array): void {
  const dims = row.length;
  scratch.set(row);
  for (let d = 0; d < dims; d++) {
    const position = Math.min(d * factor, dims - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, dims - 1);
    const fraction = position - below;
    row[d] = scratch[below] + fraction * (scratch[above] - scratch[below]);
  }
}

/**
 * Keeps a random stretch of the audio frames of `target` (the rows from the first to the last that is not all
 * zeros), `minFrames` up to all of them long, and moves it to the middle, zeroing the rest.
 */
function cropAudioFrames(target: Float32Array, dims: number, minFrames: number, random: Random): void {
  const frames = target.length / dims;
  const isAudio = (frame: number) => target.subarray(frame * dims, (frame + 1) * dims).some((v) => v !== 0);
  let first = 0;
  while (first < frames && !isAudio(first)) first++;
  let end = frames;
  while (end > first && !isAudio(end - 1)) end--;
  const available = end - first;
  const shortest = Math.min(minFrames, available);
  const length = shortest + random.int(available - shortest + 1);
  const start = first + random.int(available - length + 1);
  const kept = target.slice(start * dims, (start + length) * dims);
  target.fill(0);
  target.set(kept, Math.floor((frames - length) / 2) * dims);
}

/**
 * The training batch of `indices` [count × frames × dims], augmented as the config says, in this order:
 * time shift, random crop, band warp, random equaliser, time masks, feature masks, then Gaussian noise.
 * Deterministic given the generator's state.
 */
export function gatherBatch(
  set: FeatureSet,
  indices: number[],
  augmentation: Pick<
    TrainingConfig,
    'noiseStd' | 'maxTimeShift' | 'specAugment' | 'randomEq' | 'randomCrop' | 'randomWarp'
  >,
  random: Random,
  /** Per example: 0 reads `features`, k reads `variants[k − 1]`. */
  sources?: Uint8Array,
  /**
   * Also returns the batch recoloured (eqConsistency): each clip with a fresh random equaliser curve from
   * `augmentation.randomEq`'s ranges whatever its probability, on its audio frames only, and the same input noise.
   */
  recolour = false,
): { features: Float32Array; recoloured: Float32Array | null } {
  const { frames, dims } = set;
  // The band warp, equaliser and frequency masks act on the spectral columns only, not on pitch.
  const { bands } = set;
  const size = frames * dims;
  const batch = new Float32Array(indices.length * size);
  const { maxTimeShift, specAugment, noiseStd, randomEq, randomCrop, randomWarp } = augmentation;
  const warpScratch = new Float32Array(bands);
  indices.forEach((index, row) => {
    const from = sources?.[index] ? (set.variants?.[sources[index] - 1] ?? set.features) : set.features;
    const source = from.subarray(index * size, (index + 1) * size);
    const target = batch.subarray(row * size, (row + 1) * size);
    const shift = maxTimeShift > 0 ? random.int(2 * maxTimeShift + 1) - maxTimeShift : 0;
    if (shift >= 0) target.set(source.subarray(0, (frames - shift) * dims), shift * dims);
    else target.set(source.subarray(-shift * dims));
    if (randomCrop.probability > 0 && random.next() < randomCrop.probability) {
      cropAudioFrames(target, dims, randomCrop.minFrames, random);
    }
    if (randomWarp.probability > 0 && random.next() < randomWarp.probability) {
      const factor = 1 + (2 * random.next() - 1) * randomWarp.maxWarp;
      for (let frame = 0; frame < frames; frame++) {
        const row = target.subarray(frame * dims, (frame + 1) * dims);
        if (!isPadding(row)) warpBands(row.subarray(0, bands), factor, warpScratch);
      }
    }
    if (randomEq.probability > 0 && random.next() < randomEq.probability) {
      addToAudioFrames(target, dims, randomEqCurve(bands, randomEq, random));
    }
    for (let mask = 0; mask < specAugment.timeMasks; mask++) {
      const width = Math.min(random.int(specAugment.maxTimeMask + 1), frames);
      const start = random.int(frames - width + 1);
      target.fill(0, start * dims, (start + width) * dims);
    }
    for (let mask = 0; mask < specAugment.freqMasks; mask++) {
      const width = Math.min(random.int(specAugment.maxFreqMask + 1), bands);
      const start = random.int(bands - width + 1);
      for (let frame = 0; frame < frames; frame++) {
        target.fill(0, frame * dims + start, frame * dims + start + width);
      }
    }
  });
  const recoloured = recolour ? batch.slice() : null;
  if (recoloured !== null) {
    for (let at = 0; at < recoloured.length; at += size) {
      addToAudioFrames(recoloured.subarray(at, at + size), dims, randomEqCurve(bands, randomEq, random));
    }
  }
  if (noiseStd > 0) {
    for (let i = 0; i < batch.length; i++) {
      const noise = noiseStd * random.normal();
      batch[i] += noise;
      if (recoloured !== null) recoloured[i] += noise;
    }
  }
  return { features: batch, recoloured };
}

/** A training batch: inputs, soft targets [count × classes], per-example loss weights, dominant labels. */
export interface TrainingBatch {
  features: Float32Array;
  targets: Float32Array;
  exampleWeights: Float32Array;
  labels: number[];
}

/**
 * One-hot targets over `classes` for `labels`, each example with its loss weight; with `alpha` > 0, mixup (see
 * TrainingConfigSchema): each example blended with a random partner of the batch, in features, targets and weight.
 * `labels` stay the dominant (first) example's.
 */
export function mixBatch(
  features: Float32Array,
  labels: number[],
  weights: readonly number[],
  classes: number,
  alpha: number,
  random: Random,
): TrainingBatch {
  const count = labels.length;
  const size = features.length / count;
  const targets = new Float32Array(count * classes);
  const exampleWeights = Float32Array.from(weights);
  if (alpha === 0) {
    labels.forEach((label, i) => {
      targets[i * classes + label] = 1;
    });
    return { features, targets, exampleWeights, labels };
  }
  const partners = random.shuffle(labels.map((_, i) => i));
  const mixed = new Float32Array(features.length);
  labels.forEach((label, i) => {
    const draw = random.beta(alpha, alpha);
    const lambda = Math.max(draw, 1 - draw);
    const partner = partners[i];
    for (let j = 0; j < size; j++) {
      mixed[i * size + j] = lambda * features[i * size + j] + (1 - lambda) * features[partner * size + j];
    }
    targets[i * classes + label] += lambda;
    targets[i * classes + labels[partner]] += 1 - lambda;
    exampleWeights[i] = lambda * weights[i] + (1 - lambda) * weights[partner];
  });
  return { features: mixed, targets, exampleWeights, labels };
}

/** Label smoothing in place: each row of `targets` (`classes` wide) becomes (1 − ε)·row + ε / classes. */
export function smoothTargets(targets: Float32Array, classes: number, epsilon: number): void {
  if (epsilon === 0) return;
  for (let i = 0; i < targets.length; i++) targets[i] = (1 - epsilon) * targets[i] + epsilon / classes;
}
