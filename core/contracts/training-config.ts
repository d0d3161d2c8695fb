/**
 * The training configuration's contract, free of tfjs: the trainer reads it, run records store it, and the
 * site and configs validate against it here. Its parts that belong to other modules' work (the corpus
 * adversary, sparse auto-encoder pre-training, SMOTE) are declared here too, so that none of them pulls the
 * training stack into a reader of the contract.
 */
import { z } from 'zod';

export const CorpusAdversarySchema = z.strictObject({
  /**
   * The largest reversal scale λ: the emotion model's gradient from the corpus loss is multiplied by −λ.
   * λ rises from 0 to this value on DANN's schedule, 2 / (1 + e^(−10 p)) − 1 over training progress p, so the
   * head first learns to tell corpora apart before the emotion model is pushed against it.
   */
  weight: z.number().positive().default(0.3),
  /** Hidden ReLU units of the head (0: a linear softmax over the representation). */
  units: z.number().int().nonnegative().default(64),
});

export type CorpusAdversaryConfig = z.output<typeof CorpusAdversarySchema>;

/** SMOTE oversampling of a fold's training side (training/smote.ts). */
export const SmoteSchema = z.strictObject({
  /** How many of an example's nearest same-class examples its synthetic partners are drawn from. */
  neighbours: z.number().int().positive().default(5),
});

export type SmoteConfig = z.output<typeof SmoteSchema>;

export const SparseAutoencoderSchema = z.strictObject({
  /** Patches cut from the training inputs (padding-only patches are skipped). */
  patches: z.number().int().positive().default(20_000),
  epochs: z.number().int().positive().default(20),
  batchSize: z.number().int().positive().default(256),
  learningRate: z.number().positive().default(1e-3),
  /** ρ: the mean activation each hidden unit is pushed towards. */
  sparsity: z.number().gt(0).lt(1).default(0.05),
  /** β: weight of the sparsity penalty. */
  sparsityWeight: z.number().min(0).default(3),
  /** λ: L2 on both weight matrices. */
  weightDecay: z.number().min(0).default(1e-4),
});

export type SparseAutoencoderConfig = z.output<typeof SparseAutoencoderSchema>;

/**
 * How a model is trained. Parsing fills in the defaults, so the parsed value is what a run record stores.
 *
 * Augmentation is additive white Gaussian noise on the (normalised) input features, not on the waveform:
 * the trainer holds features only, so waveform noise would mean re-extracting every clip every epoch, and
 * in normalised units one σ means the same perturbation for every feature. `noiseStd` is that σ, in units
 * of each feature's training-set standard deviation; the noise is drawn afresh for every batch from the
 * seeded generator.
 */
