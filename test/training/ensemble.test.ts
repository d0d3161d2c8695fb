import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTrainingBackend, type TrainingBackend } from '../../training/backend.ts';
import { combineProbabilities, ensembleExperiments, mergeHeldOutReports } from '../../training/ensemble.ts';
import {
  type ExperimentConfig,
  ExperimentConfigSchema,
  leavingCorpusOut,
} from '../../training/experiment.ts';
import { runExperiment } from '../../training/run.ts';
import { makeTempDir, tinyEmodb, tinyUrdu } from './corpora/tiny-corpus.ts';

describe('combineProbabilities', () => {
  it('takes the renormalised geometric mean of each row', () => {
    const a = Float32Array.of(0.8, 0.2, 0.5, 0.5);
    const b = Float32Array.of(0.2, 0.8, 0.9, 0.1);
    const combined = combineProbabilities([a, b], 2);
    expect(combined[0]).toBeCloseTo(0.5, 6);
    expect(combined[1]).toBeCloseTo(0.5, 6);
    const [high, low] = [Math.sqrt(0.45), Math.sqrt(0.05)];
    expect(combined[2]).toBeCloseTo(high / (high + low), 6);
    expect(combined[2] + combined[3]).toBeCloseTo(1, 6);
  });

  it('returns one member as it is, and lets no member veto a class with a zero', () => {
    const only = Float32Array.of(0.1, 0.9);
    expect(Array.from(combineProbabilities([only], 2))).toEqual([
      expect.closeTo(0.1, 6),
      expect.closeTo(0.9, 6),
    ]);
    const vetoed = combineProbabilities([Float32Array.of(0, 1), Float32Array.of(1, 0)], 2);
    expect(vetoed[0]).toBeCloseTo(0.5, 6);
  });

  it('refuses members of different lengths, or none', () => {
    expect(() => combineProbabilities([], 2)).toThrow('expected at least one member, got none');
    expect(() => combineProbabilities([new Float32Array(4), new Float32Array(6)], 2)).toThrow(
      'expected members of equal length in rows of 2, got 4, 6',
    );
  });
});

describe('ensembleExperiments', () => {
  let backend: TrainingBackend;
  beforeAll(async () => {
    backend = await initTrainingBackend({ prefer: 'wasm' });
  });

  const config = (id: string, data: string, overrides: Record<string, unknown> = {}): ExperimentConfig =>
    ExperimentConfigSchema.parse({
      id,
      corpora: [{ corpus: 'emodb', path: data }],
      features: { set: 'logmel40' },
      protocol: 'loso',
      clipSeconds: 0.5,
      validationSpeakers: 0,
      model: { architecture: 'baseline', hiddenUnits: [] },
      training: { epochs: 2, batchSize: 16 },
      ...overrides,
    });

  it('scores each member and their ensemble on the same folds, and refuses members that do not share them', async () => {
    const data = await tinyEmodb();
    const work = await makeTempDir('ser-ensemble-');
    const runsDir = join(work, 'runs');
    const members = [
      config('tiny-a', data),
      config('tiny-b', data, { model: { architecture: 'baseline', hiddenUnits: [8] } }),
    ];
    for (const member of members) {
      await runExperiment(member, {
        modelsDir: join(work, 'models'),
        cacheDir: runsDir,
        ship: 'fold-1',
        backend,
        log: () => {},
      });
    }
    const report = await ensembleExperiments(members, { runsDir, log: () => {} });
    expect(report.protocol).toBe('loso');
    expect(report.testClips).toEqual([14, 14, 14]);
    expect(report.members.map((member) => member.id)).toEqual(['tiny-a', 'tiny-b']);
    expect(report.ensemble.id).toBe('ensemble of tiny-a + tiny-b');
    for (const scores of [...report.members, report.ensemble]) {
      expect(scores.ua).toHaveLength(3);
      for (const ua of scores.ua) expect(ua).toBeGreaterThanOrEqual(0);
    }

    // A member that has heard the test speakers (their own statistics) is named in the protocol.
    const perSpeaker = config('tiny-e', data, { normalisation: 'per-speaker' });
    await runExperiment(perSpeaker, {
      modelsDir: join(work, 'models'),
      cacheDir: runsDir,
      ship: 'fold-1',
      backend,
      log: () => {},
    });
    expect((await ensembleExperiments([members[0], perSpeaker], { runsDir, log: () => {} })).protocol).toBe(
      'loso, per-speaker normalisation (1 of 2 members)',
    );

    const shuffled = config('tiny-c', data, { protocol: 'random-stratified' });
    await expect(ensembleExperiments([members[0], shuffled], { runsDir, log: () => {} })).rejects.toThrow(
      "expected 'tiny-c' to have the test folds of 'tiny-a' (same corpora, protocol and seed), got others",
    );
    const untrained = config('tiny-d', data);
    await expect(ensembleExperiments([members[0], untrained], { runsDir, log: () => {} })).rejects.toThrow(
      /expected the fold 1 model of 'tiny-d' in .*tiny-d\/fold-1\/model \(train it with npm run train\)/,
    );
  }, 120_000);

  it('leaves each corpus out: the records its runs shipped, scored over the labels the held-out corpus shares', async () => {
    const emodb = await tinyEmodb();
    const urdu = await tinyUrdu();
    const work = await makeTempDir('ser-ensemble-loco-');
    const options = { runsDir: join(work, 'runs'), modelsDir: join(work, 'models'), log: () => {} };
    const recipe = (id: string, hiddenUnits: number[]) =>
      config(id, emodb, {
        corpora: [
          { corpus: 'emodb', path: emodb },
          { corpus: 'urdu', path: urdu },
        ],
        model: { architecture: 'baseline', hiddenUnits },
      });
    const members = [recipe('tiny-a', []), recipe('tiny-b', [8])];
    const leaving = members.map((member) => ExperimentConfigSchema.parse(leavingCorpusOut(member, 'urdu')));
    for (const member of leaving) {
      await runExperiment(member, { ...options, cacheDir: options.runsDir, ship: 'fold-1', backend });
    }
    // Only the records are left, as in a fresh clone.
    await rm(options.runsDir, { recursive: true });
    const report = await ensembleExperiments(leaving, options);
    expect(report.protocol).toBe('leave-one-corpus-out');
    expect(report.testClips).toEqual([24]);
    expect(report.members.map((member) => member.id)).toEqual(['tiny-a-loco-urdu', 'tiny-b-loco-urdu']);
    const recorded = await Promise.all(
      leaving.map(async (member) =>
        JSON.parse(await readFile(join(options.modelsDir, member.id, 'run.json'), 'utf8')),
      ),
    );
    report.members.forEach((member, m) => {
      expect(member.ua[0]).toBeCloseTo(recorded[m].folds[0].metrics.ua, 6);
    });
  }, 180_000);
});

