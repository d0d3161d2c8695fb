import { createHash } from 'node:crypto';
import type { Gender } from '../corpora/corpus.ts';
import { createRandom, type Random } from '../random.ts';

/** What a split needs to know about an item (a LoadedItem has all of it). */
export interface SplitItem {
  corpus: string;
  speaker: string;
  gender?: Gender;
  canonical: string;
  /** sha256 of the file's bytes. */
  hash: string;
}

/** One fold: item indices (into the array the split was made from) and speaker IDs on each side. */
export interface Fold {
  index: number;
  train: number[];
  /** Held out from training for early stopping; taken from the training side only. */
  validation: number[];
  test: number[];
  /** Speaker IDs (`corpus:speaker`, see speakerId) on each side, sorted. */
  speakers: { train: string[]; validation: string[]; test: string[] };
}

export interface Split {
  /** e.g. `speaker-5fold`, `loso`, `random-stratified (speaker-dependent)`: reported with every number. */
  protocol: string;
  /** True when no speaker appears on two sides of any fold. */
  speakerIndependent: boolean;
  seed: number;
  /** datasetHash of the items: results are comparable only between splits with the same hash. */
  datasetHash: string;
  folds: Fold[];
}

export interface SpeakerSplitOptions {
  seed: number;
  /** Training-side speakers held out per fold for early stopping, gender-balanced. Default 2; 0 for none. */
  validationSpeakers?: number;
}

/** A speaker ID unique across corpora (RAVDESS actor 03 and EMO-DB speaker 03 are different people). */
export const speakerId = (item: SplitItem) => `${item.corpus}:${item.speaker}`;

