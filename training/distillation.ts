/**
 * Knowledge distillation (TrainingConfigSchema's `distillation`): the probabilities that already trained networks,
 * the teachers, give a fold's training clips, which the student then learns beside their labels. An ensemble
 * of networks is better than any of them (models/ensembles.json) but costs each member's time at serving;
 * a student taught by it serves as one network.
 *
 * A teacher only ever saw what the student may see: for a cross-validation fold, the teacher's model of the
 * same fold (same test clips, checked); leaving a corpus out, the teacher's record for the same held-out corpus;
 * for the shipped model, the teacher's shipped model. Teachers share the student's corpora, features and
 * utterance front end (checked), so each one's input is the student's clip under its own normalisation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NormalisationStats } from '../core/audio/normalise.ts';
import { ModelMetadataSchema } from '../core/contracts/model-metadata.ts';
import { differingPaths } from './checkpoint-config.ts';
import { combineProbabilities } from './ensemble.ts';
import type { Split } from './evaluation/splits.ts';
import {
  type ExperimentConfig,
  ExperimentConfigSchema,
  type ExperimentData,
  featureSetOf,
  type Normalisation,
  normalisationOf,
  splitFor,
} from './experiment.ts';
import { loadModel } from './model-io.ts';
import { requireFoldOneModel } from './run-record-files.ts';
import { predictProbabilities } from './trainer.ts';

/** Where teachers are found: `models/` (records) and the runs cache (`<cacheDir>/<id>/fold-K/model`). */
export interface TeacherFolders {
  modelsDir: string;
  cacheDir: string;
}

/** Which model of the student's run is being taught: a fold (0-based) or the shipped one. */
export type TaughtModel = { fold: number } | 'final';

interface Teacher {
  dir: string;
  stats: Normalisation;
}

/**
 * The teachers' combined probabilities (geometric mean) for the student's training clips `train`
 * [train.length × labels], or undefined when the config has no teachers.
 */
export async function distillationTargets(
  config: ExperimentConfig,
  data: ExperimentData,
  split: Split,
  taught: TaughtModel,
  train: readonly number[],
  folders: TeacherFolders,
  log: (line: string) => void,
): Promise<Float32Array | undefined> {
  const distillation = config.training.distillation;
  if (distillation === null) return undefined;
  const members: Float32Array[] = [];
  for (const id of distillation.teachers) {
    const teacher = await findTeacher(id, config, data, split, taught, folders);
    const model = await loadModel(teacher.dir).catch((error: unknown) => {
      throw new Error(
        `distillation: expected teacher '${id}' in ${teacher.dir}, got ${(error as Error).message}`,
      );
    });
    const outputs = model.outputs[0].shape.at(-1);
    if (outputs !== data.labels.length) {
      model.dispose();
      throw new Error(
        `distillation: expected teacher '${id}' to answer over ${data.labels.length} labels, got ${outputs}`,
      );
    }
    members.push(
      predictProbabilities(model, featureSetOf(data, train, teacher.stats), config.training.batchSize),
    );
    model.dispose();
  }
  log(
    `distillation: ${distillation.teachers.length} teachers (${distillation.teachers.join(', ')}) scored ` +
      `${train.length} training clips of ${taught === 'final' ? 'the shipped model' : `fold ${taught.fold + 1}`}`,
  );
  return combineProbabilities(members, data.labels.length);
}

async function findTeacher(
  id: string,
  config: ExperimentConfig,
  data: ExperimentData,
  split: Split,
  taught: TaughtModel,
  folders: TeacherFolders,
): Promise<Teacher> {
  if (taught === 'final' || config.protocol === 'leave-one-corpus-out') {
    const recordId = taught === 'final' ? id : `${id}-loco-${config.heldOutCorpus}`;
    const dir = join(folders.modelsDir, recordId);
    // A leave-one-corpus-out record shipped with all speakers trained on the held-out corpus too.
    if (taught !== 'final') await requireFoldOneModel(dir, `distillation: expected teacher '${id}'`);
    return { dir, stats: await recordStats(id, dir, config, data) };
  }
  const runDir = join(folders.cacheDir, id);
  const teacherConfig = await readFile(join(runDir, 'config.json'), 'utf8').then(
    (text) => ExperimentConfigSchema.parse(JSON.parse(text)),
    (error: Error) => {
      throw new Error(
        `distillation: expected teacher '${id}' trained in ${runDir} (npm run train its config first), got ${error.message}`,
      );
    },
  );
  const corpora = (of: ExperimentConfig) => of.corpora.map((entry) => entry.corpus);
  for (const [name, teacher, student] of [
    ['corpora', corpora(teacherConfig), corpora(config)],
    ['features', teacherConfig.features, config.features],
    ['utterance front end', teacherConfig.utterance, config.utterance],
    ['normalisation', teacherConfig.normalisation, config.normalisation],
  ] as const) {
    if (differingPaths(teacher, student).length > 0) {
      throw new Error(
        `distillation: expected teacher '${id}' to have the student's ${name} ${JSON.stringify(student)}, got ${JSON.stringify(teacher)}`,
      );
    }
  }
  const fold = splitFor(teacherConfig, data.items).folds[taught.fold];
  const tests = (value: Split['folds'][number] | undefined) => JSON.stringify(value?.test ?? null);
  if (tests(fold) !== tests(split.folds[taught.fold])) {
    throw new Error(
      `distillation: expected teacher '${id}' fold ${taught.fold + 1} to test the student's clips (same protocol and seed), got others`,
    );
  }
  return {
    dir: join(runDir, `fold-${taught.fold + 1}`, 'model'),
    stats: normalisationOf(teacherConfig, data.items, fold.train),
  };
}

/** The normalisation a record's model takes, after checking it reads the student's features. */
async function recordStats(
  id: string,
  dir: string,
  config: ExperimentConfig,
  data: ExperimentData,
): Promise<NormalisationStats> {
  const metadata = await readFile(join(dir, 'metadata.json'), 'utf8').then(
    (text) => ModelMetadataSchema.parse(JSON.parse(text)),
    (error: Error) => {
      throw new Error(`distillation: expected teacher '${id}''s record in ${dir}, got ${error.message}`);
    },
  );
  const checks: [string, unknown, unknown][] = [
    ['feature set', metadata.features.set, config.features.set],
    ['feature config', metadata.features.config, data.extractor.config],
    ['utterance front end', metadata.utterance, config.utterance],
    ['input frames', metadata.inputFrames, data.inputFrames],
    ['labels', metadata.labels, data.labels],
  ];
  for (const [name, teacher, student] of checks) {
    if (differingPaths(teacher, student).length > 0) {
      throw new Error(
        `distillation: expected teacher '${id}' (${dir}) to have the student's ${name} ${JSON.stringify(student)}, got ${JSON.stringify(teacher)}`,
      );
    }
  }
  if (metadata.normalisation.scope !== 'training-set') {
    throw new Error(
      `distillation: expected teacher '${id}' (${dir}) to normalise with its training set's statistics, got ${metadata.normalisation.scope}`,
    );
  }
  return {
    mean: Float32Array.from(metadata.normalisation.mean),
    std: Float32Array.from(metadata.normalisation.std),
  };
}