export const TrainingConfigSchema = z
  .strictObject({
    /** Seeds the weights, the shuffle, the noise and the dropout masks: same seed, same run. */
    seed: z.number().int().nonnegative().default(1),
    epochs: z.number().int().positive().default(60),
    batchSize: z.number().int().positive().default(32),
    learningRate: z.number().positive().default(1e-3),
    /** `sgd` is SGD with momentum 0.9. */
    optimizer: z.enum(['adam', 'rmsprop', 'sgd']).default('adam'),
    /**
     * `balanced` weighs each example's loss by n / (classes · n_class), as scikit-learn's class_weight;
     * `balanced-per-corpus` by n / (cells · n_cell), a cell being one label of one corpus and n counting what an
     * epoch draws (`maxExamplesPerGroup`), so that every corpus's every label weighs the same, whatever the
     * corpus's size and its own label counts; `none` weighs every example 1.
     */
    classWeights: z.enum(['balanced', 'balanced-per-corpus', 'none']).default('balanced'),
    noiseStd: z.number().min(0).default(0.1),
    /**
     * Each training example is shifted in time by up to this many frames either way (zero-filled, i.e. the
     * training mean), so the model does not learn where in the window a centred clip sits.
     */
    maxTimeShift: z.number().int().nonnegative().default(0),
    /**
     * SpecAugment-style masking of each training example: `timeMasks` stretches of up to `maxTimeMask` frames
     * and `freqMasks` bands of up to `maxFreqMask` spectral columns (not pitch) are set to 0 (the training mean).
     */
    specAugment: z
      .strictObject({
        timeMasks: z.number().int().nonnegative().default(0),
        maxTimeMask: z.number().int().nonnegative().default(0),
        freqMasks: z.number().int().nonnegative().default(0),
        maxFreqMask: z.number().int().nonnegative().default(0),
      })
      .default({ timeMasks: 0, maxTimeMask: 0, freqMasks: 0, maxFreqMask: 0 }),
    /**
     * Mixup: each training example is blended with another of its batch, x = λ·x₁ + (1 − λ)·x₂ and likewise
     * their one-hot targets and class weights, λ ~ Beta(α, α) folded to ≥ ½ so the first example dominates.
     * α is this value; 0 disables.
     */
    mixupAlpha: z.number().min(0).default(0),
    /**
     * Label smoothing: each training target moves this share of its weight to a uniform spread over all the
     * model's labels, y = (1 − ε)·y + ε / labels, so the network is never asked for certainty. Acted corpora
     * label every clip with one emotion at full confidence; a new speaker's clip rarely is that clear. The spread
     * covers every label the model has, any absent from the training side included (their class weight is 0, so
     * the network learns only to leave them ε / labels). 0 disables.
     */
    labelSmoothing: z.number().min(0).lt(1).default(0),
    /**
     * A random equaliser on each training example, with this probability: a smooth curve over the feature columns
     * (read as bands, low to high) added to every frame that is not padding — a tilt drawn from ±`maxTilt` between
     * the first and the last column plus two cosine ripples of amplitude up to `maxRipple`, less the curve's mean.
     * A microphone's or a room's response is such a curve in log-mel; an input whose clip mean over all bands is
     * removed (`utterance.centre: 'overall'`) keeps it, so the model learns to look past it. In model-input units.
     */
    randomEq: z
      .strictObject({
        probability: z.number().min(0).max(1).default(0),
        maxTilt: z.number().min(0).default(0),
        maxRipple: z.number().min(0).default(0),
      })
      .default({ probability: 0, maxTilt: 0, maxRipple: 0 }),
    /**
     * Consistency under a microphone's colour: every batch is also run with a fresh `randomEq` curve on every clip
     * (its full ranges, whatever its probability), and `weight` × the mean of the two Kullback–Leibler divergences
     * between the two answers joins the loss. The equaliser alone teaches that a recoloured clip keeps its label;
     * this asks for the same probabilities, which is what a user whose microphone is darker than a studio's needs.
     * Each step runs the network twice, in training mode both times: BatchNorm normalises each pass by its own
     * batch, its moving statistics are updated by both, and dropout draws the same masks. null adds nothing.
     */
    eqConsistency: z
      .strictObject({ weight: z.number().gt(0) })
      .nullable()
      .default(null),
    /**
     * A random warp of the bands of each audio frame with this probability: band d takes the value at band
     * position d · factor (linear interpolation, held at the top band), the factor drawn from
     * [1 − maxWarp, 1 + maxWarp]. Speakers' and languages' formants sit at different frequencies, so the model
     * should not key on where one corpus's formants fall. A cousin of vocal tract length perturbation, not the
     * same: it scales the mel-band index, not frequency (a factor of 1.1 moves the top of 40 bands by about 4
     * bands, a 10 % frequency change by about 1.6), and acts on the model input, whose bands the training-set
     * z-score has scaled differently. Padding stays zero.
     */
    randomWarp: z
      .strictObject({
        probability: z.number().min(0).max(1).default(0),
        maxWarp: z.number().min(0).max(0.5).default(0),
      })
      .default({ probability: 0, maxWarp: 0 }),
    /**
     * A random crop of each training example's audio frames, with this probability: a stretch of `minFrames` up to
     * all of them, from a random start, centred in the input with zero (training-mean) padding around it, as
     * serving fits a short clip. Clip length varies across corpora (one-word clips of about 1 s, 2 s copies,
     * 3–4 s sentences); without it, how much of the input is padding is a corpus cue a short clip from anywhere
     * else inherits.
     */
    randomCrop: z
      .strictObject({
        probability: z.number().min(0).max(1).default(0),
        minFrames: z.number().int().positive().default(32),
      })
      .default({ probability: 0, minFrames: 32 }),
    /** L2 penalty λ · Σ w² over every kernel (dense, convolution, recurrent; not biases or norms), added to the loss. */
    weightDecay: z.number().min(0).default(0),
    /**
     * `best`: stop after `patience` epochs without a better validation score and restore the best weights;
     * `last`: a fixed schedule, every epoch runs and the last weights are kept (validation is only recorded).
     */
    keep: z.enum(['best', 'last']).default('best'),
    /** Stop after this many epochs without a better validation score, then restore the best weights. */
    patience: z.number().int().positive().default(10),
    monitor: z.enum(['val_loss', 'val_ua']).default('val_loss'),
    /** Gradients are scaled down when their global L2 norm exceeds this (recurrent nets); null disables. */
    clipNorm: z.number().positive().nullable().default(5),
    /**
     * `cosine`: the learning rate falls from `learningRate` to a twentieth of it over `epochs` on a half cosine
     * (set at the start of each epoch), so a fixed schedule ends on settled weights; `constant` keeps it.
     */
    learningRateSchedule: z.enum(['constant', 'cosine']).default('constant'),
    /**
     * Each epoch draws at most this many training examples of each group (corpus), without replacement and
     * anew from the epoch's seed, so one large corpus does not drown the others; null uses every example.
     */
    maxExamplesPerGroup: z.number().int().positive().nullable().default(null),
    /**
     * A corpus-adversarial head behind a gradient reversal (training/corpus-adversary.ts), trained on the
     * training clips' groups (corpora); null trains the emotion model alone. Either way only it is kept.
     */
    corpusAdversary: CorpusAdversarySchema.nullable().default(null),
    /**
     * Each training clip's cross-entropy over the labels its group (corpus) has among the training clips, the
     * probabilities renormalised over them (with mixup, its partner's label too). Corpora label different sets of
     * emotions: over every label, the network lowers a label a corpus lacks only by recognising the corpus, a cue
     * no unseen microphone shares. The served network still answers over every label.
     */
    lossOverCorpusLabels: z.boolean().default(false),
    /** SMOTE oversampling of the fold's training examples (training/smote.ts), from the seed; null leaves them. */
    smote: SmoteSchema.nullable().default(null),
    /**
     * Sparse auto-encoder pre-training of the first convolution's kernels on patches of the fold's training inputs
     * (training/sparse-autoencoder.ts), from the seed, before the first epoch; null keeps the random initialisation.
     */
    pretrainFirstConvolution: SparseAutoencoderSchema.nullable().default(null),
    /**
     * Stochastic weight averaging (training/weight-average.ts): the kept weights are the mean of the weights after
     * every optimizer step of the last `lastEpochs` epochs, not the last step's. Averaging a run's late weights
     * lands nearer the middle of a wide, flat region of the loss, which holds up better on data unlike the
     * training data than any single point of it (Izmailov et al. 2018; Cha et al. 2021, SWAD, for unseen domains).
     * BatchNorm's moving statistics are then recomputed for the averaged weights over one pass of the training
     * clips. Needs `keep: "last"`. null keeps the weights as they are.
     */
    weightAverage: z.strictObject({ lastEpochs: z.number().int().positive() }).nullable().default(null),
    /**
     * Knowledge distillation (training/distillation.ts): each training clip's target is its one-hot label mixed
     * with the teachers' combined probabilities for it, `weight` of them. Teachers are other experiments' ids,
     * trained on the same folds (leaving a corpus out, their `<id>-loco-<corpus>` records; for the shipped
     * model, their shipped models). null learns from the labels alone.
     */
    distillation: z
      .strictObject({
        teachers: z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/)).min(1),
        weight: z.number().gt(0).max(1).default(0.5),
      })
      .nullable()
      .default(null),
  })
  .superRefine((training, context) => {
    if (training.distillation !== null && (training.mixupAlpha > 0 || training.smote !== null)) {
      context.addIssue({
        code: 'custom',
        path: ['distillation'],
        message: `expected distillation without mixup or SMOTE (their made-up clips have no teacher answers), got ${
          training.mixupAlpha > 0 ? `mixupAlpha ${training.mixupAlpha}` : 'smote'
        }`,
      });
    }
    if (training.distillation !== null && training.lossOverCorpusLabels) {
      context.addIssue({
        code: 'custom',
        path: ['distillation'],
        message:
          'expected distillation without lossOverCorpusLabels (the teachers give every label some probability, ' +
          "so a clip's corpus labels could no longer be told from its target), got both",
      });
    }
    if (
      training.eqConsistency !== null &&
      training.randomEq.maxTilt === 0 &&
      training.randomEq.maxRipple === 0
    ) {
      context.addIssue({
        code: 'custom',
        path: ['eqConsistency'],
        message:
          'expected randomEq with a maxTilt or maxRipple above 0 for eqConsistency to draw from, got neither',
      });
    }
    if (training.labelSmoothing > 0 && training.lossOverCorpusLabels) {
      context.addIssue({
        code: 'custom',
        path: ['labelSmoothing'],
        message:
          "expected labelSmoothing without lossOverCorpusLabels (a smoothed target holds every label, so a clip's " +
          'corpus labels could no longer be told from it), got both',
      });
    }
    if (training.eqConsistency !== null && training.specAugment.freqMasks > 0) {
      context.addIssue({
        code: 'custom',
        path: ['eqConsistency'],
        message: `expected eqConsistency without feature masks (the recoloured copy would colour the masked bands), got freqMasks ${training.specAugment.freqMasks}`,
      });
    }
    if (training.eqConsistency !== null && training.mixupAlpha > 0) {
      context.addIssue({
        code: 'custom',
        path: ['eqConsistency'],
        message: `expected eqConsistency without mixup (the recoloured copy is not mixed), got mixupAlpha ${training.mixupAlpha}`,
      });
    }
    const average = training.weightAverage;
    if (average === null) return;
    if (training.keep !== 'last') {
      context.addIssue({
        code: 'custom',
        path: ['weightAverage'],
        message: `expected keep 'last' with weightAverage (the averaged weights are the kept ones), got keep '${training.keep}'`,
      });
    }
    if (average.lastEpochs > training.epochs) {
      context.addIssue({
        code: 'custom',
        path: ['weightAverage', 'lastEpochs'],
        message: `expected weightAverage.lastEpochs ≤ epochs (${training.epochs}), got ${average.lastEpochs}`,
      });
    }
  });

export type TrainingConfig = z.output<typeof TrainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>;
