import { describe, expect, it } from 'vitest';
import {
  confusionMatrix,
  evaluate,
  meanStd,
  metricsFromConfusion,
  scoreTestFold,
  summariseFolds,
} from '../../../training/evaluation/metrics.ts';

const LABELS = ['neutral', 'happy', 'sad'];

describe('evaluate', () => {
  // Hand-worked: truth 4 neutral, 2 happy, 4 sad (10 items).
  //            predicted: neutral happy sad
  //   neutral            3       1     0
  //   happy              1       1     0
  //   sad                0       1     3
  const truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 0, 0, 1, 0, 1, 2, 2, 2, 1];

  it('counts the confusion matrix with true labels as rows', () => {
    expect(confusionMatrix(LABELS, truth, predicted)).toEqual({
      labels: LABELS,
      counts: [
        [3, 1, 0],
        [1, 1, 0],
        [0, 1, 3],
      ],
    });
  });

  it('computes WA, UA, macro-F1 and the per-class scores', () => {
    const metrics = evaluate(LABELS, truth, predicted);
    expect(metrics.total).toBe(10);
    expect(metrics.wa).toBeCloseTo(7 / 10, 12);
    // Recalls 3/4, 1/2, 3/4.
    expect(metrics.ua).toBeCloseTo((3 / 4 + 1 / 2 + 3 / 4) / 3, 12);
    // Precisions 3/4, 1/3, 3/3; F1 = 2PR/(P+R): 3/4, 2/5, 6/7.
    expect(metrics.macroF1).toBeCloseTo((3 / 4 + 2 / 5 + 6 / 7) / 3, 12);
    const [neutral, happy, sad] = metrics.perClass;
    expect(neutral).toEqual({
      label: 'neutral',
      precision: 0.75,
      recall: 0.75,
      f1: 0.75,
      support: 4,
      predicted: 4,
    });
    expect(happy.precision).toBeCloseTo(1 / 3, 12);
    expect(happy.recall).toBe(0.5);
    expect(happy.f1).toBeCloseTo(0.4, 12);
    expect(happy.support).toBe(2);
    expect(happy.predicted).toBe(3);
    expect(sad.precision).toBe(1);
    expect(sad.f1).toBeCloseTo(6 / 7, 12);
  });

  it('differs between WA and UA when classes are imbalanced', () => {
    // Always predicting the majority class: WA 0.8, UA 0.5.
    const metrics = evaluate(['a', 'b'], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]);
    expect(metrics.wa).toBeCloseTo(0.8, 12);
    expect(metrics.ua).toBeCloseTo(0.5, 12);
    expect(metrics.perClass[1]).toEqual({
      label: 'b',
      precision: null,
      recall: 0,
      f1: 0,
      support: 1,
      predicted: 0,
    });
    // F1 of a: P 0.8, R 1 → 8/9; b: 0.
    expect(metrics.macroF1).toBeCloseTo(4 / 9, 12);
  });

  it('leaves a class absent from the test set out of UA and macro-F1, but counts predictions of it as errors', () => {
    // No `sad` in the truth; one neutral item predicted as sad.
    const metrics = evaluate(LABELS, [0, 0, 1, 1], [0, 2, 1, 1]);
    expect(metrics.perClass[2]).toEqual({
      label: 'sad',
      precision: 0,
      recall: null,
      f1: null,
      support: 0,
      predicted: 1,
    });
    expect(metrics.wa).toBeCloseTo(3 / 4, 12);
    expect(metrics.ua).toBeCloseTo((1 / 2 + 1) / 2, 12);
    // F1 neutral: P 1, R 1/2 → 2/3; happy: 1.
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });

  it('says what it expected for malformed input', () => {
    expect(() => evaluate(LABELS, [0, 1], [0])).toThrow(
      'expected as many predictions as true labels (2), got 1',
    );
    expect(() => evaluate(LABELS, [0, 3], [0, 1])).toThrow(
      'expected truth[1] to be a label index in [0, 3), got 3',
    );
    expect(() => evaluate(LABELS, [0], [0.5])).toThrow(
      'expected predicted[0] to be a label index in [0, 3), got 0.5',
    );
    expect(() => evaluate(['only'], [0], [0])).toThrow('expected at least 2 labels, got 1');
    expect(() => evaluate(LABELS, [], [])).toThrow('expected at least one test item, got 0');
  });
});

describe('meanStd', () => {
  it('gives the mean and the sample standard deviation', () => {
    // Mean 5; squared deviations 9+1+1+9 = 20; 20/3.
    expect(meanStd([2, 4, 6, 8])).toEqual({ mean: 5, std: Math.sqrt(20 / 3), n: 4 });
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow('expected at least one value to summarise, got 0');
  });
});

describe('summariseFolds', () => {
  it('averages fold scores, skips folds where a class was absent and sums the confusion matrices', () => {
    const first = evaluate(LABELS, [0, 1, 2, 2], [0, 1, 2, 1]); // WA 3/4, sad recall 1/2
    const second = evaluate(LABELS, [0, 0, 1, 1], [0, 0, 1, 0]); // WA 3/4, no sad
    const summary = summariseFolds([first, second]);
    expect(summary.folds).toBe(2);
    expect(summary.wa).toEqual({ mean: 0.75, std: 0, n: 2 });
    expect(summary.ua.mean).toBeCloseTo((first.ua + second.ua) / 2, 12);
    expect(summary.perClass[2].recall).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(summary.perClass[2].support).toBe(2);
    expect(summary.perClass[1].recall?.mean).toBeCloseTo(0.75, 12);
    expect(summary.confusion.counts).toEqual([
      [3, 0, 0],
      [1, 2, 0],
      [0, 1, 1],
    ]);
    expect(metricsFromConfusion(summary.confusion).wa).toBeCloseTo(6 / 8, 12);
  });

  it('refuses folds with different label orders', () => {
    const a = evaluate(['x', 'y'], [0, 1], [0, 1]);
    const b = evaluate(['y', 'x'], [0, 1], [0, 1]);
    expect(() => summariseFolds([a, b])).toThrow('expected fold 1 to use labels [x, y], got [y,x]');
  });
});

describe('scoreTestFold', () => {
  const labels = ['neutral', 'happy', 'disgust'];
  // Two clips, neither labelled disgust; the model's first answer leans to disgust, its second to happy.
  const truth = [0, 1];
  const probabilities = () => Float32Array.of(0.3, 0.1, 0.6, 0.1, 0.8, 0.1);

  it('under a speaker protocol, lets every label of the model be predicted', () => {
    const metrics = scoreTestFold(labels, truth, probabilities(), false);
    // Neutral's clip is called disgust: recall 0 for neutral, 1 for happy.
    expect(metrics.ua).toBeCloseTo(0.5, 6);
    expect(metrics.confusion.counts[0]).toEqual([0, 0, 1]);
  });

  it('leaving a corpus out, predicts only among the labels the held-out side has', () => {
    const metrics = scoreTestFold(labels, truth, probabilities(), true);
    expect(metrics.ua).toBeCloseTo(1, 6);
    expect(metrics.confusion.counts[0]).toEqual([1, 0, 0]);
  });
});
