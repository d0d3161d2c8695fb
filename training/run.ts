import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FoldMetrics,
  modelMetadataFromRunRecord,
  type RunRecord,
  type ServedScores,
} from '../core/contracts/run-record.ts';
import { type AnnotateOptions, annotateModelFolder } from './annotate.ts';
import type { TrainingBackend } from './backend.ts';
import { claimCheckpoints } from './checkpoint-config.ts';
import { crossValidate, type FoldOutcome } from './cross-validation.ts';
import { distillationTargets, type TeacherFolders } from './distillation.ts';
import { meanStd, scoreTestFold, summariseFolds } from './evaluation/metrics.ts';
import { servedFoldScores } from './evaluation/served-scores.ts';
import {
  type ExperimentConfig,
  type ExperimentData,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  normalisationOf,
  splitFor,
  withTrainingLabels,
} from './experiment.ts';
import { loadModel, saveModel } from './model-io.ts';
import { attentionLayerName } from './models/index.ts';
import { collectEnvironment, writeModelCard, writeRunRecord } from './run-record-files.ts';
import { svmCandidates } from './svm.ts';
import { svmFolds } from './svm-experiment.ts';
import { predictProbabilities, trainFold } from './trainer.ts';
import type { TrainingLog } from './training-types.ts';
import { keptWeightsPhrase } from './weight-average.ts';

export interface RunOptions {
  /** Where `models/<id>/` goes. */
  modelsDir: string;
  /** Fold checkpoints and results, so an interrupted run resumes (`<cacheDir>/<id>/`). */
  cacheDir: string;
  /**
   * Which weights the model folder ships: `fold-1` (the first fold's model, already trained) or
   * `all-speakers` (one more model trained on every speaker but the validation ones: the serving model).
   */
  ship: 'fold-1' | 'all-speakers';
  backend: TrainingBackend;
  /**
   * This process's share of a run split between processes (training/cli/train.ts `--jobs`): the units of work
   * are the folds then the final model, and part `index` of `count` trains the units whose number is `index`
   * modulo `count`, leaves their results in the cache and returns null without writing the model folder.
   */
  part?: { index: number; count: number };
  /** Compiles the shipped network as the Worker does, so its recorded cost is the served one. */
  compileNetwork?: AnnotateOptions['compileNetwork'];
  log: TrainingLog;
}

/** What the final (shipped) model's training leaves beside its weights. */
interface FinalResult {
  bestEpoch: number;
  /** The clips it trained on (item indices), whose statistics normalise its inputs. */
  train: number[];
}

/**
 * Trains the serving model on every speaker but the validation ones into `<finalDir>/model` (resumable, and
 * skipped when `<finalDir>/result.json` says it is done).
 */
async function trainFinalModel(
  config: ExperimentConfig,
  data: ExperimentData,
  split: ReturnType<typeof splitFor>,
  finalDir: string,
  teachers: TeacherFolders,
  log: TrainingLog,
): Promise<void> {
  const resultPath = join(finalDir, 'result.json');
  if ((await readFile(resultPath, 'utf8').catch(() => null)) !== null) {
    log(`final model already trained (${resultPath})`);
    return;
  }
  const fold = split.folds[0];
  const validation = new Set(fold.validation);
  const all = data.items.map((_, index) => index).filter((index) => !validation.has(index));
  const stats = normalisationFor(data.items, all);
  log(`final model: all ${all.length} clips but ${fold.validation.length} from validation speakers`);
  const trained = await trainFold({
    model: config.model,
    training: config.training,
    labels: data.labels,
    train: {
      ...featureSetOf(data, all, stats, true),
      teacherTargets: await distillationTargets(config, data, split, 'final', all, teachers, log),
    },
    validation: fold.validation.length > 0 ? featureSetOf(data, fold.validation, stats) : undefined,
    checkpointDir: join(finalDir, 'epochs'),
    log,
  });
  await saveModel(trained.model, join(finalDir, 'model'));
  trained.model.dispose();
  const result: FinalResult = { bestEpoch: trained.bestEpoch, train: all };
  await writeFile(`${resultPath}.tmp`, JSON.stringify(result));
  await rename(`${resultPath}.tmp`, resultPath);
  await rm(join(finalDir, 'epochs'), { recursive: true, force: true });
}

