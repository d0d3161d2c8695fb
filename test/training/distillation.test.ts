import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import { distillationTargets } from '../../training/distillation.ts';
import {
  type ExperimentConfig,
  ExperimentConfigSchema,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from '../../training/experiment.ts';
import { loadModel } from '../../training/model-io.ts';
import { runExperiment } from '../../training/run.ts';
import { blendTeacherTargets } from '../../training/train-step.ts';
import { predictProbabilities, TrainingConfigSchema } from '../../training/trainer.ts';
import { makeTempDir, tinyEmodb, tinyUrdu } from './corpora/tiny-corpus.ts';

describe('blendTeacherTargets', () => {
  it("mixes each batch row's target with its example's teacher row, by the weight", () => {
    const targets = Float32Array.of(1, 0, 0, 1);
    const teachers = Float32Array.of(0.5, 0.5, 0.2, 0.8, 0.9, 0.1);
    blendTeacherTargets(targets, teachers, [2, 0], 0.25);
    expect(Array.from(targets)).toEqual([
      expect.closeTo(0.75 + 0.25 * 0.9, 6),
      expect.closeTo(0.25 * 0.1, 6),
      expect.closeTo(0.25 * 0.5, 6),
      expect.closeTo(0.75 + 0.25 * 0.5, 6),
    ]);
  });
});

describe('distillation', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  /** Three EMO-DB speakers, every emotion twice (42 clips of noise), and a folder for models and runs. */
  async function setUp() {
    const data = await tinyEmodb();
    const work = await makeTempDir('ser-distillation-');
    const folders = { modelsDir: join(work, 'models'), cacheDir: join(work, 'runs') };
    const config = (id: string, overrides: Record<string, unknown> = {}): ExperimentConfig =>
      ExperimentConfigSchema.parse({
        id,
        corpora: [{ corpus: 'emodb', path: data }],
        features: { set: 'logmel40' },
        protocol: 'loso',
        clipSeconds: 0.5,
        validationSpeakers: 1,
        model: { architecture: 'baseline', hiddenUnits: [] },
        training: { epochs: 2, batchSize: 16, keep: 'last' },
        ...overrides,
      });
    // Leaving a corpus out ships fold 1's model, as npm run train does without --ship.
    const train = (experiment: ExperimentConfig, log: (line: string) => void = () => {}) =>
      runExperiment(experiment, {
        ...folders,
        ship: experiment.protocol === 'leave-one-corpus-out' ? 'fold-1' : 'all-speakers',
        backend,
        log,
      });
    return { work, folders, config, train };
  }

  it("gives each training clip the teacher's answer for it, from the teacher's model of the same fold", async () => {
    const { work, folders, config, train } = await setUp();
    const teacher = config('tiny-teacher', { model: { architecture: 'baseline', hiddenUnits: [8] } });
    await train(teacher);
    const student = config('tiny-student', {
      training: { epochs: 2, batchSize: 16, keep: 'last', distillation: { teachers: ['tiny-teacher'] } },
    });
    const loaded = await loadExperimentData(student, () => {});
    const split = splitFor(student, loaded.items);
    const fold = split.folds[1];
    const targets = await distillationTargets(
      student,
      loaded,
      split,
      { fold: 1 },
      fold.train,
      folders,
      () => {},
    );
    const model = await loadModel(join(work, 'runs', 'tiny-teacher', 'fold-2', 'model'));
    const expected = predictProbabilities(
      model,
      featureSetOf(loaded, fold.train, normalisationFor(loaded.items, fold.train)),
      16,
    );
    model.dispose();
    expect(targets).toHaveLength(fold.train.length * loaded.labels.length);
    expect(Array.from(targets ?? [])).toEqual(Array.from(expected).map((value) => expect.closeTo(value, 5)));

    const lines: string[] = [];
    const record = await train(student, (line) => lines.push(line));
    expect(lines).toContain(
      `distillation: 1 teachers (tiny-teacher) scored ${fold.train.length} training clips of fold 2`,
    );
    expect(lines.some((line) => /^distillation: 1 teachers .* of the shipped model$/.test(line))).toBe(true);
    expect(record?.config.training.distillation).toEqual({ teachers: ['tiny-teacher'], weight: 0.5 });
  }, 180_000);

  it('names a teacher that is not trained, or that reads other features', async () => {
    const { config, train } = await setUp();
    const student = (teachers: string[]) =>
      config('tiny-pupil', {
        training: { epochs: 2, batchSize: 16, keep: 'last', distillation: { teachers } },
      });
    await expect(train(student(['tiny-absent']))).rejects.toThrow(
      /expected teacher 'tiny-absent' trained in .*tiny-absent \(npm run train its config first\)/,
    );
    await train(config('tiny-mfcc', { features: { set: 'mfcc+deltas+zcr+rms' } }));
    await expect(train(student(['tiny-mfcc']))).rejects.toThrow(
      `expected teacher 'tiny-mfcc' to have the student's features {"set":"logmel40","config":{}}, got {"set":"mfcc+deltas+zcr+rms","config":{}}`,
    );
  }, 180_000);

  it("leaving a corpus out, learns from the teacher's record for the same held-out corpus", async () => {
    const { work, config, train } = await setUp();
    const urdu = await tinyUrdu();
    const leaving = (id: string, corpus: string, training: Record<string, unknown> = {}) =>
      config(`${id}-loco-${corpus}`, {
        corpora: [
          { corpus: 'emodb', path: config('x').corpora[0].path },
          { corpus: 'urdu', path: urdu },
        ],
        protocol: 'leave-one-corpus-out',
        heldOutCorpus: corpus,
        training: { epochs: 2, batchSize: 16, keep: 'last', ...training },
      });
    await train(leaving('tiny-teacher', 'urdu'));
    const distillation = { teachers: ['tiny-teacher'] };
    const lines: string[] = [];
    await train(leaving('tiny-student', 'urdu', { distillation }), (line) => lines.push(line));
    expect(lines).toContain('distillation: 1 teachers (tiny-teacher) scored 28 training clips of fold 1');
    await expect(train(leaving('tiny-student', 'emodb', { distillation }))).rejects.toThrow(
      `distillation: expected teacher 'tiny-teacher''s record in ${join(work, 'models', 'tiny-teacher-loco-emodb')}`,
    );
  }, 180_000);

  it('is refused with mixup or SMOTE', () => {
    expect(() =>
      TrainingConfigSchema.parse({
        keep: 'last',
        mixupAlpha: 0.2,
        distillation: { teachers: ['tiny-teacher'] },
      }),
    ).toThrow(
      'expected distillation without mixup or SMOTE (their made-up clips have no teacher answers), got mixupAlpha 0.2',
    );
  });
});
