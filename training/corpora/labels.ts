/** The emotion labels every corpus is mapped onto; models name their outputs with these. */
export const CANONICAL_LABELS = [
  'neutral',
  'calm',
  'happy',
  'sad',
  'angry',
  'fearful',
  'disgust',
  'surprised',
  'boredom',
] as const;

export type CanonicalLabel = (typeof CANONICAL_LABELS)[number];

/** The corpora the loaders read. */
export const CORPUS_IDS = ['ravdess', 'emodb', 'urdu', 'savee', 'tess', 'crema-d', 'ased', 'turev'] as const;

export type CorpusId = (typeof CORPUS_IDS)[number];

/** One row of the mapping table: a corpus's own label and the canonical label it becomes. */
export interface LabelMapping {
  corpus: CorpusId;
  /** The label as the corpus writes it in file or folder names (the code items carry as `label`). */
  label: string;
  /** Other spellings found in releases of the corpus for the same label. */
  aliases: readonly string[];
  /** What the label means in the corpus's documentation (language as the corpus names it). */
  meaning: string;
  canonical: CanonicalLabel;
}

const row = (
  corpus: CorpusId,
  label: string,
  meaning: string,
  canonical: CanonicalLabel,
  aliases: readonly string[] = [],
): LabelMapping => ({ corpus, label, aliases, meaning, canonical });

/**
 * The one mapping table from each corpus's labels to the canonical set, rendered by the README and the site.
 * Choices worth knowing:
 * - RAVDESS "calm" stays `calm` (it is a separate acted emotion); `mergeCalmIntoNeutral` folds it into
 *   `neutral`, as some papers do to get the 7-class task.
 * - TurEV-DB "calm" (`sk`) is `calm` too, and `mergeCalmIntoNeutral` folds it the same way. RAVDESS and
 *   TurEV-DB are the corpora with `calm`; TurEV-DB has no `neutral` of its own.
 * - TESS "pleasant surprise" (`ps` in file names, `pleasant_surprise(d)` in folder names) is `surprised`.
 * - EMO-DB Langeweile (`L`) is `boredom`, a class only EMO-DB has.
 * - ASED codes are the emotion letter and the number of its folder (`n1` in `01Neutral/`, …, `a5` in
 *   `05Angry/`); TurEV-DB codes (`kz`, `sk`, `mt`, `hl`) are what its file names carry beside the folders'
 *   Angry, Calm, Happy and Sad.
 * - URDU and TurEV-DB have four classes, ASED five; SAVEE, CREMA-D and ASED have no `calm`.
 */
export const LABEL_MAPPING: readonly LabelMapping[] = [
  row('ravdess', '01', 'neutral', 'neutral'),
  row('ravdess', '02', 'calm', 'calm'),
  row('ravdess', '03', 'happy', 'happy'),
  row('ravdess', '04', 'sad', 'sad'),
  row('ravdess', '05', 'angry', 'angry'),
  row('ravdess', '06', 'fearful', 'fearful'),
  row('ravdess', '07', 'disgust', 'disgust'),
  row('ravdess', '08', 'surprised', 'surprised'),
  row('emodb', 'W', 'Ärger (Wut), anger', 'angry'),
  row('emodb', 'L', 'Langeweile, boredom', 'boredom'),
  row('emodb', 'E', 'Ekel, disgust', 'disgust'),
  row('emodb', 'A', 'Angst, fear', 'fearful'),
  row('emodb', 'F', 'Freude, happiness', 'happy'),
  row('emodb', 'T', 'Trauer, sadness', 'sad'),
  row('emodb', 'N', 'neutral', 'neutral'),
  row('urdu', 'A', 'angry', 'angry'),
  row('urdu', 'H', 'happy', 'happy'),
  row('urdu', 'N', 'neutral', 'neutral'),
  row('urdu', 'S', 'sad', 'sad'),
  row('savee', 'a', 'anger', 'angry'),
  row('savee', 'd', 'disgust', 'disgust'),
  row('savee', 'f', 'fear', 'fearful'),
  row('savee', 'h', 'happiness', 'happy'),
  row('savee', 'n', 'neutral', 'neutral'),
  row('savee', 'sa', 'sadness', 'sad'),
  row('savee', 'su', 'surprise', 'surprised'),
  row('tess', 'angry', 'angry', 'angry'),
  row('tess', 'disgust', 'disgust', 'disgust'),
  row('tess', 'fear', 'fear', 'fearful'),
  row('tess', 'happy', 'happy', 'happy'),
  row('tess', 'neutral', 'neutral', 'neutral'),
  row('tess', 'ps', 'pleasant surprise', 'surprised', ['pleasant_surprise', 'pleasant_surprised']),
  row('tess', 'sad', 'sad', 'sad'),
  row('crema-d', 'ANG', 'anger', 'angry'),
  row('crema-d', 'DIS', 'disgust', 'disgust'),
  row('crema-d', 'FEA', 'fear', 'fearful'),
  row('crema-d', 'HAP', 'happy', 'happy'),
  row('crema-d', 'NEU', 'neutral', 'neutral'),
  row('crema-d', 'SAD', 'sad', 'sad'),
  row('ased', 'n1', 'neutral', 'neutral'),
  row('ased', 'f2', 'fearful', 'fearful'),
  row('ased', 'h3', 'happy', 'happy'),
  row('ased', 's4', 'sad', 'sad'),
  row('ased', 'a5', 'angry', 'angry'),
  row('turev', 'kz', 'angry', 'angry'),
  row('turev', 'sk', 'calm', 'calm'),
  row('turev', 'mt', 'happy', 'happy'),
  row('turev', 'hl', 'sad', 'sad'),
];

/** Options that change how corpus labels become canonical ones (recorded with every run). */
export interface LabelOptions {
  /** Map "calm" (RAVDESS, TurEV-DB) to `neutral` instead of keeping `calm`. Default false. */
  mergeCalmIntoNeutral?: boolean;
}

/** Corpora whose label codes are matched without regard to case. */
const CASE_INSENSITIVE: readonly CorpusId[] = ['tess', 'savee', 'urdu', 'ased', 'turev'];

/**
 * Finds the table row for a corpus label, accepting aliases and ignoring case where the corpus does
 * (TESS and SAVEE names vary in case across copies, ASED has an `S4-…` among its `s4-…` files; EMO-DB and
 * CREMA-D codes are case-significant).
 */
export function findLabel(corpus: CorpusId, label: string): LabelMapping | undefined {
  const caseInsensitive = CASE_INSENSITIVE.includes(corpus);
  const wanted = caseInsensitive ? label.toLowerCase() : label;
  return LABEL_MAPPING.find((mapping) => {
    if (mapping.corpus !== corpus) return false;
    const spellings = [mapping.label, ...mapping.aliases];
    return spellings.some((spelling) => (caseInsensitive ? spelling.toLowerCase() : spelling) === wanted);
  });
}

/** Maps a corpus label to its canonical label through LABEL_MAPPING; throws for a label not in the table. */
export function toCanonical(corpus: CorpusId, label: string, options: LabelOptions = {}): CanonicalLabel {
  const mapping = findLabel(corpus, label);
  if (!mapping) {
    const known = LABEL_MAPPING.filter((m) => m.corpus === corpus).map((m) => m.label);
    throw new RangeError(`expected one of the ${corpus} labels (${known.join(', ')}), got "${label}"`);
  }
  if (options.mergeCalmIntoNeutral && mapping.canonical === 'calm') return 'neutral';
  return mapping.canonical;
}
