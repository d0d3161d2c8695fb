/**
 * A support-vector classifier for the classical baseline seed paper 003 compares against: C-SVC trained by SMO
 * with LIBSVM's maximal-violating-pair working-set selection (Keerthi et al., 2001; Fan et al., 2005), a linear or
 * RBF kernel, one-vs-rest over the classes, and Platt-scaled scores (a sigmoid per class fitted on its training
 * decisions, then normalised over the classes) as probabilities. Inputs are feature vectors, e.g. utterance
 * statistics; standardise them first, as for any SVM. Pure TypeScript, float64, no dependencies.
 */
import type { SvmConfig, SvmModelConfig } from '../core/contracts/model-configs.ts';

interface BinaryModel {
  /** Support vectors' indices into the training rows, and their coefficients αᵢyᵢ. */
  support: number[];
  coefficients: number[];
  bias: number;
  /** Platt's sigmoid: P(y = 1 | f) = 1 / (1 + exp(a·f + b)). */
  plattA: number;
  plattB: number;
}

export interface SvmModel {
  config: SvmConfig;
  classes: number;
  features: number;
  /** The training rows the support vectors point into. */
  rows: Float64Array[];
  gamma: number;
  binaries: BinaryModel[];
}

/** A C or γ as the records and logs print it: three significant digits, `1 / features` for γ's default. */
export const svmValueText = (value: number | null) =>
  value === null ? '1 / features' : String(Number(value.toPrecision(3)));

/** The (C, γ) pairs a model config lists, C first: one pair, or the grid each fold chooses from. */
export function svmCandidates(model: SvmModelConfig): SvmConfig[] {
  const { architecture: _, searchFolds: __, ...fixed } = model;
  const cs = Array.isArray(model.c) ? model.c : [model.c];
  const gammas = Array.isArray(model.gamma) ? model.gamma : [model.gamma];
  return cs.flatMap((c) => gammas.map((gamma) => ({ ...fixed, c, gamma })));
}

function kernelOf(config: SvmConfig, gamma: number): (a: Float64Array, b: Float64Array) => number {
  if (config.kernel === 'linear') {
    return (a, b) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
      return sum;
    };
  }
  return (a, b) => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
    return Math.exp(-gamma * sum);
  };
}

/** Trains one-vs-rest C-SVCs on `rows` (feature vectors) with labels in [0, classes). */
export function trainSvm(
  rows: readonly Float64Array[],
  labels: readonly number[],
  classes: number,
  config: SvmConfig,
): SvmModel {
  if (classes < 2) throw new RangeError(`svm: expected at least 2 classes, got ${classes}`);
  if (rows.length !== labels.length)
    throw new RangeError(`svm: expected a label per row, got ${labels.length} for ${rows.length}`);
  if (rows.length < 2) throw new RangeError(`svm: expected at least 2 training rows, got ${rows.length}`);
  const features = rows[0].length;
  const gamma = config.gamma ?? 1 / features;
  const kernel = kernelOf(config, gamma);
  // The Gram matrix once, shared by every class's problem (n² doubles: fine for corpus-sized sets).
  const n = rows.length;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = kernel(rows[i], rows[j]);
      gram[i * n + j] = value;
      gram[j * n + i] = value;
    }
  }
  const binaries = Array.from({ length: classes }, (_, positive) => {
    const y = Float64Array.from(labels, (label) => (label === positive ? 1 : -1));
    const binary = solveSmo(gram, n, y, config);
    const decisions = Array.from({ length: n }, (_, i) => {
      let f = binary.bias;
      for (let s = 0; s < binary.support.length; s++)
        f += binary.coefficients[s] * gram[binary.support[s] * n + i];
      return f;
    });
    const [plattA, plattB] = fitPlatt(decisions, y);
    return { ...binary, plattA, plattB };
  });
  return { config, classes, features, rows: [...rows], gamma, binaries };
}