describe('mergeHeldOutReports', () => {
  const report = (corpus: string, ua: number[], clips: number, labels: string[]) => ({
    protocol: 'leave-one-corpus-out',
    labels,
    testClips: [clips],
    members: [
      { id: `a-loco-${corpus}`, ua: [ua[0]] },
      { id: `b-loco-${corpus}`, ua: [ua[1]] },
    ],
    ensemble: { id: `ensemble of a-loco-${corpus} + b-loco-${corpus}`, ua: [ua[2]] },
  });

  it("makes each held-out corpus a fold of one report, under the recipes' ids", () => {
    const merged = mergeHeldOutReports(
      [
        report('ased', [0.3, 0.4, 0.5], 10, ['happy', 'sad']),
        report('urdu', [0.6, 0.7, 0.8], 20, ['sad', 'calm']),
      ],
      ['ased', 'urdu'],
    );
    expect(merged).toEqual({
      protocol: 'leave-one-corpus-out',
      labels: ['happy', 'sad', 'calm'],
      testClips: [10, 20],
      members: [
        { id: 'a', ua: [0.3, 0.6] },
        { id: 'b', ua: [0.4, 0.7] },
      ],
      ensemble: { id: 'ensemble of a + b', ua: [0.5, 0.8] },
    });
    expect(() => mergeHeldOutReports([], ['ased'])).toThrow(
      'expected one report per held-out corpus, got 0 for 1',
    );
  });

  it("keeps the members' normalisation in the protocol, and refuses reports that differ in it", () => {
    const perSpeaker = (corpus: string) => ({
      ...report(corpus, [0.3, 0.4, 0.5], 10, ['sad']),
      protocol: 'leave-one-corpus-out, per-speaker normalisation',
    });
    expect(mergeHeldOutReports([perSpeaker('ased'), perSpeaker('urdu')], ['ased', 'urdu']).protocol).toBe(
      'leave-one-corpus-out, per-speaker normalisation',
    );
    expect(() =>
      mergeHeldOutReports(
        [perSpeaker('ased'), report('urdu', [0.3, 0.4, 0.5], 10, ['sad'])],
        ['ased', 'urdu'],
      ),
    ).toThrow(
      'expected every held-out report to have one protocol, got leave-one-corpus-out, per-speaker normalisation and leave-one-corpus-out',
    );
  });
});
