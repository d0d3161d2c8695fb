/**
 * The model card (models/<id>/MODEL_CARD.md) of a run record: what was trained on what, how it scored under
 * its protocol, what it costs to run, and how it was made.
 */

import type { SvmModelConfig } from '../core/contracts/model-configs.ts';
import { inputSeconds, type RunRecord } from '../core/contracts/run-record.ts';
import { TrainingConfigSchema } from '../core/contracts/training-config.ts';
import { svmCandidates, svmValueText } from './svm.ts';
import { keptWeightsPhrase } from './weight-average.ts';

/** Labels with test items: all of the model's labels within a corpus, the shared ones across corpora. */
function scoredLabels(record: RunRecord): number {
  return record.summary.perClass.filter((entry) => entry.support > 0).length || record.task.labels.length;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}`;
const meanStd = (value: { mean: number; std: number } | null) =>
  value == null ? '–' : `${percent(value.mean)} ± ${percent(value.std)}`;
const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** What the utterance front end does with a feature set's pitch columns; nothing to say without them. */
function pitchNote(set: string, pitch: 'absolute' | 'clip-relative' | undefined): string {
  if (!set.endsWith('+pitch')) return '';
  return pitch === 'clip-relative'
    ? '; pitch columns left as they are, f0 in semitones from its mean over the speech frames'
    : '; pitch columns left as they are, f0 in semitones re 100 Hz';
}

function inferenceSection(record: RunRecord): string[] {
  const cost = record.inference;
  if (cost === undefined) return [];
  const { features } = record.task;
  const seconds = inputSeconds(features);
  return [
    `## Inference cost`,
    [
      `- ${(cost.macs / 1e6).toFixed(2)} M multiply-accumulates per ${seconds === null ? '' : `${seconds.toFixed(1)} s `}` +
        `input (${features.frames} frames × ${features.dims} features), counted from the layers.`,
      `- ${cost.msPerClip.median.toFixed(2)} ms per clip (median; p95 ${cost.msPerClip.p95.toFixed(2)} ms) over ` +
        `${cost.runs} forward passes at batch 1, feature extraction excluded, measured ${cost.measuredAt} on ` +
        `${cost.cpu.model} × ${cost.cpu.cores}, Node ${cost.node}, ${cost.backend} (load average ${cost.loadAverage.toFixed(1)}).`,
    ].join('\n'),
  ];
}

