import { stat } from 'node:fs/promises';
import { ased } from './ased.ts';
import { type CorpusDefinition, CorpusError, type CorpusListing, listFolder } from './corpus.ts';
import { cremaD } from './crema-d.ts';
import { emodb } from './emodb.ts';
import type { CorpusId, LabelOptions } from './labels.ts';
import { ravdess } from './ravdess.ts';
import { savee } from './savee.ts';
import { tess } from './tess.ts';
import { turev } from './turev.ts';
import { urdu } from './urdu.ts';

/** Every corpus loader, in the order their layouts are tried. */
export const CORPORA: readonly CorpusDefinition[] = [ravdess, emodb, urdu, savee, tess, cremaD, ased, turev];

export function corpusDefinition(id: CorpusId): CorpusDefinition {
  const definition = CORPORA.find((corpus) => corpus.id === id);
  if (!definition)
    throw new RangeError(`expected a corpus id (${CORPORA.map((c) => c.id).join(', ')}), got ${id}`);
  return definition;
}

export interface DetectOptions extends LabelOptions {
  /** Read the folder as this corpus instead of detecting it. */
  corpus?: CorpusId;
}

export interface Detection {
  definition: CorpusDefinition;
  listing: CorpusListing;
}

const sample = (names: readonly string[], count = 6) =>
  names.length === 0 ? 'none' : names.slice(0, count).join(', ') + (names.length > count ? ', …' : '');

/**
 * Finds which corpus a folder holds by trying every loader's layouts and keeping the one that recognises the
 * most files. Throws a CorpusError when the folder is missing or no layout recognises any file.
 */
export async function detectCorpus(root: string, options: DetectOptions = {}): Promise<Detection> {
  const info = await stat(root).catch(() => undefined);
  if (!info)
    throw new CorpusError('missing-folder', `expected a corpus folder at ${root}, but it does not exist`);
  if (!info.isDirectory()) {
    throw new CorpusError('not-a-folder', `expected a corpus folder at ${root}, but it is a file`);
  }
  const candidates = options.corpus ? [corpusDefinition(options.corpus)] : CORPORA;
  const found: Detection[] = [];
  for (const definition of candidates) {
    const listing = await definition.list(root, options).catch((error: Error) => {
      throw new CorpusError(
        'unreadable-folder',
        `could not read ${definition.name} folders in ${root}: ${error.message}`,
      );
    });
    if (listing) found.push({ definition, listing });
  }
  const best = found.reduce<Detection | undefined>(
    (winner, candidate) =>
      !winner || candidate.listing.items.length > winner.listing.items.length ? candidate : winner,
    undefined,
  );
  if (best && best.listing.items.length > 0) return best;

  const { folders, files } = await listFolder(root);
  const lookedFor = candidates.map((c) => `${c.name} (${c.layouts.join(' or ')})`).join('; ');
  const partial = found.map(
    ({ definition, listing }) =>
      ` ${definition.name} folders are present but none of their ${listing.skipped.length} audio files fit its ` +
      `names${listing.skipped[0] ? ` (${listing.skipped[0].reason})` : ''}.`,
  );
  throw new CorpusError(
    'unknown-layout',
    `no known corpus layout in ${root}: looked for ${lookedFor}; found ${folders.length} folders ` +
      `(${sample(folders)}) and ${files.length} files (${sample(files)}).${partial.join('')}`,
  );
}
