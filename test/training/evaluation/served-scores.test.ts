import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../core/audio/decode.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { classifyClip } from '../../../core/serving/classify-clip.ts';
import { initTrainingBackend, type TrainingBackend } from '../../../training/backend.ts';
import { servedFoldModel, servedProbabilities } from '../../../training/evaluation/served-scores.ts';
import {
  ExperimentConfigSchema,
  loadExperimentData,
  normalisationFor,
  splitFor,
} from '../../../training/experiment.ts';
import { loadModel } from '../../../training/model-io.ts';
import { runExperiment } from '../../../training/run.ts';
import { speechLike } from '../../fixtures/audio/synthetic.ts';
import { makeTempDir, writeClip } from '../corpora/tiny-corpus.ts';

describe('scores through the serving path', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  /** Three EMO-DB speakers, every emotion twice: 1.2 s of synthetic syllables each, which the detector hears. */
  async function syllableEmodb(): Promise<string> {
    const data = await makeTempDir();
    let seed = 1;
    for (const speaker of ['03', '08', '09']) {
      for (const emotion of ['W', 'L', 'E', 'A', 'F', 'T', 'N']) {
        for (const text of ['a01', 'a02']) {
          const { signal } = speechLike(1.2, seed++);
          await writeClip(data, `wav/${speaker}${text}${emotion}a.wav`, encodeWav([signal], 16000));
        }
      }
    }
    return data;
  }

  it('work for a model without the utterance front end, on other features and frames', async () => {
    const data = await syllableEmodb();
    const work = await makeTempDir('ser-served-');
    const record = await runExperiment(
      ExperimentConfigSchema.parse({
        id: 'tiny-served-seed004',
        corpora: [{ corpus: 'emodb', path: data }],
        protocol: 'loso',
        clipSeconds: 1,
        validationSpeakers: 0,
        features: { set: 'seed004-librosa-46', config: { hop: 512 } },
        model: { architecture: 'attention-blstm', units: 4, attentionUnits: 4, denseUnits: 4 },
        training: { epochs: 1, batchSize: 16 },
      }),
      {
        modelsDir: join(work, 'models'),
        cacheDir: join(work, 'runs'),
        ship: 'fold-1',
        backend,
        log: () => {},
      },
    );
    expect(record?.summary.served?.ua.n).toBe(3);
    expect(record?.folds.every((fold) => (fold.served?.answered ?? 0) > 0)).toBe(true);
  }, 180_000);

  it('are recorded for every fold beside the centred-input scores, and are classifyClip answers', async () => {
    const data = await syllableEmodb();
    const work = await makeTempDir('ser-served-');
    const config = ExperimentConfigSchema.parse({
      id: 'tiny-served',
      corpora: [{ corpus: 'emodb', path: data }],
      protocol: 'loso',
      clipSeconds: 0.5,
      validationSpeakers: 0,
      utterance: {},
      model: { architecture: 'baseline', hiddenUnits: [] },
      training: { epochs: 2, batchSize: 16 },
    });
    const runsDir = join(work, 'runs');
    const lines: string[] = [];
    const record = await runExperiment(config, {
      modelsDir: join(work, 'models'),
      cacheDir: runsDir,
      ship: 'fold-1',
      backend,
      log: (line) => lines.push(line),
    });
    if (record === null) throw new Error('expected a record');
    for (const fold of record.folds) {
      expect(fold.served).toBeDefined();
      expect((fold.served?.answered ?? 0) + (fold.served?.noSpeech ?? 0)).toBe(fold.metrics.total);
    }
    expect(record.summary.served?.ua.n).toBe(3);
    expect(record.folds.every((fold) => (fold.served?.answered ?? 0) > 0)).toBe(true);
    expect(lines.some((line) => /^fold 1\/3 test through the serving path: UA /.test(line))).toBe(true);

    // Fold 1's model, served as the model store would, answers each test clip as classifyClip does.
    const loaded = await loadExperimentData(config, () => {});
    const fold = splitFor(config, loaded.items).folds[0];
    const network = await loadModel(join(runsDir, 'tiny-served', 'fold-1', 'model'));
    const served = servedFoldModel(config, loaded, network, normalisationFor(loaded.items, fold.train));
    const clip = fold.test[0];
    const { probabilities, truth } = await servedProbabilities(served, loaded, [clip]);
    const { samples } = decodeAudio(await readFile(loaded.items[clip].file));
    const direct = classifyClip(served, samples, { attention: false }).probabilities;
    expect(direct).not.toBeNull();
    expect(truth).toEqual([loaded.labels.indexOf(loaded.items[clip].canonical)]);
    expect(Array.from(probabilities)).toEqual(Array.from(direct ?? []));
    network.dispose();
  }, 180_000);
});
