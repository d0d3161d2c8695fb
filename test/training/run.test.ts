import { describe, expect, it } from 'vitest';
import { scoreTestFold } from '../../training/run.ts';

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
