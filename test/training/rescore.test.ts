import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import { type ExperimentConfig, ExperimentConfigSchema } from '../../training/experiment.ts';
import { rescoreRecord } from '../../training/rescore.ts';
import { runExperiment } from '../../training/run.ts';
import { makeTempDir, tinyEmodb } from './corpora/tiny-corpus.ts';

describe('rescoreRecord', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  /** Three EMO-DB speakers, every emotion twice, except that speaker 09 never acted disgust (E). */
  async function setUp() {
    const data = await tinyEmodb(['03', '08', '09'], { '09': 'E' });
    const work = await makeTempDir('ser-rescore-');
    const config = (overrides: Record<string, unknown> = {}): ExperimentConfig =>
      ExperimentConfigSchema.parse({
        id: 'tiny-rescore',
        corpora: [{ corpus: 'emodb', path: data }],
        features: { set: 'logmel40' },
        protocol: 'loso',
        clipSeconds: 0.5,
        validationSpeakers: 0,
        model: { architecture: 'baseline', hiddenUnits: [] },
        training: { epochs: 2, batchSize: 16 },
        ...overrides,
      });
    const runsDir = join(work, 'runs');
    const record = await runExperiment(config(), {
      modelsDir: join(work, 'models'),
      cacheDir: runsDir,
      ship: 'fold-1',
      backend,
      log: () => {},
    });
    if (record === null) throw new Error('expected a run record');
    return { config, record, runsDir };
  }

  it("rescores only the folds whose speakers lack a label, back to the run's own all-label scores", async () => {
    const { config, record, runsDir } = await setUp();
    // A record as revisions before the fix wrote it: speaker 09's fold scored higher than it was.
    const old = {
      ...record,
      folds: record.folds.map((fold, index) =>
        index === 2 ? { ...fold, metrics: { ...fold.metrics, ua: 0.99 } } : fold,
      ),
    };
    const lines: string[] = [];
    const rescored = await rescoreRecord(config(), old, {
      runsDir,
      revision: 'abc123',
      log: (line) => lines.push(line),
    });
    expect(rescored.folds).toEqual([2]);
    expect(rescored.record.folds.map((fold) => fold.metrics.ua)).toEqual(
      record.folds.map((fold) => expect.closeTo(fold.metrics.ua, 6)),
    );
    expect(rescored.record.summary.ua.mean).toBeCloseTo(record.summary.ua.mean, 6);
    expect(lines).toContain(
      `fold 3: UA 99.0 → ${(100 * record.folds[2].metrics.ua).toFixed(1)} % (its test speakers lack disgust)`,
    );
    expect(rescored.record.notes.at(-1)).toMatch(
      /^Fold 3 rescored among all 7 labels at revision abc123 \(npm run rescore\) from the fold models trained at /,
    );
  }, 120_000);

  it('refuses leaving a corpus out, an SVM and a missing fold model', async () => {
    const { config, record, runsDir } = await setUp();
    const options = { runsDir, revision: 'abc123', log: () => {} };
    await expect(
      rescoreRecord(
        config({
          protocol: 'leave-one-corpus-out',
          heldOutCorpus: 'emodb',
          corpora: [...config().corpora, { corpus: 'urdu', path: 'x' }],
        }),
        record,
        options,
      ),
    ).rejects.toThrow('rescore: expected a speaker protocol, got leave-one-corpus-out');
    await expect(rescoreRecord(config({ model: { architecture: 'svm' } }), record, options)).rejects.toThrow(
      "rescore: expected a network, got an SVM ('tiny-rescore' retrains in seconds: npm run train)",
    );
    await rm(join(runsDir, 'tiny-rescore', 'fold-3'), { recursive: true });
    await expect(rescoreRecord(config(), record, options)).rejects.toThrow(
      /rescore: expected the fold 3 model of 'tiny-rescore' in .*fold-3\/model/,
    );
  }, 120_000);
});
