/**
 * SMOTE (Chawla et al., 2002), as seed paper 004 balanced its classes: every class smaller than the largest gets
 * synthetic examples until it is as large. A synthetic example is λ·x + (1 − λ)·n, value by value over the whole
 * [frames × dims] input (and over each augmented copy alike), where x is an example of the class drawn at
 * random, n one of its `neighbours` nearest examples of the same class, and λ ~ U(0, 1). Nearness is measured on
 * each example's mean frame (dims values), not on the whole input: a search over 7 520-value inputs, quadratic in
 * the examples, would cost more than training.
 *
 * The trainer applies it to the training side of a fold only (validation and test clips are never synthesised
 * from or into), from the run's seed.
 */

import type { SmoteConfig } from '../core/contracts/training-config.ts';
import type { Random } from './random.ts';
import type { FeatureSet } from './training-types.ts';

/** `set` with synthetic examples appended (originals first, unchanged) so that every class present is as large as the largest. */
export function smote(set: FeatureSet, config: SmoteConfig, random: Random): FeatureSet {
  const { frames, dims } = set;
  const size = frames * dims;
  const byClass = new Map<number, number[]>();
  set.labels.forEach((label, index) => {
    byClass.set(label, [...(byClass.get(label) ?? []), index]);
  });
  const largest = Math.max(...[...byClass.values()].map((members) => members.length));
  const means = meanFrames(set);

  const synthetic: { from: number; partner: number; lambda: number }[] = [];
  for (const [label, members] of [...byClass.entries()].sort(([a], [b]) => a - b)) {
    const missing = largest - members.length;
    if (missing === 0) continue;
    if (members.length < 2) {
      throw new RangeError(
        `smote: expected at least 2 training examples of class ${label} to interpolate, got 1`,
      );
    }
    const nearest = new Map<number, number[]>();
    for (let made = 0; made < missing; made++) {
      const from = members[random.int(members.length)];
      let candidates = nearest.get(from);
      if (candidates === undefined) {
        candidates = nearestOf(from, members, means, dims, config.neighbours);
        nearest.set(from, candidates);
      }
      synthetic.push({ from, partner: candidates[random.int(candidates.length)], lambda: random.next() });
    }
  }
  if (synthetic.length === 0) return set;

  const extend = (source: Float32Array) => {
    const out = new Float32Array(source.length + synthetic.length * size);
    out.set(source);
    synthetic.forEach(({ from, partner, lambda }, row) => {
      const target = out.subarray(source.length + row * size, source.length + (row + 1) * size);
      const a = source.subarray(from * size, (from + 1) * size);
      const b = source.subarray(partner * size, (partner + 1) * size);
      for (let i = 0; i < size; i++) target[i] = lambda * a[i] + (1 - lambda) * b[i];
    });
    return out;
  };
  return {
    features: extend(set.features),
    labels: [...set.labels, ...synthetic.map(({ from }) => set.labels[from])],
    frames,
    dims,
    bands: set.bands,
    ...(set.variants ? { variants: set.variants.map(extend) } : {}),
    ...(set.groups
      ? { groups: [...set.groups, ...synthetic.map(({ from }) => (set.groups as number[])[from])] }
      : {}),
  };
}

/** Each example's mean over its frames [count × dims]. */
function meanFrames(set: FeatureSet): Float64Array {
  const { frames, dims } = set;
  const count = set.labels.length;
  const means = new Float64Array(count * dims);
  for (let example = 0; example < count; example++) {
    for (let t = 0; t < frames; t++) {
      for (let d = 0; d < dims; d++)
        means[example * dims + d] += set.features[(example * frames + t) * dims + d];
    }
    for (let d = 0; d < dims; d++) means[example * dims + d] /= frames;
  }
  return means;
}

/** The `k` members nearest to `example` (Euclidean, on mean frames), itself excluded. */
function nearestOf(
  example: number,
  members: readonly number[],
  means: Float64Array,
  dims: number,
  k: number,
): number[] {
  const distance = (other: number) => {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += (means[example * dims + d] - means[other * dims + d]) ** 2;
    return sum;
  };
  return members
    .filter((other) => other !== example)
    .map((other) => ({ other, distance: distance(other) }))
    .sort((a, b) => a.distance - b.distance || a.other - b.other)
    .slice(0, k)
    .map(({ other }) => other);
}