/** sha256 (hex) over the sorted `fileHash<TAB>label` lines: the same files with the same labels, in any order. */
export function datasetHash(items: readonly SplitItem[]): string {
  const lines = items.map((item) => `${item.hash}\t${item.canonical}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

interface Speaker {
  id: string;
  gender: Gender | undefined;
  items: number[];
}

function speakersOf(items: readonly SplitItem[]): Speaker[] {
  if (items.length === 0) throw new RangeError('expected at least one item to split, got 0');
  const speakers = new Map<string, Speaker>();
  items.forEach((item, index) => {
    const id = speakerId(item);
    const speaker = speakers.get(id) ?? { id, gender: undefined, items: [] };
    speaker.gender ??= item.gender;
    speaker.items.push(index);
    speakers.set(id, speaker);
  });
  return [...speakers.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Speakers shuffled within each gender, listed female, male, then unknown. */
function shuffledByGender(speakers: readonly Speaker[], random: Random): Speaker[][] {
  const genders: (Gender | undefined)[] = ['female', 'male', undefined];
  return genders.map((gender) => random.shuffle(speakers.filter((speaker) => speaker.gender === gender)));
}

/**
 * Picks `count` validation speakers from the training side, cycling through the genders (the one with more
 * speakers first): two picks are one woman and one man whenever the training side has both.
 */
function pickValidation(training: readonly Speaker[], count: number, random: Random): Set<Speaker> {
  if (count < 0 || !Number.isInteger(count)) {
    throw new RangeError(`expected a whole number of validation speakers, got ${count}`);
  }
  if (count > 0 && training.length - count < 1) {
    throw new RangeError(
      `expected more than ${count} training-side speakers to hold ${count} out for validation, got ${training.length}`,
    );
  }
  const pools = shuffledByGender(training, random).sort((a, b) => b.length - a.length);
  const picked = new Set<Speaker>();
  for (let turn = 0; picked.size < count; turn++) {
    const next = pools[turn % pools.length].shift();
    if (next) picked.add(next);
  }
  return picked;
}

function makeFold(
  index: number,
  testSpeakers: readonly Speaker[],
  validationSpeakers: Set<Speaker>,
  rest: readonly Speaker[],
): Fold {
  const trainSpeakers = rest.filter((speaker) => !validationSpeakers.has(speaker));
  const indices = (speakers: Iterable<Speaker>) =>
    [...speakers].flatMap((s) => s.items).sort((a, b) => a - b);
  const ids = (speakers: Iterable<Speaker>) => [...speakers].map((s) => s.id).sort();
  return {
    index,
    train: indices(trainSpeakers),
    validation: indices(validationSpeakers),
    test: indices(testSpeakers),
    speakers: { train: ids(trainSpeakers), validation: ids(validationSpeakers), test: ids(testSpeakers) },
  };
}

/**
 * Speaker-grouped k-fold (protocol `speaker-<k>fold`, the default; RAVDESS uses 5). Each of k speaker groups
 * is the test side of one fold. Speakers are shuffled within each gender, then, one gender after the other and
 * largest speaker first, each joins the group with the fewest items of that gender (then the fewest items,
 * then the fewest speakers). With equal-sized speakers (acted corpora) groups differ by at most one speaker
 * and their gender mix is as even as the corpus allows; with uneven ones (URDU) item counts stay close.
 */
export function speakerKFold(
  items: readonly SplitItem[],
  options: SpeakerSplitOptions & { k?: number },
): Split {
  const k = options.k ?? 5;
  const speakers = speakersOf(items);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`expected k >= 2 folds, got ${k}`);
  if (speakers.length < k) {
    throw new RangeError(
      `expected at least ${k} speakers for ${k} speaker-grouped folds, got ${speakers.length}`,
    );
  }
  const random = createRandom(options.seed);
  const groups = Array.from({ length: k }, () => ({ speakers: [] as Speaker[], items: 0, genderItems: 0 }));
  for (const pool of shuffledByGender(speakers, random)) {
    for (const group of groups) group.genderItems = 0;
    // Largest first, so that the small speakers even the totals out; the sort is stable, ties stay shuffled.
    for (const speaker of [...pool].sort((a, b) => b.items.length - a.items.length)) {
      const target = groups.reduce((best, group) => {
        const order =
          group.genderItems - best.genderItems ||
          group.items - best.items ||
          group.speakers.length - best.speakers.length;
        return order < 0 ? group : best;
      });
      target.speakers.push(speaker);
      target.items += speaker.items.length;
      target.genderItems += speaker.items.length;
    }
  }
  const folds = groups.map(({ speakers: test }, index) => {
    const rest = speakers.filter((speaker) => !test.includes(speaker));
    return makeFold(index, test, pickValidation(rest, options.validationSpeakers ?? 2, random), rest);
  });
  return {
    protocol: `speaker-${k}fold`,
    speakerIndependent: true,
    seed: options.seed,
    datasetHash: datasetHash(items),
    folds,
  };
}

/** Leave-one-speaker-out (protocol `loso`; EMO-DB's usual protocol): one fold per speaker, in speaker order. */
export function leaveOneSpeakerOut(items: readonly SplitItem[], options: SpeakerSplitOptions): Split {
  const speakers = speakersOf(items);
  if (speakers.length < 2)
    throw new RangeError(`expected at least 2 speakers for leave-one-speaker-out, got ${speakers.length}`);
  const random = createRandom(options.seed);
  const folds = speakers.map((test, index) => {
    const rest = speakers.filter((speaker) => speaker !== test);
    return makeFold(index, [test], pickValidation(rest, options.validationSpeakers ?? 2, random), rest);
  });
  return {
    protocol: 'loso',
    speakerIndependent: true,
    seed: options.seed,
    datasetHash: datasetHash(items),
    folds,
  };
}

/**
 * Leave one corpus out (protocol `leave-one-corpus-out`): one fold that trains on every other corpus and tests
 * on `heldOutCorpus`, the closest thing to a new studio and microphone. Test items whose label no training
 * corpus has (EMO-DB's boredom) cannot be scored and are left out; the scores are over the labels both sides
 * have. Validation speakers, if any, come from the training corpora.
 */
export function leaveOneCorpusOut(
  items: readonly SplitItem[],
  options: SpeakerSplitOptions & { heldOutCorpus: string },
): Split {
  const speakers = speakersOf(items);
  const held = speakers.filter((speaker) => items[speaker.items[0]].corpus === options.heldOutCorpus);
  const rest = speakers.filter((speaker) => !held.includes(speaker));
  if (held.length === 0 || rest.length === 0) {
    const corpora = [...new Set(items.map((item) => item.corpus))].sort();
    throw new RangeError(
      `expected to hold out one of several corpora (${corpora.join(', ')}), got ${options.heldOutCorpus}`,
    );
  }
  const fold = makeFold(
    0,
    held,
    pickValidation(rest, options.validationSpeakers ?? 2, createRandom(options.seed)),
    rest,
  );
  const trainLabels = new Set(fold.train.map((index) => items[index].canonical));
  return {
    protocol: 'leave-one-corpus-out',
    speakerIndependent: true,
    seed: options.seed,
    datasetHash: datasetHash(items),
    folds: [{ ...fold, test: fold.test.filter((index) => trainLabels.has(items[index].canonical)) }],
  };
}

export const RANDOM_STRATIFIED_PROTOCOL = 'random-stratified (speaker-dependent)';

/**
 * Random k-fold stratified by label, ignoring speakers: the same speaker is on both sides, which inflates
 * scores. It exists only to compare with papers that report it, and its protocol name says so.
 */
export function randomStratified(
  items: readonly SplitItem[],
  options: { seed: number; k?: number; validationFraction?: number },
): Split {
  const k = options.k ?? 5;
  const validationFraction = options.validationFraction ?? 0.1;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`expected k >= 2 folds, got ${k}`);
  if (items.length < k)
    throw new RangeError(`expected at least ${k} items for ${k} folds, got ${items.length}`);
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`expected a validation fraction in [0, 1), got ${validationFraction}`);
  }
  const random = createRandom(options.seed);
  const labels = [...new Set(items.map((item) => item.canonical))].sort();
  const byLabel = (indices: readonly number[], label: string) =>
    indices.filter((i) => items[i].canonical === label);
  const all = items.map((_, index) => index);
  const foldOf = new Int32Array(items.length);
  labels
    .flatMap((label) => random.shuffle(byLabel(all, label)))
    .forEach((itemIndex, position) => {
      foldOf[itemIndex] = position % k;
    });
  const folds = Array.from({ length: k }, (_, index): Fold => {
    const test = all.filter((i) => foldOf[i] === index);
    const rest = all.filter((i) => foldOf[i] !== index);
    const validation = new Set(
      labels.flatMap((label) => {
        const pool = random.shuffle(byLabel(rest, label));
        return pool.slice(0, Math.round(validationFraction * pool.length));
      }),
    );
    const train = rest.filter((i) => !validation.has(i));
    const ids = (indices: Iterable<number>) =>
      [...new Set([...indices].map((i) => speakerId(items[i])))].sort();
    const sorted = [...validation].sort((a, b) => a - b);
    return {
      index,
      train,
      validation: sorted,
      test,
      speakers: { train: ids(train), validation: ids(sorted), test: ids(test) },
    };
  });
  return {
    protocol: RANDOM_STRATIFIED_PROTOCOL,
    speakerIndependent: false,
    seed: options.seed,
    datasetHash: datasetHash(items),
    folds,
  };
}
