/**
 * Published results quoted beside ours for context. They were not reproduced here: each holds only under the
 * protocol stated with it, and differs from ours in features, preprocessing and tuning.
 */
export interface LiteratureAnchor {
  corpus: string;
  protocol: string;
  system: string;
  /** The reported range of unweighted average recall (UA), in percent. */
  ua: string;
}

export const LITERATURE_ANCHORS: readonly LiteratureAnchor[] = [
  {
    corpus: 'RAVDESS (speech, 8 classes)',
    protocol: 'speaker-independent',
    system: 'small models (< 1 M parameters)',
    ua: '62–65 %',
  },
  {
    corpus: 'EMO-DB (7 classes)',
    protocol: 'leave-one-speaker-out',
    system: 'SVM on acoustic features',
    ua: '73–77 %',
  },
  { corpus: 'EMO-DB (7 classes)', protocol: 'leave-one-speaker-out', system: 'VGG-based CNN', ua: '82.6 %' },
];
