import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFeatureExtractor, type FeatureMatrix } from '../../core/audio/feature-set.ts';
import { protocolName } from '../../core/contracts/run-record.ts';
import { createModelStore } from '../../core/serving/model-store.ts';
import {
  type ExampleItem,
  ExperimentConfigSchema,
  type ExperimentData,
  featureSetOf,
  normalisationFor,
  normalisationOf,
} from '../../training/experiment.ts';
import { readModelSource } from '../fixtures/models/read-models.ts';

const recipe = {
  id: 'recipe',
  corpora: [{ corpus: 'emodb', path: 'a' }],
  model: { architecture: 'baseline' },
  protocol: 'loso',
};

/** A clip of `frames` × 2 features: column 0 around `level`, column 1 around −level, spread `spread`. */
function clip(speaker: string, level: number, spread: number, frames = 4): ExampleItem {
  const data = new Float32Array(frames * 2);
  for (let t = 0; t < frames; t++) {
    const swing = (t % 2 === 0 ? 1 : -1) * spread;
    data[2 * t] = level + swing;
    data[2 * t + 1] = -level - swing;
  }
  const features: FeatureMatrix = { data, frames, dims: 2 };
  return {
    file: `/x/${speaker}-${level}.wav`,
    relativePath: `${speaker}-${level}.wav`,
    corpus: 'emodb',
    speaker,
    label: 'W',
    canonical: 'angry',
    hash: `${speaker}${level}`,
    seconds: 1,
    features,
    variants: [],
  };
}

describe('per-speaker normalisation', () => {
  it('is off by default and refused where a speaker is on both sides or the model is served', () => {
    expect(ExperimentConfigSchema.parse(recipe).normalisation).toBe('training-set');
    expect(ExperimentConfigSchema.parse({ ...recipe, normalisation: 'per-speaker' }).normalisation).toBe(
      'per-speaker',
    );
    for (const protocol of ['random-stratified', 'all-speakers']) {
      const parsed = ExperimentConfigSchema.safeParse({ ...recipe, protocol, normalisation: 'per-speaker' });
      expect(parsed.success).toBe(false);
      const issue = parsed.error?.issues[0];
      expect(issue?.path).toEqual(['normalisation']);
      expect(issue?.message).toContain(`got ${protocol}`);
    }
  });

  it("z-scores every clip with its own speaker's statistics over all of that speaker's clips", () => {
    const items = [clip('03', 10, 1), clip('03', 12, 1), clip('08', -5, 3), clip('08', -9, 3)];
    const perSpeaker = normalisationOf({ normalisation: 'per-speaker' }, items, [0, 1]);
    expect(typeof perSpeaker).toBe('function');
    const statsOf = perSpeaker as (item: ExampleItem) => { mean: Float32Array; std: Float32Array };
    // Speaker 03: column 0 takes 11 ± 1 ± 1 (levels 10 and 12, swing 1) → mean 11, std √2.
    expect(statsOf(items[0]).mean[0]).toBeCloseTo(11, 5);
    expect(statsOf(items[1]).std[0]).toBeCloseTo(Math.SQRT2, 5);
    // Speaker 08 is on no training side here, and still gets their own: mean −7, std √(4 + 9).
    expect(statsOf(items[2]).mean[1]).toBeCloseTo(7, 5);
    expect(statsOf(items[3]).std[1]).toBeCloseTo(Math.sqrt(13), 5);
    // The same object for a speaker's clips, computed once.
    expect(statsOf(items[0])).toBe(statsOf(items[1]));

    const data = {
      items,
      labels: ['angry'],
      extractor: { ...createFeatureExtractor('logmel40'), dims: 2 },
      inputFrames: 4,
    } as unknown as ExperimentData;
    const set = featureSetOf(data, [0, 1, 2, 3], perSpeaker);
    for (const [from, to] of [
      [0, 16],
      [16, 32],
    ]) {
      const speaker = set.features.subarray(from, to);
      const column = (d: number) => speaker.filter((_, i) => i % 2 === d);
      for (const d of [0, 1]) {
        const values = column(d);
        const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
        const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
        expect(mean).toBeCloseTo(0, 5);
        expect(variance).toBeCloseTo(1, 4);
      }
    }
  });

  it("is the training side's statistics with training-set normalisation", () => {
    const items = [clip('03', 10, 1), clip('08', -5, 3)];
    expect(normalisationOf({ normalisation: 'training-set' }, items, [0])).toEqual(
      normalisationFor(items, [0]),
    );
  });

  it('names itself in the protocol of tables and cards', () => {
    expect(protocolName({ protocol: 'loso' })).toBe('loso');
    expect(protocolName({ protocol: 'loso', normalisation: 'training-set' })).toBe('loso');
    expect(protocolName({ protocol: 'loso', normalisation: 'per-speaker' })).toBe(
      'loso, per-speaker normalisation',
    );
  });
});

describe('serving a per-speaker model', () => {
  const FIXTURES = fileURLToPath(new URL('../fixtures/models', import.meta.url));
  const source = () => {
    const loaded = readModelSource(FIXTURES);
    const files = loaded.models['tiny-blstm'];
    const metadata = files.metadata as { normalisation: Record<string, unknown> };
    metadata.normalisation = { ...metadata.normalisation, scope: 'per-speaker' };
    return { registry: { default: 'tiny-blstm', models: ['tiny-blstm'] }, models: { 'tiny-blstm': files } };
  };

  it('is refused by the model store, which has no speaker to normalise one clip by', () => {
    expect(() => createModelStore(source(), { prepareBackend: async () => {} })).toThrow(
      "model 'tiny-blstm': expected inputs z-scored with its training set's statistics, got per-speaker normalisation",
    );
  });

  it('loads for tools that only time or count the network', async () => {
    const store = createModelStore(source(), {
      prepareBackend: async () => {},
      acceptPerSpeakerNormalisation: true,
    });
    expect(store.find('tiny-blstm')?.metadata.normalisation.scope).toBe('per-speaker');
  });
});
