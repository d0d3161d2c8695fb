/**
 * `npm run datasets -- [--corpus id=path …] [--out models/datasets.json]`: summarises corpus folders for the
 * site's data page (core/contracts/datasets-summary.ts): files per class, speakers, durations, licence
 * and notes. Without --corpus it reads RAVDESS, EMO-DB, URDU, ASED and TurEV-DB from ../shared/datasets.
 * An existing summary at --out keeps the corpora this run did not read: a corpus is replaced, never the file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CorpusSummary,
  type DatasetsSummary,
  DatasetsSummarySchema,
} from '../../core/contracts/datasets-summary.ts';
import { CANONICAL_LABELS, CORPUS_IDS, type CorpusId } from '../corpora/labels.ts';
import { type LoadedCorpus, loadCorpus } from '../corpora/load.ts';
import { fail, parseCommandLine } from './parse-args.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_CORPORA: readonly CorpusId[] = ['ravdess', 'emodb', 'urdu', 'ased', 'turev'];
const DEFAULT_OUT = 'models/datasets.json';
const usage = `usage: npm run datasets -- [--corpus <${CORPUS_IDS.join('|')}>=<folder> …] [--out <file.json>]`;

const LICENCES: Partial<Record<CorpusId, string>> = {
  ravdess: 'CC BY-NC-SA 4.0',
  emodb: 'free for research (authors)',
  urdu: 'research use only',
  ased: 'free for research (authors; no licence file)',
  turev: 'CC BY-NC-ND 4.0',
};
const OTHER_LICENCE = "see the corpus's own terms";

/** The EMO-DB copy in ../shared/datasets has every clip at exactly this length (the release varies, to ~9 s). */
const EMODB_CUT_SECONDS = 2;
/** Skipped files named one by one in the notes; more are counted. */
const SKIPPED_NAMED = 5;
/** Nice histogram bin widths in seconds, the narrowest giving at most MAX_BINS bins is used. */
const BIN_WIDTHS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const MAX_BINS = 16;

/** Rounded to the millisecond: more digits would only be decoding noise. */
const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Bins [edge i, edge i+1) of a nice width from a multiple of it at or below the shortest clip. */
function histogram(sorted: readonly number[]): { edges: number[]; counts: number[] } {
  // The epsilon keeps a duration on an edge (2.0 s / 0.1 s = 19.999…) in the bin it starts.
  const binOf = (seconds: number, width: number) => Math.floor(seconds / width + 1e-9);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const binsFor = (width: number) => binOf(max, width) - binOf(min, width) + 1;
  const width =
    BIN_WIDTHS.find((candidate) => binsFor(candidate) <= MAX_BINS) ?? BIN_WIDTHS[BIN_WIDTHS.length - 1];
  const first = binOf(min, width);
  const counts = new Array<number>(binsFor(width)).fill(0);
  for (const seconds of sorted) counts[binOf(seconds, width) - first]++;
  const edges = Array.from({ length: counts.length + 1 }, (_, i) => ms((first + i) * width));
  return { edges, counts };
}

function notesOf(loaded: LoadedCorpus, durations: readonly number[]): string[] {
  // The loader's "skipped N files (see skipped …)" points at a run-record field; here each file is named below.
  const warnings = loaded.warnings.filter((warning) => !warning.startsWith('skipped '));
  const notes = [...loaded.notes, ...warnings];
  for (const skipped of loaded.skipped.slice(0, SKIPPED_NAMED)) {
    notes.push(`left out ${skipped.file}: ${skipped.reason}`);
  }
  if (loaded.skipped.length > SKIPPED_NAMED) {
    notes.push(`left out ${loaded.skipped.length - SKIPPED_NAMED} more files`);
  }
  // Said only when the durations show it, so an official EMO-DB release does not get this note.
  if (loaded.corpus === 'emodb' && durations.every((seconds) => seconds === EMODB_CUT_SECONDS)) {
    notes.push(`this public copy was cut or zero-padded to exactly ${EMODB_CUT_SECONDS.toFixed(1)} s`);
  }
  return notes;
}