/** A model card (Mitchell et al. 2019, abridged) rendered from the run record alone. */
export function renderModelCard(record: RunRecord): string {
  const { task, config, data, summary } = record;
  const { model, training } = config;
  const speakers = new Set(record.splits.folds.flatMap((fold) => Object.values(fold.speakers).flat()));
  const env = record.environment;
  const skipped = data.skipped.slice(0, 20).map((s) => `  - \`${s.corpus}/${s.file}\`: ${s.reason}`);
  if (data.skipped.length > skipped.length)
    skipped.push(`  - … and ${data.skipped.length - skipped.length} more`);
  return `${[
    `# ${record.id}`,
    `A speech emotion classifier (\`${model.architecture}\`, ${record.parameters.toLocaleString('en')} parameters) ` +
      `trained on ${task.corpus} (${data.items} clips, ${speakers.size} speakers) to tell apart: ` +
      `${task.labels.join(', ')}. Generated from \`run.json\` on ${record.createdAt}.`,
    `## Results`,
    `Protocol \`${task.protocol}\`, ${summary.folds} folds, ` +
      (task.normalisation === 'per-speaker'
        ? "inputs z-scored with each speaker's own statistics over all of their clips (labels unused; the test " +
          "speakers' too, so these scores assume a speaker's recordings are at hand, which one uploaded clip is not), "
        : '') +
      `${task.speakerIndependent ? 'speaker-independent (no speaker in both training and test)' : '**speaker-dependent** (speakers overlap between training and test: scores are optimistic)'}. ` +
      (task.heldOutCorpus === undefined
        ? ''
        : `Trained on every corpus but **${task.heldOutCorpus}**, tested on all of ${task.heldOutCorpus}'s clips whose label a training corpus has, predicting among those labels only. `) +
      `Mean ± sample standard deviation over folds, in percent. Chance UA is ${percent(1 / scoredLabels(record))}.`,
    table(
      ['metric', 'value'],
      [
        ['UA (unweighted accuracy, mean per-class recall)', meanStd(summary.ua)],
        ['WA (weighted accuracy)', meanStd(summary.wa)],
        ['macro-F1', meanStd(summary.macroF1)],
      ],
    ),
    ...(summary.served === undefined
      ? []
      : [
          `Scored as above, each test clip is one input centred on its speech. Through the serving path instead ` +
            `(windows of the input's length over each clip's speech, each with its own front end, aggregated as ` +
            `\`POST /v1/classify\` does), the same fold models score UA ${meanStd(summary.served.ua)}, WA ` +
            `${meanStd(summary.served.wa)} and macro-F1 ${meanStd(summary.served.macroF1)}` +
            (summary.served.noSpeech === 0
              ? '; every clip was answered.'
              : `, over the clips the API answers: ${summary.served.noSpeech} would be refused as \`no_speech\`.`),
        ]),
    `### Per class`,
    table(
      ['class', 'precision', 'recall', 'F1', 'test items'],
      summary.perClass.map((c) => [
        c.label,
        meanStd(c.precision),
        meanStd(c.recall),
        meanStd(c.f1),
        `${c.support}`,
      ]),
    ),
    `### Confusion matrix`,
    `Summed over the folds' test sets; rows are true classes, columns predictions.`,
    table(
      ['true \\ predicted', ...summary.confusion.labels],
      summary.confusion.counts.map((row, i) => [summary.confusion.labels[i], ...row.map(String)]),
    ),
    ...inferenceSection(record),
    `## Training`,
    [
      `- Features: \`${task.features.set}\`, ${task.features.dims} dims × ${task.features.frames} frames (${JSON.stringify(task.features.config)}).`,
      `- Model: \`${JSON.stringify(model)}\`.`,
      ...(task.features.utterance
        ? [
            `- Utterance front end: ${task.features.utterance.highPassHz} Hz high-pass, features standardised over the clip's own speech frames ` +
              `(${task.features.utterance.centre === 'overall' ? 'one mean over all bands, so the long-term spectrum stays' : 'each band centred on its own mean'}` +
              `${task.features.utterance.spread === 'training-set' ? '; scaled by the training-set z-score only, so the clip keeps its own spread in dB' : ''}` +
              `${pitchNote(task.features.set, task.features.utterance.pitch)}), ` +
              `silence before and after the speech cut (margin ${task.features.utterance.trimMarginSeconds} s).`,
          ]
        : []),
      ...(config.waveformAugmentation && config.waveformAugmentation.copies > 0
        ? [`- Waveform augmentation: \`${JSON.stringify(config.waveformAugmentation)}\`.`]
        : []),
      ...(model.architecture === 'svm'
        ? [
            `- Trained by SMO on each fold's utterance statistics (mean, standard deviation, minimum and maximum of every ` +
              `feature), standardised with the training side's; ${model.kernel} kernel, ${svmHyperparameters(model)}; ` +
              `one-vs-rest, Platt-scaled probabilities. ` +
              `No epochs, no validation speakers.`,
          ]
        : [
            `- Optimiser ${training.optimizer}, learning rate ${training.learningRate}` +
              `${training.learningRateSchedule === 'cosine' ? ' on a cosine schedule down to a twentieth' : ''}, batch ${training.batchSize}, ` +
              (training.keep === 'last'
                ? `a fixed ${training.epochs} epochs, ${keptWeightsPhrase(training)}`
                : `≤ ${training.epochs} epochs, early stopping on ${training.monitor} (patience ${training.patience}, best weights restored)`) +
              `${training.maxExamplesPerGroup === null ? '' : `; each epoch draws at most ${training.maxExamplesPerGroup} clips of each corpus`}.`,
            ...(training.corpusAdversary
              ? [
                  `- Corpus-adversarial head (gradient reversal, ${training.corpusAdversary.units} hidden units) on the penultimate ` +
                    `representation, reversal scale rising to ${training.corpusAdversary.weight}; used in training only, not part of the served model.`,
                ]
              : []),
            ...(training.distillation
              ? [
                  `- Distilled: each training clip's target is ${Math.round(100 * (1 - training.distillation.weight))} % its label and ` +
                    `${Math.round(100 * training.distillation.weight)} % the combined probabilities of the teachers ` +
                    `${training.distillation.teachers.map((id) => `\`${id}\``).join(', ')}, each trained on the same fold.`,
                ]
              : []),
            `- Class weights: ${training.classWeights}; feature noise σ = ${training.noiseStd}; gradient clip norm ${training.clipNorm ?? 'none'}; seed ${training.seed}.`,
            `- Other augmentation and regularisation: ${augmentationSummary(training)}.`,
            `- Best epoch per fold: ${record.folds.map((fold) => fold.bestEpoch).join(', ')}.`,
          ]),
      `- Training time: ${(record.folds.reduce((sum, fold) => sum + fold.seconds, 0) / 60).toFixed(1)} min ` +
        `(run ${(record.timings.totalSeconds / 60).toFixed(1)} min).`,
    ].join('\n'),
    `## Data`,
    [
      `- Dataset hash \`${data.datasetHash}\`; split seed ${record.splits.seed}.`,
      `- Clips per class: ${data.classCounts.map((c) => `${c.label} ${c.count}`).join(', ')}.`,
      `- Skipped files: ${data.skipped.length}.`,
      ...skipped,
    ].join('\n'),
    `## Environment`,
    [
      `- Node ${env.node}, ${env.os}, ${env.cpu.model} × ${env.cpu.cores}, ${env.memoryGiB} GiB.`,
      `- tfjs ${env.backend.versions.tfjsCore}, backend \`${env.backend.name}\` ${env.backend.versions.backend}` +
        `${env.backend.simd == null ? '' : `, SIMD ${env.backend.simd ? 'on' : 'off'}, ${env.backend.threads} thread(s)`}` +
        `${env.backend.customKernels.length > 0 ? `, custom kernels: ${env.backend.customKernels.join(', ')}` : ''}.`,
      `- Code: ${env.git == null ? 'not a git checkout' : `\`${env.git.revision}\`${env.git.dirty ? ' with uncommitted changes' : ''}`}.`,
    ].join('\n'),
    `## Intended use and limitations`,
    [
      `- For research, demos and teaching: it guesses the emotion a speaker *portrays* from the voice alone.`,
      `- ${task.corpus} is a small corpus; scores on other speakers, languages, recording conditions or spontaneous speech will be lower, often much lower.`,
      `- Emotion is not reliably inferable from voice: do not use this model for decisions about people (hiring, policing, health, education, surveillance).`,
      ...record.notes.map((note) => `- ${note}`),
    ].join('\n'),
  ].join('\n\n')}\n`;
}

/** The augmentation and regularisation a training config turns on beyond noise and class weights, in words. */
function augmentationSummary(training: RunRecord['config']['training']): string {
  // Records annotated in place keep their config as stored: older ones lack these fields, meaning their defaults.
  const {
    maxTimeShift,
    specAugment,
    mixupAlpha,
    labelSmoothing,
    weightDecay,
    randomEq,
    eqConsistency,
    randomCrop,
    randomWarp,
    lossOverCorpusLabels,
    smote,
    pretrainFirstConvolution,
  } = TrainingConfigSchema.parse(training);
  const parts = [
    maxTimeShift > 0 ? `time shift up to ±${maxTimeShift} frames` : '',
    specAugment.timeMasks > 0 && specAugment.maxTimeMask > 0
      ? `${specAugment.timeMasks} time mask(s) of ≤ ${specAugment.maxTimeMask} frames`
      : '',
    specAugment.freqMasks > 0 && specAugment.maxFreqMask > 0
      ? `${specAugment.freqMasks} feature mask(s) of ≤ ${specAugment.maxFreqMask} dimensions`
      : '',
    mixupAlpha > 0 ? `mixup α = ${mixupAlpha}` : '',
    labelSmoothing > 0 ? `label smoothing ε = ${labelSmoothing}` : '',
    randomEq.probability > 0 && (randomEq.maxTilt > 0 || randomEq.maxRipple > 0)
      ? `random equaliser on ${Math.round(100 * randomEq.probability)} % of clips (tilt ≤ ±${randomEq.maxTilt}, ripples ≤ ${randomEq.maxRipple})`
      : '',
    eqConsistency !== null
      ? `consistency under a fresh equaliser curve on every clip (${eqConsistency.weight} × the mean of the two KL divergences)`
      : '',
    randomWarp.probability > 0 && randomWarp.maxWarp > 0
      ? `band warp on ${Math.round(100 * randomWarp.probability)} % of clips (factor 1 ± ${randomWarp.maxWarp})`
      : '',
    randomCrop.probability > 0
      ? `random crop of ${Math.round(100 * randomCrop.probability)} % of clips to ${randomCrop.minFrames} frames or more`
      : '',
    weightDecay > 0 ? `weight decay λ = ${weightDecay}` : '',
    lossOverCorpusLabels ? "each clip's loss over its own corpus's labels" : '',
    smote !== null ? `SMOTE to the largest class (${smote.neighbours} neighbours, training side only)` : '',
    pretrainFirstConvolution !== null
      ? `first convolution pre-trained as a sparse auto-encoder (ρ = ${pretrainFirstConvolution.sparsity}, ${pretrainFirstConvolution.patches} patches)`
      : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? 'none' : parts.join('; ');
}

/** C and γ as the config gives them: one value each, or the candidates each fold chose from. */
function svmHyperparameters(model: SvmModelConfig): string {
  const values = (value: number | null | readonly (number | null)[]) => {
    const list = Array.isArray(value) ? value : [value];
    const text = list.map(svmValueText).join(', ');
    return list.length > 1 ? `∈ {${text}}` : `= ${text}`;
  };
  const text = `C ${values(model.c)}${model.kernel === 'rbf' ? `, γ ${values(model.gamma)}` : ''}`;
  return svmCandidates(model).length > 1 ? `${text} (each fold's choice in the notes)` : text;
}
