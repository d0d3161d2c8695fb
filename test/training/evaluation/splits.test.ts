import { describe, expect, it } from 'vitest';
import {
  datasetHash,
  leaveOneCorpusOut,
  leaveOneSpeakerOut,
  RANDOM_STRATIFIED_PROTOCOL,
  randomStratified,
  type Split,
  type SplitItem,
  speakerId,
  speakerKFold,
} from '../../../training/evaluation/splits.ts';

const LABELS = ['neutral', 'happy', 'sad', 'angry'];

/** `perLabel` items per label for each speaker; gender given per speaker index. */
function corpus(
  name: string,
  speakers: number,
  gender: (index: number) => SplitItem['gender'],
  perLabel = 2,
): SplitItem[] {
  const items: SplitItem[] = [];
  for (let s = 0; s < speakers; s++) {
    for (const label of LABELS) {
      for (let take = 0; take < perLabel; take++) {
        const speaker = String(s + 1).padStart(2, '0');
        items.push({
          corpus: name,
          speaker,
          gender: gender(s),
          canonical: label,
          hash: `${name}-${speaker}-${label}-${take}`,
        });
      }
    }
  }
  return items;
}

const ravdessLike = corpus('ravdess', 24, (s) => (s % 2 === 0 ? 'male' : 'female'));
const emodbLike = corpus('emodb', 10, (s) => (s < 5 ? 'male' : 'female'));
const unbalanced = corpus('urdu', 13, (s) => (s < 10 ? 'male' : 'female'));
const unknownGender = corpus('crema-d', 7, () => undefined);
// RAVDESS actor 01 and EMO-DB speaker 01 share a code but are different people.
const twoCorpora = [...corpus('ravdess', 6, (s) => (s % 2 ? 'female' : 'male')), ...emodbLike];

const SPEAKER_INDEPENDENT: [string, (items: SplitItem[], seed: number) => Split][] = [
  ['speaker-5fold', (items, seed) => speakerKFold(items, { seed })],
  [
    'speaker-3fold without validation',
    (items, seed) => speakerKFold(items, { seed, k: 3, validationSpeakers: 0 }),
  ],
  [
    'speaker-4fold, 3 validation speakers',
    (items, seed) => speakerKFold(items, { seed, k: 4, validationSpeakers: 3 }),
  ],
  ['loso', (items, seed) => leaveOneSpeakerOut(items, { seed })],
  ['loso, 1 validation speaker', (items, seed) => leaveOneSpeakerOut(items, { seed, validationSpeakers: 1 })],
];
const CORPORA: [string, SplitItem[]][] = [
  ['RAVDESS-like', ravdessLike],
  ['EMO-DB-like', emodbLike],
  ['gender-unbalanced', unbalanced],
  ['unknown genders', unknownGender],
  ['two corpora', twoCorpora],
];
const SEEDS = [0, 1, 7, 42, 2024];

