import { join } from 'node:path';
import {
  type CorpusDefinition,
  collectListing,
  listFolder,
  listFolderIfPresent,
  type ParsedName,
} from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = 'AudioData/{DC,JE,JK,KL}/a01.wav';
const FLAT_LAYOUT = 'ALL/DC_a01.wav';
const SPEAKERS = ['DC', 'JE', 'JK', 'KL'];
const NAME = /^(sa|su|a|d|f|h|n)(\d{2})\.wav$/i;
const FLAT_NAME = /^([A-Z]{2})_(sa|su|a|d|f|h|n)(\d{2})\.wav$/i;

/** SAVEE official layout: `AudioData/SPEAKER/EEnn.wav`, emotion prefix EE and sentence number nn. */
export function parseSaveeName(name: string, speaker: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected a SAVEE name like a01.wav or sa12.wav, got ${name}` };
  return { speaker, gender: 'male', label: match[1].toLowerCase() };
}

/** SAVEE flat layout found in common copies: `ALL/SPEAKER_EEnn.wav`. */
export function parseSaveeFlatName(name: string): ParsedName {
  const match = FLAT_NAME.exec(name);
  if (!match) return { skipReason: `expected a SAVEE name like DC_a01.wav, got ${name}` };
  const speaker = match[1].toUpperCase();
  if (!SPEAKERS.includes(speaker)) {
    return { skipReason: `expected a SAVEE speaker (${SPEAKERS.join(', ')}), got ${speaker}` };
  }
  return { speaker, gender: 'male', label: match[2].toLowerCase() };
}

/** SAVEE: four male speakers (DC, JE, JK, KL), 120 sentences each. */
export const savee: CorpusDefinition = {
  id: 'savee',
  name: 'SAVEE',
  officialCount: 480,
  layouts: [LAYOUT, FLAT_LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    const audioData = join(root, 'AudioData');
    const nested = await listFolderIfPresent(audioData);
    if (nested) {
      const folders = [];
      for (const speaker of nested.folders.filter((name) => SPEAKERS.includes(name))) {
        const path = join(audioData, speaker);
        folders.push({ path, speaker, files: (await listFolder(path)).files });
      }
      const listing = collectListing(
        'savee',
        root,
        LAYOUT,
        folders,
        (name, folder) => parseSaveeName(name, folder.speaker),
        options,
      );
      const others = nested.folders.filter((name) => !SPEAKERS.includes(name));
      if (others.length > 0) listing.notes.push(`ignored folders in AudioData/: ${others.join(', ')}`);
      return listing;
    }
    const flatFolder = join(root, 'ALL');
    const flat = await listFolderIfPresent(flatFolder);
    if (!flat) return null;
    return collectListing(
      'savee',
      root,
      FLAT_LAYOUT,
      [{ path: flatFolder, files: flat.files }],
      parseSaveeFlatName,
      options,
    );
  },
};
