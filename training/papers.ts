/**
 * The five papers the project was built from (../shared/papers/), each experiment with the number the paper
 * reports and the run records that reproduce it here: under the paper's own protocol (a random split, speakers
 * on both sides) and speaker-independently. The site's Papers page and the README's table (npm run results)
 * are generated from this list and the records it names; a record not trained yet shows as such.
 */
export interface PaperExperiment {
  paper: string;
  title: string;
  /** What the paper trained, on what, and how it split its data. */
  experiment: string;
  /** The model in a few words, for chart labels. */
  short: string;
  reported: { value: number; metric: 'accuracy' | 'WA'; corpus: string; protocol: string };
  /** Record ids: the paper's protocol (speaker-dependent) and a speaker-independent one; null when not run. */
  ours: { paperProtocol: string | null; speakerIndependent: string | null };
  /** Why our numbers differ from the paper's, in a sentence. */
  why: string;
}

export const PAPER_EXPERIMENTS: readonly PaperExperiment[] = [
  {
    paper: '000',
    title: 'Speech Emotion Classification Using Attention-Based LSTM',
    experiment: 'attention LSTM on frame-level features',
    short: 'attention LSTM',
    reported: { value: 0.9, metric: 'accuracy', corpus: 'SAVEE', protocol: '80/20 random split' },
    ours: { paperProtocol: null, speakerIndependent: 'ravdess-attention-blstm' },
    why: 'We hold no SAVEE (4 speakers): the nearest is RAVDESS, on unseen actors, where 8 classes and 24 voices make it far harder than 4 voices seen in training.',
  },
  {
    paper: '001',
    title: 'Speech Emotion Recognition using LSTM and RNN',
    experiment: 'LSTM-RNN on MFCCs',
    short: 'LSTM-RNN',
    reported: { value: 0.95, metric: 'accuracy', corpus: 'RAVDESS', protocol: '80/20 random split' },
    ours: { paperProtocol: null, speakerIndependent: null },
    why: 'Not run yet.',
  },
  {
    paper: '002',
    title: 'A Study on Speech Emotion Recognition using Neural Networks',
    experiment: 'LSTM, LSTM + attention, CNN and a hybrid on MFCC + RMS + ZCR',
    short: 'four networks',
    reported: {
      value: 0.863,
      metric: 'accuracy',
      corpus: 'RAVDESS + TESS',
      protocol: '80/10/10 random split',
    },
    ours: { paperProtocol: null, speakerIndependent: null },
    why: 'Not run yet (we hold no TESS).',
  },
  {
    paper: '003',
    title: 'Speech Emotion Recognition using CNN and RNN with Attention Model',
    experiment: 'CNN (sparse auto-encoder kernels) + BLSTM + attention',
    short: 'CNN + BLSTM + attention',
    reported: {
      value: 0.7797,
      metric: 'WA',
      corpus: 'EMO-DB',
      protocol: 'training/validation/test split, speakers not separated',
    },
    ours: { paperProtocol: null, speakerIndependent: 'emodb-cnn-blstm-attention-v2' },
    why: 'Ours leaves each speaker out and starts from random kernels (the sparse auto-encoder now exists, not yet in a record), on 2 s copies of the clips.',
  },
  {
    paper: '003',
    title: 'Speech Emotion Recognition using CNN and RNN with Attention Model',
    experiment: 'SVM on low-level descriptors (the baseline)',
    short: 'SVM',
    reported: {
      value: 0.6565,
      metric: 'WA',
      corpus: 'EMO-DB',
      protocol: 'as above; read as 77.97 % less the 12.32 points the paper reports gaining',
    },
    ours: { paperProtocol: 'emodb-svm-random', speakerIndependent: 'emodb-svm' },
    why: "The same kind of machine, on utterance statistics of our 92 frame features instead of the paper's descriptors; the gap between our two columns is what leaving speakers out costs.",
  },
  {
    paper: '004',
    title:
      'Emotion detection from speech using Bi-directional LSTM networks and attention mechanism in Keras',
    experiment: 'attention BLSTM, SMOTE-balanced',
    short: 'attention BLSTM',
    reported: {
      value: 0.9,
      metric: 'accuracy',
      corpus: 'EMO-DB',
      protocol: '20 real test clips per class, SMOTE before the split',
    },
    ours: { paperProtocol: 'emodb-attention-blstm-random', speakerIndependent: 'emodb-attention-blstm' },
    why: "The paper synthesised examples from every speaker before picking its test clips; our random-split run oversamples each fold's training side only, and the speaker-independent run (no SMOTE) tests on unseen speakers.",
  },
  {
    paper: '004',
    title:
      'Emotion detection from speech using Bi-directional LSTM networks and attention mechanism in Keras',
    experiment: 'plain BLSTM, SMOTE-balanced',
    short: 'BLSTM',
    reported: {
      value: 0.75,
      metric: 'accuracy',
      corpus: 'EMO-DB',
      protocol: '20 real test clips per class, SMOTE before the split',
    },
    ours: { paperProtocol: 'emodb-blstm-random', speakerIndependent: 'emodb-blstm' },
    why: "As above; the paper's 15-point gain from attention is the comparison to check.",
  },
];