describe('speaker-independent splits', () => {
  for (const [protocol, split] of SPEAKER_INDEPENDENT) {
    for (const [corpusName, items] of CORPORA) {
      it(`${protocol} on ${corpusName}: no speaker on two sides, every item tested once`, () => {
        for (const seed of SEEDS) {
          const result = split(items, seed);
          expect(result.speakerIndependent).toBe(true);
          const tested: number[] = [];
          for (const fold of result.folds) {
            const sides = [fold.train, fold.validation, fold.test].map(
              (indices) => new Set(indices.map((i) => speakerId(items[i]))),
            );
            for (const [a, b] of [
              [0, 1],
              [0, 2],
              [1, 2],
            ]) {
              const shared = [...sides[a]].filter((speaker) => sides[b].has(speaker));
              expect(shared, `seed ${seed} fold ${fold.index}: speakers on two sides`).toEqual([]);
            }
            // The recorded speaker lists are exactly the speakers of the indices.
            expect(fold.speakers.train).toEqual([...sides[0]].sort());
            expect(fold.speakers.validation).toEqual([...sides[1]].sort());
            expect(fold.speakers.test).toEqual([...sides[2]].sort());
            expect(fold.train.length + fold.validation.length + fold.test.length).toBe(items.length);
            expect(fold.train.length).toBeGreaterThan(0);
            tested.push(...fold.test);
          }
          expect(tested.sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
        }
      });
    }
  }
});

describe('speakerKFold', () => {
  it('deals speakers into groups of equal size and gender mix (RAVDESS: 24 actors, 5 groups)', () => {
    const split = speakerKFold(ravdessLike, { seed: 3 });
    expect(split.protocol).toBe('speaker-5fold');
    const groups = split.folds.map((fold) => fold.speakers.test);
    expect(groups.map((group) => group.length).sort()).toEqual([4, 5, 5, 5, 5]);
    for (const group of groups) {
      const males = group.filter((id) => Number(id.split(':')[1]) % 2 === 1).length;
      expect(Math.abs(males - (group.length - males)), `group ${group.join(' ')}`).toBeLessThanOrEqual(1);
    }
  });

  it('keeps test folds close in size when speakers have very different item counts (URDU)', () => {
    // Files per speaker code in URDU (400 files, 29 speakers; SM5 alone has 80).
    const sizes: Record<string, number> = {
      SF1: 12,
      SF10: 2,
      SF11: 4,
      SF2: 2,
      SF3: 2,
      SF4: 4,
      SF5: 4,
      SF6: 14,
      SF7: 6,
      SF8: 2,
      SF9: 4,
      SM1: 22,
      SM17: 2,
      SM18: 2,
      SM19: 2,
      SM2: 28,
      SM20: 10,
      SM21: 4,
      SM22: 2,
      SM23: 6,
      SM24: 38,
      SM25: 40,
      SM26: 2,
      SM27: 4,
      SM3: 12,
      SM4: 48,
      SM5: 80,
      SM6: 14,
      SM7: 28,
    };
    const items = Object.entries(sizes).flatMap(([speaker, count]) =>
      Array.from(
        { length: count },
        (_, take): SplitItem => ({
          corpus: 'urdu',
          speaker,
          gender: speaker.startsWith('SM') ? 'male' : 'female',
          canonical: LABELS[take % LABELS.length],
          hash: `${speaker}-${take}`,
        }),
      ),
    );
    expect(items).toHaveLength(400);
    for (const seed of SEEDS) {
      const testSizes = speakerKFold(items, { seed }).folds.map((fold) => fold.test.length);
      for (const size of testSizes)
        expect(size, `seed ${seed}: ${testSizes.join(', ')}`).toBeGreaterThanOrEqual(70);
      for (const size of testSizes)
        expect(size, `seed ${seed}: ${testSizes.join(', ')}`).toBeLessThanOrEqual(90);
    }
  });

  it('takes one woman and one man as validation speakers when the training side has both', () => {
    for (const seed of SEEDS) {
      for (const fold of speakerKFold(ravdessLike, { seed }).folds) {
        const genders = fold.speakers.validation.map(
          (id) => ravdessLike.find((item) => speakerId(item) === id)?.gender,
        );
        expect(genders.sort()).toEqual(['female', 'male']);
      }
    }
  });

  it('is deterministic by seed and changes with it', () => {
    expect(speakerKFold(ravdessLike, { seed: 11 })).toEqual(speakerKFold(ravdessLike, { seed: 11 }));
    const tests = (seed: number) =>
      speakerKFold(ravdessLike, { seed }).folds.map((fold) => fold.speakers.test);
    expect(tests(11)).not.toEqual(tests(12));
  });

  it('says when there are too few speakers', () => {
    expect(() =>
      speakerKFold(
        corpus('x', 3, () => 'male'),
        { seed: 1 },
      ),
    ).toThrow('expected at least 5 speakers for 5 speaker-grouped folds, got 3');
    expect(() =>
      speakerKFold(
        corpus('x', 5, () => 'male'),
        { seed: 1, validationSpeakers: 4 },
      ),
    ).toThrow('expected more than 4 training-side speakers to hold 4 out for validation, got 4');
    expect(() => speakerKFold([], { seed: 1 })).toThrow('expected at least one item to split, got 0');
  });
});

describe('leaveOneSpeakerOut', () => {
  it('has one fold per speaker, in speaker order, and is deterministic by seed', () => {
    const split = leaveOneSpeakerOut(emodbLike, { seed: 5 });
    expect(split.protocol).toBe('loso');
    expect(split.folds.map((fold) => fold.speakers.test)).toEqual(
      [...new Set(emodbLike.map(speakerId))].sort().map((id) => [id]),
    );
    expect(split).toEqual(leaveOneSpeakerOut(emodbLike, { seed: 5 }));
  });
});

describe('randomStratified', () => {
  it('names itself speaker-dependent and keeps each label equally spread over the folds', () => {
    const split = randomStratified(emodbLike, { seed: 9 });
    expect(split.protocol).toBe(RANDOM_STRATIFIED_PROTOCOL);
    expect(split.protocol).toContain('speaker-dependent');
    expect(split.speakerIndependent).toBe(false);
    for (const fold of split.folds) {
      for (const label of LABELS) {
        // 10 speakers × 2 takes = 20 items per label over 5 folds.
        expect(fold.test.filter((i) => emodbLike[i].canonical === label)).toHaveLength(4);
        // 10% of the 16 training-side items of each label.
        expect(fold.validation.filter((i) => emodbLike[i].canonical === label)).toHaveLength(2);
      }
      const all = [...fold.train, ...fold.validation, ...fold.test].sort((a, b) => a - b);
      expect(all).toEqual(emodbLike.map((_, i) => i));
    }
    expect(split).toEqual(randomStratified(emodbLike, { seed: 9 }));
  });
});

describe('datasetHash', () => {
  it('depends on the files and labels, not their order', () => {
    const reversed = [...emodbLike].reverse();
    expect(datasetHash(reversed)).toBe(datasetHash(emodbLike));
    expect(datasetHash(emodbLike)).toMatch(/^[0-9a-f]{64}$/);
    const relabelled = emodbLike.map((item, i) => (i === 0 ? { ...item, canonical: 'boredom' } : item));
    expect(datasetHash(relabelled)).not.toBe(datasetHash(emodbLike));
    expect(speakerKFold(emodbLike, { seed: 1 }).datasetHash).toBe(datasetHash(emodbLike));
  });
});

describe('leaveOneCorpusOut', () => {
  const boredom = corpus('emodb', 10, (s) => (s < 5 ? 'male' : 'female')).map((item, index) =>
    index % 5 === 0 ? { ...item, canonical: 'boredom', hash: `${item.hash}-b` } : item,
  );
  const items = [...corpus('ravdess', 6, (s) => (s % 2 ? 'female' : 'male')), ...boredom];

  it('trains on the other corpora and tests on the held-out one over the labels both sides have', () => {
    const split = leaveOneCorpusOut(items, { seed: 3, heldOutCorpus: 'emodb', validationSpeakers: 2 });
    expect(split.protocol).toBe('leave-one-corpus-out');
    expect(split.folds).toHaveLength(1);
    const [fold] = split.folds;
    expect(fold.test.every((index) => items[index].corpus === 'emodb')).toBe(true);
    expect([...fold.train, ...fold.validation].every((index) => items[index].corpus === 'ravdess')).toBe(
      true,
    );
    expect(fold.speakers.validation).toHaveLength(2);
    // Boredom exists only in the held-out corpus: it cannot be scored.
    expect(fold.test.some((index) => items[index].canonical === 'boredom')).toBe(false);
    expect(fold.test).toHaveLength(
      items.filter((i) => i.corpus === 'emodb' && i.canonical !== 'boredom').length,
    );
    expect(fold.speakers.test).toHaveLength(10);
  });

  it('names the corpora when the held-out one is absent or alone', () => {
    expect(() => leaveOneCorpusOut(items, { seed: 1, heldOutCorpus: 'urdu' })).toThrow(
      'expected to hold out one of several corpora (emodb, ravdess), got urdu',
    );
    expect(() => leaveOneCorpusOut(boredom, { seed: 1, heldOutCorpus: 'emodb' })).toThrow('got emodb');
  });
});
