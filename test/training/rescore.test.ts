import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import { scoreTestFold } from '../../training/evaluation/metrics.ts';
import {
  type ExperimentConfig,
  ExperimentConfigSchema,
  featureSetOf,
  loadExperimentData,
  normalisationFor,
  splitFor,
  withTrainingLabels,
} from '../../training/experiment.ts';
import { loadModel } from '../../training/model-io.ts';
import { rescoreRecord } from '../../training/rescore.ts';
import { runExperiment } from '../../training/run.ts';
import { predictProbabilities } from '../../training/trainer.ts';
import { mix, tone, whiteNoise } from '../fixtures/audio/synthetic.ts';
import { makeTempDir, writeClip } from './corpora/tiny-corpus.ts';

describe('rescoreRecord', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  /**
   * Three EMO-DB speakers, every emotion twice as a tone of its own pitch over faint noise, except that speaker 09
   * never acted disgust (E) and voices its anger (W) mostly at disgust's pitch: among all labels the model answers
   * disgust for them, among 09's own labels (the old rule) anger.
   */
  async function setUp() {
    const data = await makeTempDir();
    const emotions = ['W', 'L', 'E', 'A', 'F', 'T', 'N'];
    let seed = 1;
    for (const speaker of ['03', '08', '09']) {
      for (const emotion of emotions) {
        if (speaker === '09' && emotion === 'E') continue;
        const hz = (code: string) => 200 + 150 * emotions.indexOf(code);
        const odd = speaker === '09' && emotion === 'W';
        for (const text of ['a01', 'a02']) {
          const own = tone(0.5, hz(emotion), odd ? -45 : -20);
          const voiced = odd ? mix(own, tone(0.5, hz('E'), -20)) : own;
          const signal = mix(voiced, whiteNoise(0.5, -50, seed++));
          await writeClip(data, `wav/${speaker}${text}${emotion}a.wav`, encodeWav([signal], 16000));
        }
      }
    }
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
        training: { epochs: 30, batchSize: 16, learningRate: 0.01 },
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
    // A record as revisions before the fix wrote it: speaker 09's fold scored among the labels 09 acted only.
    const loaded = await loadExperimentData(config(), () => {});
    const split = splitFor(config(), loaded.items);
    const data = withTrainingLabels(loaded, split.folds[0].train);
    const fold = split.folds[2];
    const model = await loadModel(join(runsDir, 'tiny-rescore', 'fold-3', 'model'));
    const set = featureSetOf(data, fold.test, normalisationFor(data.items, fold.train));
    const restricted = scoreTestFold(data.labels, set.labels, predictProbabilities(model, set, 16), true);
    model.dispose();
    expect(restricted.ua).not.toBeCloseTo(record.folds[2].metrics.ua, 6);
    const old = {
      ...record,
      folds: record.folds.map((entry, index) => (index === 2 ? { ...entry, metrics: restricted } : entry)),
    };
    const lines: string[] = [];
    const rescored = await rescoreRecord(config(), old, {
      runsDir,
      revision: 'abc123',
      log: (line) => lines.push(line),
    });
    expect(rescored.folds).toEqual([2]);
    expect(rescored.record.folds.map((entry) => entry.metrics.ua)).toEqual(
      record.folds.map((entry) => expect.closeTo(entry.metrics.ua, 6)),
    );
    expect(rescored.record.summary.ua.mean).toBeCloseTo(record.summary.ua.mean, 6);
    expect(rescored.record.summary.served).toEqual(record.summary.served);
    expect(lines).toContain(
      `fold 3: UA ${(100 * restricted.ua).toFixed(1)} → ${(100 * record.folds[2].metrics.ua).toFixed(1)} % (its test speakers lack disgust)`,
    );
    expect(rescored.record.notes.at(-1)).toMatch(
      /^Fold 3 rescored among all 7 labels at revision abc123 \(npm run rescore\) from the fold models trained at /,
    );
  }, 120_000);

  it('leaves a record scored among all labels as it is, and refuses a model that does not reproduce it', async () => {
    const { config, record, runsDir } = await setUp();
    const options = { runsDir, revision: 'abc123', log: () => {} };
    const current = await rescoreRecord(config(), record, options);
    expect(current.folds).toEqual([]);
    expect(current.record).toBe(record);
    const other = {
      ...record,
      folds: record.folds.map((entry, index) =>
        index === 2 ? { ...entry, metrics: { ...entry.metrics, ua: 0.5 } } : entry,
      ),
    };
    await expect(rescoreRecord(config(), other, options)).rejects.toThrow(
      /rescore: expected the fold 3 model in .* to reproduce the record's 50\.0 % among its test speakers' labels, got .*: it is not the model that made the record/,
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
