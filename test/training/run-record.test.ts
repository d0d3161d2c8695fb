import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ModelMetadataSchema } from '../../core/contracts/model-metadata.ts';
import {
  type FoldMetrics,
  formatRecordJson,
  modelMetadataFromRunRecord,
  type RunRecord,
  RunRecordSchema,
} from '../../core/contracts/run-record.ts';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import {
  evaluate,
  type FoldSummary,
  type Metrics,
  summariseFolds,
} from '../../training/evaluation/metrics.ts';
import { renderModelCard } from '../../training/model-card.ts';
import { resolveModelConfig } from '../../training/models/index.ts';
import {
  collectEnvironment,
  readRunRecord,
  writeModelCard,
  writeRunRecord,
} from '../../training/run-record-files.ts';
import { TrainingConfigSchema } from '../../training/trainer.ts';
import type { EpochRecord } from '../../training/training-types.ts';

let dir: string;
let backend: TrainingBackend;
beforeAll(async () => {
  backend = await initTrainingBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'run-record-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LABELS = ['angry', 'happy', 'neutral', 'sad'];

/** A two-fold record assembled from the real metric and config functions, as the CLI will. */
function sampleRecord(): RunRecord {
  const folds = [
    evaluate(LABELS, [0, 0, 1, 1, 2, 2, 3, 3], [0, 0, 1, 2, 2, 2, 3, 0]),
    evaluate(LABELS, [0, 1, 1, 2, 3, 3], [0, 1, 0, 2, 3, 3]),
  ];
  const history: EpochRecord[] = [
    { epoch: 1, loss: 1.3, acc: 0.4, valLoss: 1.2, valAcc: 0.45, valUa: 0.44, seconds: 10.5 },
    { epoch: 2, loss: 1.1, acc: 0.5, valLoss: 1.25, valAcc: 0.5, valUa: 0.5, seconds: 10.1 },
  ];
  return {
    schemaVersion: 1,
    id: 'attention-blstm-urdu',
    createdAt: '2026-11-20T12:00:00.000Z',
    task: {
      corpus: 'urdu',
      protocol: 'speaker-5fold',
      speakerIndependent: true,
      labels: LABELS,
      features: { set: 'logmel40', config: { sampleRate: 16000, hopMs: 16 }, dims: 40, frames: 188 },
    },
    config: {
      model: resolveModelConfig({ architecture: 'attention-blstm' }),
      training: TrainingConfigSchema.parse({ seed: 7 }),
    },
    data: {
      datasetHash: 'a'.repeat(64),
      items: 14,
      classCounts: LABELS.map((label) => ({ label, count: 4 })),
      skipped: [{ corpus: 'urdu', file: 'Angry/broken.wav', reason: 'expected a RIFF header, got 0 bytes' }],
    },
    splits: {
      seed: 1,
      folds: [0, 1].map((index) => ({
        index,
        speakers: { train: [`urdu:SM${index + 2}`], validation: ['urdu:SF9'], test: [`urdu:SM${index}`] },
        counts: { train: 4, validation: 2, test: index === 0 ? 8 : 6 },
      })),
    },
    folds: folds.map((metrics, index) => ({
      index,
      metrics,
      history,
      bestEpoch: 1,
      stoppedEarly: false,
      seconds: 20.6,
    })),
    summary: summariseFolds(folds),
    parameters: 74_823,
    environment: collectEnvironment(backend),
    timings: {
      startedAt: '2026-11-20T11:58:00.000Z',
      finishedAt: '2026-11-20T12:00:00.000Z',
      totalSeconds: 120,
      featureSeconds: 3.5,
    },
    notes: ['Test record.'],
  };
}

/** The fields `npm run models:annotate` adds, with made-up values. */
function withAnnotations(record: RunRecord): RunRecord {
  return {
    ...record,
    inference: {
      macs: 7_830_512,
      msPerClip: { median: 4.21, p95: 5.02 },
      runs: 100,
      backend: 'wasm 4.22.0, SIMD on, 1 thread(s); custom kernels: LSTM (fused recurrence)',
      cpu: { model: 'Example CPU', cores: 2 },
      node: '22.23.3',
      loadAverage: 0.4,
      measuredAt: '2026-11-22T12:00:00.000Z',
    },
    attentionExamples: {
      layer: 'attention_weights',
      weights: 'fold-1',
      side: 'test',
      speakers: ['urdu:SM0'],
      seed: 1,
      examples: [
        {
          corpus: 'urdu',
          clip: 'Angry/SM0_F1_A01.wav',
          speaker: 'urdu:SM0',
          label: 'angry',
          seconds: 2.5,
          probabilities: [0.7, 0.1, 0.1, 0.1],
          attention: { startSeconds: 0.024, stepSeconds: 0.064, weights: [0.25, 0.5, 0.25] },
          logMel: {
            startSeconds: 0.008,
            frameSeconds: 0.032,
            bandHz: [100, 1200],
            db: [
              [-20, -30],
              [-40, -45],
            ],
          },
        },
      ],
    },
  };
}

describe('run record schema', () => {
  it('takes the metrics, summaries and epoch records the pipeline produces as they are', () => {
    expectTypeOf<Metrics>().toExtend<FoldMetrics>();
    expectTypeOf<FoldSummary>().toExtend<RunRecord['summary']>();
    expectTypeOf<EpochRecord>().toExtend<RunRecord['folds'][number]['history'][number]>();
  });

  it('writes run.json that reads back equal', async () => {
    const record = sampleRecord();
    const path = await writeRunRecord(join(dir, record.id), record);
    expect(path).toBe(join(dir, record.id, 'run.json'));
    expect(await readRunRecord(path)).toEqual(record);
  });

  it('refuses an invalid record, naming each offending field', async () => {
    const record = sampleRecord();
    record.folds[1].metrics.ua = 1.5;
    (record as unknown as { extra: number }).extra = 1;
    await expect(writeRunRecord(dir, record)).rejects.toThrow(
      /^expected the run record to write to match RunRecordSchema, got:\n {2}folds\.1\.metrics\.ua: .+\n {2}\(root\): .*extra/,
    );
    const path = join(dir, 'broken.json');
    await writeFile(path, JSON.stringify({ ...sampleRecord(), schemaVersion: 2 }));
    await expect(readRunRecord(path)).rejects.toThrow(
      `expected ${path} to match RunRecordSchema, got:\n  schemaVersion:`,
    );
  });

  it('accepts records without the optional inference cost and attention examples, and with them', async () => {
    const old = sampleRecord();
    expect(RunRecordSchema.parse(old)).not.toHaveProperty('inference');
    const annotated = withAnnotations(sampleRecord());
    const path = await writeRunRecord(join(dir, 'annotated'), annotated);
    expect(await readRunRecord(path)).toEqual(annotated);
    const broken = withAnnotations(sampleRecord());
    (broken.attentionExamples as { side: string }).side = 'train';
    (broken.inference as { msPerClip: object }).msPerClip = { median: 1 };
    await expect(writeRunRecord(dir, broken)).rejects.toThrow(
      /inference\.msPerClip\.p95: .+\n {2}attentionExamples\.side: /,
    );
  });

  it('writes arrays of numbers on one line and everything else indented', () => {
    const value = {
      counts: [
        [1, 2],
        [3, -4.5e-7],
      ],
      labels: ['a', 'b'],
      empty: [],
      history: [{ epoch: 1 }],
    };
    const text = formatRecordJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('"counts": [\n    [1, 2],\n    [3, -4.5e-7]\n  ]');
    expect(text).toContain('"labels": [\n    "a",\n    "b"\n  ]');
    expect(text).toContain('"history": [\n    {\n      "epoch": 1\n    }\n  ]');
  });

  it('records this machine: node, OS, CPU, backend and the git revision', () => {
    const environment = collectEnvironment(backend);
    expect(environment.node).toBe(process.versions.node);
    expect(environment.backend).toEqual(backend);
    expect(environment.git?.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(collectEnvironment(backend, tmpdir()).git).toBeNull();
  });
});

describe('modelMetadataFromRunRecord', () => {
  it('gives a metadata.json the serving schema accepts, with the mean fold scores', () => {
    const record = sampleRecord();
    const metadata = modelMetadataFromRunRecord(record, {
      version: '1.0.0',
      normalisation: { mean: new Array(40).fill(0), std: new Array(40).fill(1) },
      attentionLayer: 'attention_weights',
    });
    expect(ModelMetadataSchema.parse(metadata)).toEqual(metadata);
    expect(metadata).toMatchObject({
      architecture: 'attention-blstm',
      labels: LABELS,
      inputFrames: 188,
      parameters: 74_823,
      metrics: [{ corpus: 'urdu', protocol: 'speaker-5fold', ua: record.summary.ua.mean }],
    });
  });
});

describe('renderModelCard', () => {
  it('reports the protocol, mean ± sd scores, per-class rows and the summed confusion matrix', async () => {
    const record = sampleRecord();
    const card = await readFile(await writeModelCard(join(dir, record.id), record), 'utf8');
    expect(card).toContain('# attention-blstm-urdu');
    expect(card).toContain('Protocol `speaker-5fold`, 2 folds, speaker-independent');
    const ua = record.summary.ua;
    expect(card).toContain(
      `| UA (unweighted accuracy, mean per-class recall) | ${(100 * ua.mean).toFixed(1)} ± ${(100 * ua.std).toFixed(1)} |`,
    );
    expect(card).toContain('| true \\ predicted | angry | happy | neutral | sad |');
    expect(card).toContain('| angry | 3 | 0 | 0 | 0 |');
    expect(card).toContain('| sad | 1 | 0 | 0 | 3 |');
    expect(card).toContain('  - `urdu/Angry/broken.wav`: expected a RIFF header, got 0 bytes');
    expect(card).toContain('Chance UA is 25.0');
  });

  it('states the inference cost and how it was measured when the record has it', () => {
    expect(renderModelCard(sampleRecord())).not.toContain('## Inference cost');
    const card = renderModelCard(withAnnotations(sampleRecord()));
    expect(card).toContain(
      '## Inference cost\n\n- 7.83 M multiply-accumulates per input (188 frames × 40 features), counted from the layers.',
    );
    expect(card).toContain(
      '- 4.21 ms per clip (median; p95 5.02 ms) over 100 forward passes at batch 1, feature extraction excluded, ' +
        'measured 2026-11-22T12:00:00.000Z on Example CPU × 2, Node 22.23.3, wasm 4.22.0',
    );
  });

  it('names the augmentation a run used, and none for records stored before those options existed', () => {
    const record = sampleRecord();
    record.config.training = {
      ...record.config.training,
      maxTimeShift: 16,
      specAugment: { timeMasks: 2, maxTimeMask: 20, freqMasks: 0, maxFreqMask: 0 },
      mixupAlpha: 0.2,
      weightDecay: 0.003,
    };
    expect(renderModelCard(record)).toContain(
      '- Other augmentation and regularisation: time shift up to ±16 frames; 2 time mask(s) of ≤ 20 frames; ' +
        'mixup α = 0.2; weight decay λ = 0.003.',
    );
    const { maxTimeShift, specAugment, mixupAlpha, weightDecay, ...stored } = record.config.training;
    record.config.training = stored as typeof record.config.training;
    expect(renderModelCard(record)).toContain('- Other augmentation and regularisation: none.');
  });

  it('says what the utterance front end does with pitch columns, and nothing of pitch without them', () => {
    const record = sampleRecord();
    const utterance = {
      highPassHz: 80,
      trimMarginSeconds: 0.1,
      centre: 'overall',
      spread: 'utterance',
    } as const;
    record.task.features = { ...record.task.features, utterance };
    expect(renderModelCard(record)).not.toContain('pitch');
    record.task.features = { ...record.task.features, set: 'logmel40+pitch', dims: 42 };
    expect(renderModelCard(record)).toContain('pitch columns left as they are, f0 in semitones re 100 Hz');
    record.task.features.utterance = { ...utterance, pitch: 'clip-relative' };
    expect(renderModelCard(record)).toContain(
      'pitch columns left as they are, f0 in semitones from its mean over the speech frames',
    );
  });

  it('warns when speakers overlap between training and test', () => {
    const record = sampleRecord();
    record.task.speakerIndependent = false;
    expect(renderModelCard(record)).toContain('**speaker-dependent**');
  });
});
