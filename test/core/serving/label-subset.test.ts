import { describe, expect, it } from 'vitest';
import type { ClipClassification } from '../../../core/serving/classify-clip.ts';
import {
  LabelSubsetError,
  labelSubset,
  restrictClassification,
  restrictWindow,
} from '../../../core/serving/label-subset.ts';
import { aggregateWindows } from '../../../core/serving/timeline.ts';

const LABELS = ['neutral', 'happy', 'sad', 'angry'];

describe('labelSubset', () => {
  it('keeps the chosen labels in the model order, their probabilities renormalised', () => {
    const subset = labelSubset(LABELS, ['angry', 'neutral']);
    expect(subset.labels).toEqual(['neutral', 'angry']);
    const restricted = subset.restrict(Float32Array.of(0.1, 0.4, 0.2, 0.3));
    expect(Array.from(restricted)).toEqual([expect.closeTo(0.25, 6), expect.closeTo(0.75, 6)]);
  });

  it('stays a distribution when the chosen labels all rounded to 0 in a float32 softmax', () => {
    const restricted = labelSubset(LABELS, ['neutral', 'happy']).restrict(Float32Array.of(0, 0, 0, 1));
    expect(Array.from(restricted)).toEqual([0.5, 0.5]);
  });

  it('leaves a window without a prediction as it is', () => {
    const window = { startSeconds: 0, endSeconds: 3, speechSeconds: 0, prediction: null };
    expect(restrictWindow(window, labelSubset(LABELS, ['sad', 'angry']))).toBe(window);
  });

  it('leaves the answer as it is without a request', () => {
    const probabilities = Float32Array.of(0.1, 0.4, 0.2, 0.3);
    const subset = labelSubset(LABELS);
    expect(subset.labels).toBe(LABELS);
    expect(subset.restrict(probabilities)).toBe(probabilities);
  });

  it.each([
    [
      ['joy', 'sad', 'calm'],
      "expected labels among the model's (neutral, happy, sad, angry), got 'joy', 'calm'",
    ],
    [['sad', 'angry', 'sad'], "expected each label once, got 'sad' more than once"],
    [['sad'], 'expected at least 2 labels to choose between, got 1'],
  ])('refuses %j', (requested, message) => {
    expect(() => labelSubset(LABELS, requested)).toThrow(new LabelSubsetError(message));
  });

  it("restricts a clip's aggregate exactly as restricting every window before aggregating would", () => {
    const windows = [Float32Array.of(0.1, 0.4, 0.2, 0.3), Float32Array.of(0.5, 0.1, 0.3, 0.1)];
    const weights = [2, 1];
    const subset = labelSubset(LABELS, ['happy', 'sad', 'angry']);
    const span = (index: number) => ({
      startSeconds: index,
      endSeconds: index + 3,
      speechSeconds: weights[index],
    });
    const result: ClipClassification = {
      windowSeconds: 3,
      segments: [
        {
          startSeconds: 0,
          endSeconds: 4,
          windows: windows.map((probabilities, index) => ({
            ...span(index),
            prediction: { probabilities, attention: null },
          })),
          probabilities: aggregateWindows(windows, weights),
        },
      ],
      probabilities: aggregateWindows(windows, weights),
      featuresMs: 0,
      inferenceMs: 0,
    };
    const restricted = restrictClassification(result, subset);
    const windowsFirst = aggregateWindows(
      windows.map((probabilities) => subset.restrict(probabilities)),
      weights,
    );
    expect(Array.from(restricted.probabilities ?? [])).toEqual(
      Array.from(windowsFirst).map((value) => expect.closeTo(value, 6)),
    );
    expect(Array.from(restricted.segments[0].windows[1].prediction?.probabilities ?? [])).toEqual(
      Array.from(subset.restrict(windows[1])),
    );
  });
});
