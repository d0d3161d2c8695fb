import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AnnotateOptions, annotateModelFolder } from './annotate.ts';
import type { TrainingBackend } from './backend.ts';
import { evaluateProbabilities, summariseFolds } from './evaluation/metrics.ts';
import {
  type ExperimentConfig,
  type ExperimentData,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from './experiment.ts';
import { loadModel, saveModel } from './model-io.ts';
import { attentionLayerName } from './models/index.ts';
import {
  collectEnvironment,
  type FoldMetrics,
  modelMetadataFromRunRecord,
  type RunRecord,
  writeModelCard,
  writeRunRecord,
} from './run-record.ts';
import { crossValidate, predictProbabilities, trainFold } from './trainer.ts';

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
  /** Compiles the shipped network as the Worker does, so its recorded cost is the served one. */
  compileNetwork?: AnnotateOptions['compileNetwork'];
  log: (line: string) => void;
}

function testMetrics(
  data: ExperimentData,
  model: Parameters<typeof predictProbabilities>[0],
  set: ReturnType<typeof featureSetOf>,
  batchSize: number,
): FoldMetrics {
  return evaluateProbabilities(data.labels, set.labels, predictProbabilities(model, set, batchSize));
}

/**
 * Runs one experiment end to end: features, the protocol's folds (resumable), the shipped model, and the
 * model folder: model.json + shards, metadata.json, run.json and MODEL_CARD.md.
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions): Promise<RunRecord> {
  const { log } = options;
  const startedAt = new Date();
  const data = await loadExperimentData(config, log);
  const featureSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const split = splitFor(config, data.items);
  const runDir = join(options.cacheDir, config.id);
  log(
    `${split.protocol}: ${split.folds.length} folds over ${data.items.length} clips, labels [${data.labels.join(', ')}], ` +
      `input ${data.inputFrames} frames × ${data.extractor.dims} (${config.features.set}); checkpoints in ${runDir}`,
  );

  const batchSize = config.training.batchSize;
  const outcomes = await crossValidate<FoldMetrics>({
    model: config.model,
    training: config.training,
    labels: data.labels,
    folds: split.folds.length,
    checkpointDir: runDir,
    log,
    data: (index) => {
      const fold = split.folds[index];
      const stats = normalisationFor(data.items, fold.train);
      return {
        train: featureSetOf(data, fold.train, stats),
        validation: fold.validation.length > 0 ? featureSetOf(data, fold.validation, stats) : undefined,
      };
    },
    evaluate: (model, index) => {
      const fold = split.folds[index];
      const stats = normalisationFor(data.items, fold.train);
      const metrics = testMetrics(data, model, featureSetOf(data, fold.test, stats), batchSize);
      log(
        `fold ${index + 1}/${split.folds.length} test: UA ${(100 * metrics.ua).toFixed(1)} %, ` +
          `WA ${(100 * metrics.wa).toFixed(1)} %, macro-F1 ${(100 * metrics.macroF1).toFixed(1)} % ` +
          `(${fold.test.length} clips, speakers ${fold.speakers.test.join(' ')})`,
      );
      return metrics;
    },
  });

  const modelDir = join(options.modelsDir, config.id);
  await rm(modelDir, { recursive: true, force: true });
  await mkdir(modelDir, { recursive: true });
  let shippedTrain: number[];
  const notes: string[] = [];
  if (options.ship === 'all-speakers') {
    const fold = split.folds[0];
    const all = data.items.map((_, index) => index).filter((index) => !fold.validation.includes(index));
    const stats = normalisationFor(data.items, all);
    log(`final model: all ${all.length} clips but ${fold.validation.length} from validation speakers`);
    const trained = await trainFold({
      model: config.model,
      training: config.training,
      labels: data.labels,
      train: featureSetOf(data, all, stats),
      validation: featureSetOf(data, fold.validation, stats),
      checkpointDir: join(runDir, 'final', 'epochs'),
      log,
    });
    await saveModel(trained.model, modelDir);
    trained.model.dispose();
    shippedTrain = all;
    notes.push(
      `The shipped weights were trained on every speaker except the validation speakers ` +
        `${fold.speakers.validation.join(', ')} (best epoch ${trained.bestEpoch}); the scores above are the ` +
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
  const summary = summariseFolds(outcomes.map((outcome) => outcome.evaluation));
  const finishedAt = new Date();
  const record: RunRecord = {
    schemaVersion: 1,
    id: config.id,
    createdAt: finishedAt.toISOString(),
    task: {
      corpus: config.corpora.map((corpus) => corpus.corpus).join('+'),
      protocol: split.protocol,
      speakerIndependent: split.speakerIndependent,
      labels: data.labels,
      features: {
        set: data.extractor.set,
        config: { ...data.extractor.config },
        dims: data.extractor.dims,
        frames: data.inputFrames,
      },
    },
    config: { model: config.model, training: config.training },
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
    folds: outcomes.map((outcome) => ({
      index: outcome.fold,
      metrics: outcome.evaluation,
      history: outcome.history,
      bestEpoch: outcome.bestEpoch,
      stoppedEarly: outcome.stoppedEarly,
      seconds: outcome.seconds,
    })),
    summary,
    parameters,
    environment: collectEnvironment(options.backend),
    timings: {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      totalSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      featureSeconds,
    },
    notes: [...notes, ...data.warnings],
  };
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
