import { describe, expect, it } from 'vitest';
import { SvmConfigSchema, SvmModelConfigSchema } from '../../core/contracts/model-configs.ts';
import { createRandom } from '../../training/random.ts';
import { svmCandidates, svmDecisions, svmProbabilities, trainSvm } from '../../training/svm.ts';
import { chooseSvm, standardiserOf } from '../../training/svm-experiment.ts';

/** `count` points per class around each centre, with Gaussian spread `spread`. */
function blobs(centres: number[][], count: number, spread: number, seed: number) {
  const random = createRandom(seed);
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  centres.forEach((centre, label) => {
    for (let i = 0; i < count; i++) {
      rows.push(Float64Array.from(centre, (value) => value + spread * random.normal()));
      labels.push(label);
    }
  });
  return { rows, labels };
}

const predict = (model: ReturnType<typeof trainSvm>, row: Float64Array) => {
  const p = svmProbabilities(model, row);
  return p.indexOf(Math.max(...p));
};

describe('svm', () => {
  it('separates linearly separable data with a linear kernel, with the margin on the right side', () => {
    const { rows, labels } = blobs(
      [
        [-2, -2],
        [2, 2],
      ],
      30,
      0.5,
      1,
    );
    const model = trainSvm(rows, labels, 2, SvmConfigSchema.parse({ kernel: 'linear', c: 10 }));
    rows.forEach((row, i) => {
      const [f] = svmDecisions(model, row);
      // Class 0 is the positive side of its one-vs-rest machine.
      expect(Math.sign(f)).toBe(labels[i] === 0 ? 1 : -1);
      expect(Math.abs(f)).toBeGreaterThan(0.9);
    });
    // Only points near the boundary support it.
    expect(model.binaries[0].support.length).toBeLessThan(rows.length / 2);
  });

  it('solves XOR with an RBF kernel, where a linear one cannot', () => {
    const { rows, labels: corners } = blobs(
      [
        [-1, -1],
        [1, 1],
        [-1, 1],
        [1, -1],
      ],
      20,
      0.15,
      2,
    );
    const labels = corners.map((corner) => (corner < 2 ? 0 : 1));
    const accuracy = (kernel: 'linear' | 'rbf') => {
      const model = trainSvm(rows, labels, 2, SvmConfigSchema.parse({ kernel, c: 10, gamma: 1 }));
      return rows.filter((row, i) => predict(model, row) === labels[i]).length / rows.length;
    };
    expect(accuracy('rbf')).toBe(1);
    expect(accuracy('linear')).toBeLessThan(0.8);
  });

  it('classifies three classes one-vs-rest, with probabilities that sum to 1 and track accuracy', () => {
    const centres = [
      [0, 0],
      [2.5, 0],
      [0, 2.5],
    ];
    const train = blobs(centres, 60, 1, 3);
    const test = blobs(centres, 200, 1, 4);
    const model = trainSvm(
      train.rows,
      train.labels,
      3,
      SvmConfigSchema.parse({ kernel: 'rbf', c: 1, gamma: 0.5 }),
    );
    let correct = 0;
    let confidence = 0;
    test.rows.forEach((row, i) => {
      const p = svmProbabilities(model, row);
      expect(p.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 9);
      const top = p.indexOf(Math.max(...p));
      if (top === test.labels[i]) correct++;
      confidence += p[top];
    });
    const accuracy = correct / test.rows.length;
    expect(accuracy).toBeGreaterThan(0.75);
    // Calibrated within 0.1: the mean top probability is close to how often the top class is right.
    expect(Math.abs(confidence / test.rows.length - accuracy)).toBeLessThan(0.1);
  });

  it('refuses rows without labels and rows of the wrong width', () => {
    const config = SvmConfigSchema.parse({});
    expect(() => trainSvm([Float64Array.of(1)], [0, 1], 2, config)).toThrow(
      'svm: expected a label per row, got 2 for 1',
    );
    const { rows, labels } = blobs([[0], [3]], 5, 0.1, 5);
    const model = trainSvm(rows, labels, 2, config);
    expect(() => svmDecisions(model, Float64Array.of(1, 2))).toThrow('svm: expected 1 features, got 2');
  });
});

describe('svm candidates', () => {
  it('lists one pair, or every C with every γ, C first', () => {
    const pairs = (model: object) =>
      svmCandidates(SvmModelConfigSchema.parse({ architecture: 'svm', ...model })).map(({ c, gamma }) => [
        c,
        gamma,
      ]);
    expect(pairs({ c: 3 })).toEqual([[3, null]]);
    expect(pairs({ c: [1, 10], gamma: [null, 0.5] })).toEqual([
      [1, null],
      [1, 0.5],
      [10, null],
      [10, 0.5],
    ]);
  });

  it('are chosen by speaker-grouped folds of the training rows: the γ that can draw an XOR wins', () => {
    // Two classes on the diagonals of a square: no near-linear kernel separates them.
    const { rows, labels: corners } = blobs(
      [
        [-2, -2],
        [2, 2],
        [-2, 2],
        [2, -2],
      ],
      24,
      0.4,
      3,
    );
    const labels = corners.map((corner) => (corner < 2 ? 0 : 1));
    const speakers = rows.map((_, i) => `s${i % 6}`);
    const candidates = svmCandidates(
      SvmModelConfigSchema.parse({ architecture: 'svm', c: 10, gamma: [1e-6, 1] }),
    );
    const { chosen, scores } = chooseSvm(candidates, rows, labels, speakers, ['a', 'b'], 3, 1);
    expect(chosen.gamma).toBe(1);
    expect(scores[1]).toBeGreaterThan(0.9);
    expect(scores[0]).toBeLessThan(0.75);
    // One pair is taken as it is, with nothing trained to choose it.
    expect(chooseSvm(candidates.slice(0, 1), rows, labels, speakers, ['a', 'b'], 3, 1)).toEqual({
      chosen: candidates[0],
      scores: [],
      groups: 0,
    });
    // No more inner folds than speakers.
    expect(chooseSvm(candidates, rows, labels, speakers, ['a', 'b'], 10, 1).groups).toBe(6);
  });

  it('cannot be chosen from one speaker, and says so', () => {
    const candidates = svmCandidates(SvmModelConfigSchema.parse({ architecture: 'svm', c: [1, 10] }));
    const rows = [Float64Array.of(0), Float64Array.of(1)];
    expect(() => chooseSvm(candidates, rows, [0, 1], ['s', 's'], ['a', 'b'], 5, 1)).toThrow(
      'svm: expected at least 2 training speakers to choose C and γ, got 1',
    );
  });
});

describe('standardiserOf', () => {
  it('gives each column zero mean and unit spread over the rows it was made from, and leaves constant columns at 0', () => {
    const rows = [Float64Array.of(1, 5), Float64Array.of(3, 5), Float64Array.of(5, 5)];
    const standardise = standardiserOf(rows);
    const out = rows.map(standardise);
    expect(out.map((row) => row[0])).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)]);
    expect(out.map((row) => row[1])).toEqual([0, 0, 0]);
    // Other rows are placed on the same scale.
    expect(standardise(Float64Array.of(7, 6))[0]).toBeCloseTo(2 * Math.sqrt(1.5), 12);
  });
});
