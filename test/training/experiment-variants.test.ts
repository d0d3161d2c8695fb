import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema, leavingCorpusOut, withSeed } from '../../training/experiment.ts';

const recipe = {
  id: 'recipe',
  corpora: [
    { corpus: 'emodb', path: 'a' },
    { corpus: 'urdu', path: 'b' },
  ],
  model: { architecture: 'baseline' },
  training: { epochs: 3, seed: 1 },
};

describe('withSeed', () => {
  it("replaces the splits' and the training's seed, as <id>-seed-<N>", () => {
    const config = ExperimentConfigSchema.parse(withSeed(recipe, 7));
    expect(config.id).toBe('recipe-seed-7');
    expect(config.seed).toBe(7);
    expect(config.training.seed).toBe(7);
    expect(config.training.epochs).toBe(3);
  });

  it('gives a config without a training block one', () => {
    const { training: _, ...bare } = recipe;
    expect(ExperimentConfigSchema.parse(withSeed(bare, 3)).training.seed).toBe(3);
  });
});

describe('leavingCorpusOut', () => {
  it('holds the corpus out under leave-one-corpus-out, as <id>-loco-<corpus>', () => {
    const config = ExperimentConfigSchema.parse(leavingCorpusOut(withSeed(recipe, 7), 'urdu'));
    expect(config.id).toBe('recipe-seed-7-loco-urdu');
    expect(config.protocol).toBe('leave-one-corpus-out');
    expect(config.heldOutCorpus).toBe('urdu');
  });
});

describe('utterance.pitch', () => {
  it('is refused on a feature set without pitch columns, where it would change nothing', () => {
    const withPitch = (set: string) =>
      ExperimentConfigSchema.safeParse({
        ...recipe,
        features: { set },
        utterance: { centre: 'overall', pitch: 'clip-relative' },
      });
    expect(withPitch('logmel40+pitch').success).toBe(true);
    const refused = withPitch('logmel40');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toBe(
      'expected a feature set with pitch columns for utterance.pitch, got logmel40',
    );
  });
});

describe('an svm model', () => {
  it('is refused with augmented copies, which it would never train on', () => {
    const svm = (copies: number) =>
      ExperimentConfigSchema.safeParse({
        ...recipe,
        model: { architecture: 'svm' },
        waveformAugmentation: { copies },
      });
    expect(svm(0).success).toBe(true);
    const refused = svm(2);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toBe(
      'expected no augmented copies with the svm, which trains on every clip once, got 2',
    );
  });

  it('is refused with a γ or γ candidates for the linear kernel, which has no γ', () => {
    const linear = (gamma: unknown) =>
      ExperimentConfigSchema.safeParse({
        ...recipe,
        model: { architecture: 'svm', kernel: 'linear', gamma },
      });
    expect(linear(null).success).toBe(true);
    expect(linear([0.1, 1]).error?.issues[0].message).toBe(
      'expected no γ with the linear kernel, which has none, got [0.1,1]',
    );
    expect(linear(0.5).error?.issues[0].message).toBe(
      'expected no γ with the linear kernel, which has none, got 0.5',
    );
  });

  it('is refused with an empty candidate list, a candidate out of range or fewer than two inner folds', () => {
    const svm = (model: object) =>
      ExperimentConfigSchema.safeParse({ ...recipe, model: { architecture: 'svm', ...model } });
    for (const bad of [{ c: [] }, { c: [1, -1] }, { gamma: [] }, { gamma: [0] }, { searchFolds: 1 }]) {
      const refused = svm(bad);
      expect(refused.success, JSON.stringify(bad)).toBe(false);
      expect(refused.error?.issues[0].path[0]).toBe('model');
    }
  });
});

describe('classWeights', () => {
  it('takes balanced-per-corpus and refuses a mode it does not know, naming the ones it does', () => {
    const weighted = (classWeights: string) =>
      ExperimentConfigSchema.safeParse({ ...recipe, training: { classWeights } });
    expect(weighted('balanced-per-corpus').success).toBe(true);
    const refused = weighted('per-corpus');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toMatch(/balanced-per-corpus/);
  });
});