/**
 * Runs one experiment end to end: features, the protocol's folds (resumable), the shipped model, and the
 * model folder: model.json + shards, metadata.json, run.json and MODEL_CARD.md.
 */
export async function runExperiment(
  config: ExperimentConfig,
  options: RunOptions,
): Promise<RunRecord | null> {
  const { log } = options;
  const startedAt = new Date();
  const loaded = await loadExperimentData(config, log);
  const featureSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const split = splitFor(config, loaded.items);
  const data = withTrainingLabels(loaded, split.folds[0].train);
  if (config.protocol === 'leave-one-corpus-out') {
    const fold = split.folds[0];
    const testLabels = [...new Set(fold.test.map((index) => data.items[index].canonical))];
    const dropped =
      data.items.filter((item) => item.corpus === config.heldOutCorpus).length - fold.test.length;
    loaded.warnings.push(
      `leave-one-corpus-out: tested on ${config.heldOutCorpus} over the ${testLabels.length} labels it shares with ` +
        `the training corpora (${data.labels.filter((label) => testLabels.includes(label)).join(', ')}; chance UA ` +
        `${(100 / testLabels.length).toFixed(1)} %), predicting among those labels only` +
        (dropped > 0 ? `; ${dropped} clips of labels no training corpus has were left out` : ''),
    );
  }
  const runDir = join(options.cacheDir, config.id);
  await claimCheckpoints(runDir, config);
  log(
    `${split.protocol}: ${split.folds.length} folds over ${data.items.length} clips, labels [${data.labels.join(', ')}], ` +
      `input ${data.inputFrames} frames × ${data.extractor.dims} (${config.features.set}); checkpoints in ${runDir}`,
  );

  const batchSize = config.training.batchSize;
  const { part } = options;
  if (config.model.architecture === 'svm') {
    // Seconds of work: one process does it all, with no checkpoints and nothing to ship.
    if (part) return null;
    const { outcomes, parameters, chosen } = svmFolds(config.model, data, split, config, log);
    const modelDir = join(options.modelsDir, config.id);
    await rm(modelDir, { recursive: true, force: true });
    await mkdir(modelDir, { recursive: true });
    const record = assembleRecord(config, data, split, outcomes, {
      parameters,
      notes: [
        'An SVM on utterance statistics (training/svm-experiment.ts): no network and no served weights; the folder ' +
          'keeps its cross-validated scores only. Parameters: support vectors × statistics of the last fold, plus biases.',
        ...(svmCandidates(config.model).length > 1
          ? [
              `${config.model.kernel === 'rbf' ? 'C and γ' : 'C'} chosen in each fold by speaker-grouped folds of its training side ` +
                `(nested; the fold's test speakers take no part): ${chosen.map((choice, k) => `fold ${k + 1} ${choice}`).join('; ')}.`,
            ]
          : []),
      ],
      startedAt,
      featureSeconds,
      backend: options.backend,
    });
    await writeRunRecord(modelDir, record);
    await writeModelCard(modelDir, record);
    log(
      `${config.id}: UA ${(100 * record.summary.ua.mean).toFixed(1)} ± ${(100 * record.summary.ua.std).toFixed(1)} % (${split.protocol}) → ${modelDir}`,
    );
    return record;
  }
  const outcomes = await crossValidate<FoldEvaluation>({
    model: config.model,
    training: config.training,
    labels: data.labels,
    folds: split.folds.length,
    checkpointDir: runDir,
    log,
    include: part ? (fold) => fold % part.count === part.index : undefined,
    data: async (index) => {
      const fold = split.folds[index];
      const normalisation = normalisationOf(config, data.items, fold.train);
      const teacherTargets = await distillationTargets(
        config,
        data,
        split,
        { fold: index },
        fold.train,
        options,
        log,
      );
      return {
        train: { ...featureSetOf(data, fold.train, normalisation, true), teacherTargets },
        validation:
          fold.validation.length > 0 ? featureSetOf(data, fold.validation, normalisation) : undefined,
      };
    },
    evaluate: async (model, index) => {
      const fold = split.folds[index];
      const normalisation = normalisationOf(config, data.items, fold.train);
      const set = featureSetOf(data, fold.test, normalisation);
      const metrics = scoreTestFold(
        data.labels,
        set.labels,
        predictProbabilities(model, set, batchSize),
        config.protocol === 'leave-one-corpus-out',
      );
      log(
        `fold ${index + 1}/${split.folds.length} test: UA ${(100 * metrics.ua).toFixed(1)} %, ` +
          `WA ${(100 * metrics.wa).toFixed(1)} %, macro-F1 ${(100 * metrics.macroF1).toFixed(1)} % ` +
          `(${fold.test.length} clips, speakers ${fold.speakers.test.join(' ')})`,
      );
      const served = await servedFoldScores(config, data, model, normalisation, fold.test);
      log(
        `fold ${index + 1}/${split.folds.length} test through the serving path: UA ${(100 * served.ua).toFixed(1)} %, ` +
          `WA ${(100 * served.wa).toFixed(1)} % (${served.answered} clips answered, ${served.noSpeech} no_speech)`,
      );
      return { ...metrics, served };
    },
  });

  const finalUnit = split.folds.length;
  const trainsFinal = !part || finalUnit % part.count === part.index;
  const finalDir = join(runDir, 'final');
  if (options.ship === 'all-speakers' && trainsFinal)
    await trainFinalModel(config, data, split, finalDir, options, log);
  if (part) return null;

  const modelDir = join(options.modelsDir, config.id);
  await rm(modelDir, { recursive: true, force: true });
  await mkdir(modelDir, { recursive: true });
  let shippedTrain: number[];
  const notes: string[] = [];
  if (options.ship === 'all-speakers') {
    const fold = split.folds[0];
    const final = JSON.parse(await readFile(join(finalDir, 'result.json'), 'utf8')) as FinalResult;
    await cp(join(finalDir, 'model'), modelDir, { recursive: true });
    shippedTrain = final.train;
    notes.push(
      `The shipped weights were trained on every speaker except the validation speakers ` +
        `${fold.speakers.validation.join(', ')} (${
          config.training.keep === 'last'
            ? `a fixed ${config.training.epochs} epochs, ${keptWeightsPhrase(config.training)}`
            : `best epoch ${final.bestEpoch}`
        }); the scores above are the ` +
        `${split.protocol} cross-validation of the same configuration, so they estimate how it does on unseen speakers.`,
    );
  } else {
    await cp(join(runDir, 'fold-1', 'model'), modelDir, { recursive: true });
    shippedTrain = split.folds[0].train;
    notes.push(
      `The shipped weights are fold 1's model (test speakers ${split.folds[0].speakers.test.join(', ')}); ` +
        `the scores above are over all ${split.folds.length} folds.`,
    );
  }

  const shipped = await loadModel(modelDir);
  const parameters = shipped.countParams();
  const attentionLayer = attentionLayerName(shipped);
  shipped.dispose();
  const record = assembleRecord(config, data, split, outcomes, {
    parameters,
    notes,
    startedAt,
    featureSeconds,
    backend: options.backend,
  });
  const { summary } = record;
  await writeRunRecord(modelDir, record);
  await writeModelCard(modelDir, record);

  const stats = normalisationFor(data.items, shippedTrain);
  const metadata = modelMetadataFromRunRecord(record, {
    version: '1.0.0',
    normalisation: { mean: [...stats.mean], std: [...stats.std] },
    attentionLayer,
  });
  await writeFile(join(modelDir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  // Inference cost and attention examples (training/annotate.ts); if that fails the record stays as written.
  const annotated = await annotateModelFolder(modelDir, {
    backend: options.backend,
    corpora: config.corpora,
    mergeCalmIntoNeutral: config.mergeCalmIntoNeutral,
    weights: options.ship,
    compileNetwork: options.compileNetwork,
    log,
  }).catch((error: Error) => {
    log(`inference cost not recorded (\`npm run models:annotate\` adds it later): ${error.message}`);
    return record;
  });
  log(
    `${config.id}: UA ${(100 * summary.ua.mean).toFixed(1)} ± ${(100 * summary.ua.std).toFixed(1)} %, ` +
      `WA ${(100 * summary.wa.mean).toFixed(1)} ± ${(100 * summary.wa.std).toFixed(1)} % (${split.protocol}) → ${modelDir}`,
  );
  return annotated;
}

/** The run record of an experiment's folds (networks and SVMs alike). */
function assembleRecord(
  config: ExperimentConfig,
  data: ExperimentData,
  split: ReturnType<typeof splitFor>,
  outcomes: readonly FoldOutcome<FoldEvaluation>[],
  run: {
    parameters: number;
    notes: string[];
    startedAt: Date;
    featureSeconds: number;
    backend: TrainingBackend;
  },
): RunRecord {
  const metrics = outcomes.map(({ evaluation: { served: _, ...fold } }) => fold);
  const served = outcomes.map((outcome) => outcome.evaluation.served);
  const summary = summariseFolds(metrics);
  const finishedAt = new Date();
  return {
    schemaVersion: 1,
    id: config.id,
    createdAt: finishedAt.toISOString(),
    task: {
      corpus: config.corpora.map((corpus) => corpus.corpus).join('+'),
      protocol: split.protocol,
      speakerIndependent: split.speakerIndependent,
      ...(config.heldOutCorpus === null ? {} : { heldOutCorpus: config.heldOutCorpus }),
      normalisation: config.normalisation,
      labels: data.labels,
      features: {
        set: data.extractor.set,
        config: { ...data.extractor.config },
        dims: data.extractor.dims,
        frames: data.inputFrames,
        utterance: config.utterance,
      },
    },
    config: {
      model: config.model,
      training: config.training,
      waveformAugmentation: config.waveformAugmentation,
    },
    data: {
      datasetHash: split.datasetHash,
      items: data.items.length,
      classCounts: data.labels.map((label) => ({
        label,
        count: data.items.filter((item) => item.canonical === label).length,
      })),
      skipped: data.skipped,
    },
    splits: {
      seed: split.seed,
      folds: split.folds.map((fold) => ({
        index: fold.index,
        speakers: fold.speakers,
        counts: { train: fold.train.length, validation: fold.validation.length, test: fold.test.length },
      })),
    },
    folds: outcomes.map((outcome, k) => ({
      index: outcome.fold,
      metrics: metrics[k],
      ...(served[k] === undefined ? {} : { served: served[k] }),
      history: outcome.history,
      bestEpoch: outcome.bestEpoch,
      stoppedEarly: outcome.stoppedEarly,
      seconds: outcome.seconds,
    })),
    summary: servedAlways(served)
      ? {
          ...summary,
          served: {
            ua: meanStd(served.map((fold) => fold.ua)),
            wa: meanStd(served.map((fold) => fold.wa)),
            macroF1: meanStd(served.map((fold) => fold.macroF1)),
            noSpeech: served.reduce((sum, fold) => sum + fold.noSpeech, 0),
          },
        }
      : summary,
    parameters: run.parameters,
    environment: collectEnvironment(run.backend),
    timings: {
      startedAt: run.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      totalSeconds: (finishedAt.getTime() - run.startedAt.getTime()) / 1000,
      featureSeconds: run.featureSeconds,
    },
    notes: [...run.notes, ...data.warnings],
  };
}

/** A fold's scores: one centred input per clip (the record's metrics) and, for networks, the serving path's. */
type FoldEvaluation = FoldMetrics & { served?: ServedScores };

const servedAlways = (served: readonly (ServedScores | undefined)[]): served is ServedScores[] =>
  served.every((fold) => fold !== undefined);
