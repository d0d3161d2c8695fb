import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainingBackend } from '../../training/backend.ts';
import { initTrainingBackend } from '../../training/backend.ts';
import { ExperimentConfigSchema } from '../../training/experiment.ts';
import { runExperiment } from '../../training/run.ts';
import { readRunRecord } from '../../training/run-record-files.ts';
import { utteranceStatistics } from '../../training/svm-experiment.ts';
import { makeTempDir, tinyEmodb } from './corpora/tiny-corpus.ts';

describe('utteranceStatistics', () => {
  it('gives mean, standard deviation, minimum and maximum of every feature', () => {
    const stats = utteranceStatistics({ data: Float32Array.of(1, 10, 3, 20, 5, 30), frames: 3, dims: 2 });
    const expected = [3, 20, Math.sqrt(8 / 3), Math.sqrt(200 / 3), 1, 10, 5, 30];
    Array.from(stats).forEach((value, k) => {
      expect(value).toBeCloseTo(expected[k], 5);
    });
  });
});

describe('an experiment with an svm model', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  it('scores every fold and writes a record, with no network to ship', async () => {
    const data = await tinyEmodb();
    const work = await makeTempDir('ser-svm-');
    const config = ExperimentConfigSchema.parse({
      id: 'tiny-svm',
      corpora: [{ corpus: 'emodb', path: data }],
      protocol: 'loso',
      clipSeconds: 0.5,
      validationSpeakers: 0,
      model: { architecture: 'svm', kernel: 'rbf', c: 1 },
    });
    const record = await runExperiment(config, {
      modelsDir: join(work, 'models'),
      cacheDir: join(work, 'runs'),
      ship: 'fold-1',
      backend,
      log: () => {},
    });
    expect(record?.folds).toHaveLength(3);
    for (const fold of record?.folds ?? []) {
      expect(fold.history).toEqual([]);
      expect(fold.metrics.ua).toBeGreaterThanOrEqual(0);
    }
    const folder = join(work, 'models', 'tiny-svm');
    expect((await readRunRecord(join(folder, 'run.json'))).config.model).toMatchObject({
      architecture: 'svm',
    });
    expect(existsSync(join(folder, 'MODEL_CARD.md'))).toBe(true);
    expect(existsSync(join(folder, 'metadata.json'))).toBe(false);
  }, 60_000);
});
