/**
 * Arousal and valence beside the labels, from a published mapping of emotion words to those dimensions: the
 * NRC Valence, Arousal, and Dominance Lexicon v1 (Saif M. Mohammad, "Obtaining Reliable Human Ratings of
 * Valence, Arousal, and Dominance for 20,000 English Words", ACL 2018), whose scores run from 0 to 1. Each
 * label takes the scores of its emotion's noun, rescaled to −1…1; a clip's arousal and valence are their
 * expectation under its probabilities. No network was trained on dimensional targets: this is the categorical
 * answer read on the arousal/valence plane; core/results/dimension-agreement.ts measures how well it agrees with
 * held-out data.
 */

export interface Dimensions {
  /** −1 (calm, sleepy) … 1 (excited, tense). */
  arousal: number;
  /** −1 (unpleasant) … 1 (pleasant). */
  valence: number;
}

/** The lexicon's word and its [valence, arousal] scores (0…1), per label we train on. */
export const LEXICON_ENTRIES: Readonly<Record<string, { word: string; valence: number; arousal: number }>> = {
  angry: { word: 'anger', valence: 0.167, arousal: 0.865 },
  boredom: { word: 'boredom', valence: 0.167, arousal: 0.139 },
  calm: { word: 'calm', valence: 0.875, arousal: 0.1 },
  disgust: { word: 'disgust', valence: 0.052, arousal: 0.775 },
  fearful: { word: 'fear', valence: 0.073, arousal: 0.84 },
  happy: { word: 'happiness', valence: 0.96, arousal: 0.732 },
  neutral: { word: 'neutral', valence: 0.469, arousal: 0.184 },
  sad: { word: 'sadness', valence: 0.052, arousal: 0.288 },
  surprised: { word: 'surprise', valence: 0.875, arousal: 0.875 },
};

/** Each label's point on the plane, or null when a label is not in the lexicon table. */
export function labelDimensions(labels: readonly string[]): Dimensions[] | null {
  const points: Dimensions[] = [];
  for (const label of labels) {
    const entry = LEXICON_ENTRIES[label];
    if (entry === undefined) return null;
    points.push({ arousal: 2 * entry.arousal - 1, valence: 2 * entry.valence - 1 });
  }
  return points;
}

/** Σ p(label) · point(label); null for a model with a label the table lacks. */
export function expectedDimensions(
  labels: readonly string[],
  probabilities: ArrayLike<number>,
): Dimensions | null {
  const points = labelDimensions(labels);
  if (points === null) return null;
  if (probabilities.length !== labels.length) {
    throw new RangeError(`expected ${labels.length} probabilities, got ${probabilities.length}`);
  }
  let arousal = 0;
  let valence = 0;
  let total = 0;
  points.forEach((point, index) => {
    const p = probabilities[index];
    arousal += p * point.arousal;
    valence += p * point.valence;
    total += p;
  });
  return total > 0 ? { arousal: arousal / total, valence: valence / total } : null;
}