/** One binary C-SVC by SMO: the dual max Σα − ½ΣΣ αᵢαⱼyᵢyⱼKᵢⱼ, 0 ≤ α ≤ C, Σαᵢyᵢ = 0. */
function solveSmo(
  gram: Float64Array,
  n: number,
  y: Float64Array,
  config: SvmConfig,
): Omit<BinaryModel, 'plattA' | 'plattB'> {
  const { c, tolerance, maxIterations } = config;
  const alpha = new Float64Array(n);
  // Gradient of the (minimised) dual: G = Qα − 1, with Q = yᵢyⱼKᵢⱼ; α = 0 at the start.
  const gradient = new Float64Array(n).fill(-1);
  const inUp = (i: number) => (y[i] > 0 && alpha[i] < c) || (y[i] < 0 && alpha[i] > 0);
  const inLow = (i: number) => (y[i] > 0 && alpha[i] > 0) || (y[i] < 0 && alpha[i] < c);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let i = -1;
    let j = -1;
    let maxUp = Number.NEGATIVE_INFINITY;
    let minLow = Number.POSITIVE_INFINITY;
    for (let t = 0; t < n; t++) {
      const value = -y[t] * gradient[t];
      if (inUp(t) && value > maxUp) {
        maxUp = value;
        i = t;
      }
      if (inLow(t) && value < minLow) {
        minLow = value;
        j = t;
      }
    }
    if (i < 0 || j < 0 || maxUp - minLow < tolerance) break;
    const curvature = Math.max(gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j], 1e-12);
    // Move along yᵢΔαᵢ = −yⱼΔαⱼ by the unconstrained optimum, then clip to the box.
    let step = (maxUp - minLow) / curvature;
    const room = (t: number, sign: number) => (sign > 0 ? c - alpha[t] : alpha[t]);
    step = Math.min(step, room(i, y[i]), room(j, -y[j]));
    const deltaI = y[i] * step;
    const deltaJ = -y[j] * step;
    alpha[i] += deltaI;
    alpha[j] += deltaJ;
    for (let t = 0; t < n; t++) {
      gradient[t] += y[t] * (y[i] * gram[i * n + t] * deltaI + y[j] * gram[j * n + t] * deltaJ);
    }
  }
  // Bias from the free support vectors (0 < α < C), else the middle of the feasible range.
  // (LIBSVM's ρ is −bias; −yᵢGᵢ is the bias each vector would imply.)
  let sum = 0;
  let free = 0;
  let fromBelow = Number.NEGATIVE_INFINITY;
  let fromAbove = Number.POSITIVE_INFINITY;
  for (let t = 0; t < n; t++) {
    const value = -y[t] * gradient[t];
    if (alpha[t] > 1e-9 && alpha[t] < c - 1e-9) {
      sum += value;
      free++;
    } else if ((y[t] > 0 && alpha[t] <= 1e-9) || (y[t] < 0 && alpha[t] >= c - 1e-9)) {
      fromBelow = Math.max(fromBelow, value);
    } else {
      fromAbove = Math.min(fromAbove, value);
    }
  }
  const bias =
    free > 0
      ? sum / free
      : Number.isFinite(fromBelow) && Number.isFinite(fromAbove)
        ? (fromBelow + fromAbove) / 2
        : Number.isFinite(fromBelow)
          ? fromBelow
          : Number.isFinite(fromAbove)
            ? fromAbove
            : 0;
  const support: number[] = [];
  const coefficients: number[] = [];
  for (let t = 0; t < n; t++) {
    if (alpha[t] > 1e-9) {
      support.push(t);
      coefficients.push(alpha[t] * y[t]);
    }
  }
  return { support, coefficients, bias };
}

/** Platt's sigmoid fitted by Newton's method with his target smoothing (Lin, Lin & Weng, 2007). */
function fitPlatt(decisions: readonly number[], y: Float64Array): [number, number] {
  const positives = y.reduce((count, value) => count + (value > 0 ? 1 : 0), 0);
  const negatives = y.length - positives;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  const targets = Array.from(y, (value) => (value > 0 ? high : low));
  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  const objective = (pa: number, pb: number) =>
    decisions.reduce((sum, f, i) => {
      const z = f * pa + pb;
      // −t·log p − (1 − t)·log(1 − p) with p = 1 / (1 + e^z), written stably for either sign of z.
      return (
        sum +
        (z >= 0 ? targets[i] * z + Math.log1p(Math.exp(-z)) : (targets[i] - 1) * z + Math.log1p(Math.exp(z)))
      );
    }, 0);
  let value = objective(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    decisions.forEach((f, i) => {
      const z = f * a + b;
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
      const q = 1 - p;
      const d2 = p * q;
      h11 += f * f * d2;
      h22 += d2;
      h21 += f * d2;
      const d1 = targets[i] - p;
      g1 += f * d1;
      g2 += d1;
    });
    if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) break;
    const determinant = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / determinant;
    const db = -(-h21 * g1 + h11 * g2) / determinant;
    const gd = g1 * da + g2 * db;
    let stepSize = 1;
    while (stepSize >= 1e-10) {
      const candidate = objective(a + stepSize * da, b + stepSize * db);
      if (candidate < value + 1e-4 * stepSize * gd) {
        a += stepSize * da;
        b += stepSize * db;
        value = candidate;
        break;
      }
      stepSize /= 2;
    }
    if (stepSize < 1e-10) break;
  }
  return [a, b];
}

/** Each class's one-vs-rest decision value for `row`. */
export function svmDecisions(model: SvmModel, row: Float64Array): number[] {
  if (row.length !== model.features) {
    throw new RangeError(`svm: expected ${model.features} features, got ${row.length}`);
  }
  const kernel = kernelOf(model.config, model.gamma);
  const cache = new Map<number, number>();
  const k = (index: number) => {
    let value = cache.get(index);
    if (value === undefined) {
      value = kernel(model.rows[index], row);
      cache.set(index, value);
    }
    return value;
  };
  return model.binaries.map((binary) =>
    binary.support.reduce((sum, index, s) => sum + binary.coefficients[s] * k(index), binary.bias),
  );
}

/** Class probabilities for `row`: each class's Platt probability, normalised to sum to 1. */
export function svmProbabilities(model: SvmModel, row: Float64Array): Float64Array {
  const scores = svmDecisions(model, row).map((f, index) => {
    const { plattA, plattB } = model.binaries[index];
    return 1 / (1 + Math.exp(plattA * f + plattB));
  });
  const total = scores.reduce((sum, value) => sum + value, 0);
  return Float64Array.from(scores, (value) => (total > 0 ? value / total : 1 / scores.length));
}
