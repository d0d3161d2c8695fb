import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type CanonicalLabel, type CorpusId, findLabel, type LabelOptions, toCanonical } from './labels.ts';

export type Gender = 'male' | 'female';

/** One audio file of a corpus with its labels, as read from the official file and folder names. */
export interface CorpusItem {
  /** Absolute path of the audio file. */
  file: string;
  /** Path relative to the corpus folder, with `/` separators: stable across machines, used in run records. */
  relativePath: string;
  corpus: CorpusId;
  /** The corpus's own speaker code (e.g. RAVDESS actor `07`, URDU `SM1`); unique within the corpus only. */
  speaker: string;
  /** Absent when the corpus does not say (CREMA-D without VideoDemographics.csv). */
  gender?: Gender;
  /** The corpus's own label code (see LABEL_MAPPING). */
  label: string;
  canonical: CanonicalLabel;
}

/** A file that was left out, and why. */
export interface SkippedFile {
  /** Path relative to the corpus folder, as in CorpusItem.relativePath. */
  file: string;
  reason: string;
}

/** What one corpus loader found in a folder. */
export interface CorpusListing {
  corpus: CorpusId;
  /** The layout that matched (one of the definition's `layouts`). */
  layout: string;
  items: CorpusItem[];
  /** Audio files inside the layout's folders whose names or folders do not fit the corpus's scheme. */
  skipped: SkippedFile[];
  /** Things left out on purpose or missing side information (e.g. RAVDESS song files, no demographics). */
  notes: string[];
}

/** A corpus loader: the official name scheme of one corpus. */
export interface CorpusDefinition {
  id: CorpusId;
  /** Display name, e.g. `EMO-DB`. */
  name: string;
  /** Number of files in the official release (speech only for RAVDESS): counts far from it are warned about. */
  officialCount: number;
  /** The layouts this loader accepts, named in "unknown layout" errors. */
  layouts: readonly string[];
  /** Lists the corpus under `root`, or returns null when none of its layouts' folders is present. */
  list(root: string, options?: LabelOptions): Promise<CorpusListing | null>;
}

/** The folders and files directly inside a folder, sorted by name; symbolic links are followed. */
export interface FolderEntries {
  folders: string[];
  files: string[];
}

export async function listFolder(path: string): Promise<FolderEntries> {
  const entries = await readdir(path, { withFileTypes: true });
  const folders: string[] = [];
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) folders.push(entry.name);
    else if (entry.isSymbolicLink()) {
      // A dangling link counts as a file so that reading it reports the problem instead of hiding it.
      const target = await stat(join(path, entry.name)).catch(() => undefined);
      (target?.isDirectory() ? folders : files).push(entry.name);
    } else if (entry.isFile()) files.push(entry.name);
  }
  // Default sort: by UTF-16 code units, the same on every machine and locale.
  return { folders: folders.sort(), files: files.sort() };
}

/** Lists a folder, or returns undefined when it does not exist or is not a folder. */
export async function listFolderIfPresent(path: string): Promise<FolderEntries | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? listFolder(path) : undefined;
}

/** The subfolders of `root` whose names pass `include`, by name, each with the files directly inside it. */
export async function listSubfolders(
  root: string,
  include: (name: string) => boolean,
): Promise<{ path: string; name: string; files: string[] }[]> {
  const folders = [];
  for (const name of (await listFolder(root)).folders.filter(include)) {
    const path = join(root, name);
    folders.push({ path, name, files: (await listFolder(path)).files });
  }
  return folders;
}

/** The audio files a corpus folder may hold, mixed freely: WAV and FLAC, by extension (any case). */
const isAudioName = (name: string) => /\.(wav|flac)$/i.test(name);

/** What a corpus's name scheme says about one file, or why the file does not fit it. */
export type ParsedName =
  | { speaker: string; gender?: Gender; label: string; skipReason?: undefined }
  | { skipReason: string };

/**
 * Builds a listing from the audio files (`.wav` and `.flac`) of the given folders, parsing each name with `parse`.
 * Names the mapping table does not know are skipped with a reason rather than thrown, so one odd file never stops
 * a run. Other files (text, images, …) are not listed at all.
 */
export function collectListing<Folder extends { path: string; files: readonly string[] }>(
  corpus: CorpusId,
  root: string,
  layout: string,
  folders: readonly Folder[],
  parse: (name: string, folder: Folder) => ParsedName,
  options: LabelOptions = {},
): CorpusListing {
  const listing: CorpusListing = { corpus, layout, items: [], skipped: [], notes: [] };
  for (const folder of folders) {
    for (const name of folder.files.filter(isAudioName)) {
      const file = join(folder.path, name);
      const relativePath = relative(root, file).split('\\').join('/');
      const parsed = parse(name, folder);
      if (parsed.skipReason !== undefined) {
        listing.skipped.push({ file: relativePath, reason: parsed.skipReason });
        continue;
      }
      const mapping = findLabel(corpus, parsed.label);
      if (!mapping) {
        listing.skipped.push({
          file: relativePath,
          reason: `unknown ${corpus} emotion label "${parsed.label}"`,
        });
        continue;
      }
      listing.items.push({
        file,
        relativePath,
        corpus,
        speaker: parsed.speaker,
        ...(parsed.gender ? { gender: parsed.gender } : {}),
        label: mapping.label,
        canonical: toCanonical(corpus, mapping.label, options),
      });
    }
  }
  return listing;
}

/**
 * The listing of a corpus kept as one folder per group (an emotion or a speaker) in `root`: the audio files of
 * the subfolders `isGroup` accepts, each name parsed with its folder's name; null when there is none.
 */
export async function listGroupFolders(
  corpus: CorpusId,
  root: string,
  layout: string,
  isGroup: (name: string) => boolean,
  parse: (name: string, group: string) => ParsedName,
  options: LabelOptions = {},
  listingRoot = root,
): Promise<CorpusListing | null> {
  const folders = await listSubfolders(root, isGroup);
  if (folders.length === 0) return null;
  return collectListing(
    corpus,
    listingRoot,
    layout,
    folders,
    (name, folder) => parse(name, folder.name),
    options,
  );
}

/** Why a corpus folder could not be read at all (single files never throw: they are skipped). */
export type CorpusErrorCode = 'missing-folder' | 'not-a-folder' | 'unreadable-folder' | 'unknown-layout';

export class CorpusError extends Error {
  readonly code: CorpusErrorCode;

  constructor(code: CorpusErrorCode, message: string) {
    super(message);
    this.name = 'CorpusError';
    this.code = code;
  }
}
