import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainingBackend } from '../../training/backend.ts';
import { initTrainingBackend } from '../../training/backend.ts';
import { type ExampleItem, ExperimentConfigSchema } from '../../training/experiment.ts';
import { runExperiment } from '../../training/run.ts';
import { readRunRecord } from '../../training/run-record-files.ts';
import { svmInputs, utteranceStatistics } from '../../training/svm-experiment.ts';
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

describe('svmInputs', () => {
  /** A clip of `speaker` whose two features ramp from `from` over four frames, `offset` added to both. */
  const clip = (speaker: string, from: number, offset: number) =>
    ({
      corpus: 'emodb',
      speaker,
      features: {
        data: Float32Array.from({ length: 8 }, (_, k) => from + Math.floor(k / 2) + offset),
        frames: 4,
        dims: 2,
      },
      variants: [],
    }) as unknown as ExampleItem;
  // Speaker b says what speaker a says, 10 units up (a louder microphone, a higher voice).
  const items = [clip('a', 0, 0), clip('a', 4, 0), clip('b', 0, 10), clip('b', 4, 10)];

  it("are the clips' own statistics with training-set normalisation", () => {
    const inputs = svmInputs(items, 'training-set');
    expect(Array.from(inputs[2])).toEqual(Array.from(utteranceStatistics(items[2].features)));
    expect(inputs[2][0] - inputs[0][0]).toBeCloseTo(10, 5);
  });

  it('take away what a speaker has on every clip with per-speaker normalisation', () => {
    const inputs = svmInputs(items, 'per-speaker');
    for (const [a, b] of [
      [0, 2],
      [1, 3],
    ]) {
      Array.from(inputs[a]).forEach((value, k) => {
        expect(inputs[b][k]).toBeCloseTo(value, 5);
      });
    }
    // The two clips of a speaker still differ: only the speaker's own statistics are gone.
    expect(inputs[1][0] - inputs[0][0]).toBeGreaterThan(1);
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

  it('chooses C and γ in each fold from candidates, per speaker, and says which in the record and the card', async () => {
    const data = await tinyEmodb();
    const work = await makeTempDir('ser-svm-search-');
    const config = ExperimentConfigSchema.parse({
      id: 'tiny-svm-search',
      corpora: [{ corpus: 'emodb', path: data }],
      protocol: 'loso',
      normalisation: 'per-speaker',
      clipSeconds: 0.5,
      validationSpeakers: 0,
      model: { architecture: 'svm', kernel: 'rbf', c: [0.1, 10], gamma: [null, 0.5] },
    });
    const lines: string[] = [];
    const record = await runExperiment(config, {
      modelsDir: join(work, 'models'),
      cacheDir: join(work, 'runs'),
      ship: 'fold-1',
      backend,
      log: (line) => lines.push(line),
    });
    expect(record?.task.normalisation).toBe('per-speaker');
    // Three speakers: each fold's two training speakers are the inner folds.
    expect(lines.filter((line) => line.includes('inner UA %'))).toHaveLength(3);
    const note = record?.notes.find((line) => line.startsWith('C and γ chosen in each fold'));
    expect(note).toMatch(/fold 1 C = (0\.1|10), γ = (1 \/ features|0\.5) \(2 inner folds\)/);
    const card = await readFile(join(work, 'models', 'tiny-svm-search', 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain("C ∈ {0.1, 10}, γ ∈ {1 / features, 0.5} (each fold's choice in the notes)");
  }, 60_000);
});