function summarise(loaded: LoadedCorpus): CorpusSummary {
  if (loaded.items.length === 0)
    fail(`expected ${loaded.name} files in ${loaded.root}, got none that decode`);
  const classCounts = new Map<string, number>();
  const speakers = new Map<string, CorpusSummary['speakers'][number]>();
  for (const item of loaded.items) {
    classCounts.set(item.canonical, (classCounts.get(item.canonical) ?? 0) + 1);
    const speaker = speakers.get(item.speaker) ?? { id: item.speaker, gender: item.gender ?? null, count: 0 };
    speaker.count++;
    speakers.set(item.speaker, speaker);
  }
  const durations = loaded.items.map((item) => item.seconds).sort((a, b) => a - b);
  return {
    id: loaded.corpus,
    name: loaded.name,
    licence: LICENCES[loaded.corpus] ?? OTHER_LICENCE,
    // Canonical order, the order of every model's labels and confusion matrix.
    classes: CANONICAL_LABELS.filter((label) => classCounts.has(label)).map((label) => ({
      label,
      count: classCounts.get(label) as number,
    })),
    // Numeric-aware, so URDU's SM2 comes before SM10.
    speakers: [...speakers.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })),
    durations: {
      total: ms(durations.reduce((sum, seconds) => sum + seconds, 0)),
      min: ms(durations[0]),
      median: ms(median(durations)),
      max: ms(durations[durations.length - 1]),
      histogram: histogram(durations),
    },
    notes: notesOf(loaded, durations),
  };
}

const { values } = parseCommandLine(
  {
    options: {
      corpus: { type: 'string', multiple: true },
      out: { type: 'string', default: DEFAULT_OUT },
    },
  },
  usage,
  {
    summary:
      "Summarises corpus folders for the site's Data page: files per class, speakers, durations, licence and notes. " +
      'Without --corpus it reads RAVDESS, EMO-DB, URDU, ASED and TurEV-DB from ../shared/datasets; corpora already ' +
      'in the summary and not read again are kept.',
    options: {
      corpus: 'a corpus folder to read, as <corpus>=<folder>',
      out: "the summary file to write (the default is the repository's, wherever the command runs)",
    },
  },
);
// The default is the repository's file, wherever the command runs; a path given is the user's, from here.
const out = values.out === DEFAULT_OUT ? resolve(ROOT, DEFAULT_OUT) : resolve(values.out);

const requested = (values.corpus ?? []).map((value) => {
  const match = /^([^=]+)=(.+)$/.exec(value);
  if (!match) fail(`expected --corpus id=path, got '${value}'\n${usage}`);
  const id = match[1] as CorpusId;
  if (!CORPUS_IDS.includes(id)) fail(`expected a corpus id in ${CORPUS_IDS.join(', ')}, got '${match[1]}'`);
  return { id, path: match[2] };
});
const corpora =
  requested.length > 0
    ? requested
    : DEFAULT_CORPORA.map((id) => ({ id, path: resolve(ROOT, '../shared/datasets', id) }));

const summary: DatasetsSummary = { generatedAt: new Date().toISOString(), corpora: [] };
for (const { id, path } of corpora) {
  const loaded = await loadCorpus(path, { corpus: id }).catch((error: Error) => fail(error.message));
  const corpus = summarise(loaded);
  summary.corpora.push(corpus);
  console.log(
    `${corpus.name}: ${loaded.items.length} files, ${corpus.speakers.length} speakers, ` +
      `${(corpus.durations.total / 60).toFixed(1)} min, ${corpus.notes.length} notes`,
  );
}

// Corpora summarised before and not read now stay, in the order the site lists them.
const previousText = await readFile(out, 'utf8').catch(() => null);
const previous =
  previousText === null
    ? null
    : DatasetsSummarySchema.safeParse(
        (() => {
          try {
            return JSON.parse(previousText);
          } catch {
            return null;
          }
        })(),
      );
if (previous !== null && !previous.success) {
  fail(`expected ${out} to be a datasets summary to add to, got another file; choose another --out`);
}
const kept = (previous?.data?.corpora ?? []).filter(
  (corpus) => !summary.corpora.some((fresh) => fresh.id === corpus.id),
);
if (kept.length > 0) {
  summary.corpora = [...kept, ...summary.corpora].sort(
    (a, b) => CORPUS_IDS.indexOf(a.id as CorpusId) - CORPUS_IDS.indexOf(b.id as CorpusId),
  );
  console.log(`kept from ${out}: ${kept.map((corpus) => corpus.name).join(', ')}`);
}

const checked = DatasetsSummarySchema.safeParse(summary);
if (!checked.success) {
  const problems = checked.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  fail(`expected the summary to match DatasetsSummarySchema, got:\n  ${problems.join('\n  ')}`);
}
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(checked.data, null, 2)}\n`);
console.log(`wrote ${out}`);
