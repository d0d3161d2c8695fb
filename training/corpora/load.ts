import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type DecodedAudio, decodeAudio } from '../../core/audio/decode.ts';
import type { CorpusItem, SkippedFile } from './corpus.ts';
import { type DetectOptions, detectCorpus } from './detect.ts';
import { createDuplicateFinder, type DuplicateGroup } from './duplicates.ts';
import type { CorpusId } from './labels.ts';

/** A corpus item whose file was read and decoded. */
export interface LoadedItem extends CorpusItem {
  /** sha256 of the file's bytes (hex): the feature cache key and part of the dataset hash. */
  hash: string;
  /** Duration after decoding, in seconds. */
  seconds: number;
}

/** Everything a run needs to know about one corpus folder. */
export interface LoadedCorpus {
  corpus: CorpusId;
  name: string;
  root: string;
  layout: string;
  /** Items that decoded, sorted by relative path. */
  items: LoadedItem[];
  /** Files left out: names outside the scheme, unreadable or corrupt audio. Listed in the run record. */
  skipped: SkippedFile[];
  duplicates: DuplicateGroup[];
  /** Deliberate omissions and missing side information (from the loader). */
  notes: string[];
  /** Things the user should look at: counts far from the official release, duplicate audio, skipped files. */
  warnings: string[];
}

export interface LoadOptions extends DetectOptions {
  /**
   * Receives each decoded file as it is read, so callers (feature extraction) can stream a corpus without
   * holding all its audio. Errors thrown here are the caller's and stop the load.
   */
  onAudio?: (item: LoadedItem, audio: DecodedAudio) => void | Promise<void>;
}

/** Counts further than this fraction from the official one are warned about. */
const COUNT_TOLERANCE = 0.01;

const describe = (error: unknown) => {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
};

/**
 * Detects the corpus in `root`, then reads, hashes and decodes every file (one at a time). Unreadable and
 * corrupt files are skipped with their reason, never thrown; only a missing folder or an unknown layout throws.
 */
export async function loadCorpus(root: string, options: LoadOptions = {}): Promise<LoadedCorpus> {
  const { definition, listing } = await detectCorpus(root, options);
  const skipped = [...listing.skipped];
  const items: LoadedItem[] = [];
  const duplicates = createDuplicateFinder();
  const listed = [...listing.items].sort((a, b) => (a.relativePath < b.relativePath ? -1 : 1));

  for (const item of listed) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(item.file);
    } catch (error) {
      skipped.push({ file: item.relativePath, reason: `unreadable: ${describe(error)}` });
      continue;
    }
    let audio: DecodedAudio;
    try {
      audio = decodeAudio(bytes);
    } catch (error) {
      skipped.push({ file: item.relativePath, reason: `corrupt or unsupported audio: ${describe(error)}` });
      continue;
    }
    if (audio.samples.length === 0) {
      skipped.push({ file: item.relativePath, reason: 'no audio samples' });
      continue;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const loaded: LoadedItem = { ...item, hash, seconds: audio.samples.length / audio.sampleRate };
    duplicates.add(item.relativePath, hash, audio.samples);
    items.push(loaded);
    await options.onAudio?.(loaded, audio);
  }

  const warnings: string[] = [];
  const listedCount = listing.items.length + listing.skipped.length;
  if (Math.abs(listedCount - definition.officialCount) > COUNT_TOLERANCE * definition.officialCount) {
    warnings.push(
      `expected about ${definition.officialCount} ${definition.name} files (the official release), found ${listedCount}`,
    );
  }
  if (skipped.length > 0) {
    warnings.push(`skipped ${skipped.length} of ${listedCount} files (see skipped for each reason)`);
  }
  for (const group of duplicates.groups()) {
    const labels = group.files.map((file) => items.find((item) => item.relativePath === file)?.canonical);
    const agree = labels.every((label) => label === labels[0]);
    warnings.push(
      `${group.kind === 'identical' ? 'byte-identical' : 'near-identical (equal up to dither)'} audio in ` +
        `${group.files.join(', ')} (${agree ? `all labelled ${labels[0]}` : `labelled ${labels.join(', ')}`})`,
    );
  }

  return {
    corpus: definition.id,
    name: definition.name,
    root,
    layout: listing.layout,
    items,
    skipped,
    duplicates: duplicates.groups(),
    notes: listing.notes,
    warnings,
  };
}
