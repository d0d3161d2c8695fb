import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type CorpusDefinition,
  collectListing,
  type Gender,
  listFolder,
  listFolderIfPresent,
  type ParsedName,
} from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = 'AudioWAV/1001_DFA_ANG_XX.wav (+ VideoDemographics.csv for genders)';
const FLAT_LAYOUT = '1001_DFA_ANG_XX.wav directly in the folder (the AudioWAV/ folder itself)';
const NAME = /^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})\.wav$/i;
const DEMOGRAPHICS = 'VideoDemographics.csv';

/** CREMA-D: `AAAA_SSS_EEE_LL.wav` with actor AAAA (1001–1091), sentence SSS, emotion EEE and level LL. */
export function parseCremaDName(name: string, genders: ReadonlyMap<string, Gender>): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected a CREMA-D name like 1001_DFA_ANG_XX.wav, got ${name}` };
  const [, actor, , emotion] = match;
  const gender = genders.get(actor);
  return { speaker: actor, ...(gender ? { gender } : {}), label: emotion.toUpperCase() };
}

/**
 * Reads actor genders from VideoDemographics.csv (columns ActorID, …, Sex). Returns the genders, or a note
 * saying why they are unknown.
 */
export async function readCremaDGenders(
  csvPath: string,
): Promise<{ genders: Map<string, Gender>; note?: string }> {
  const text = await readFile(csvPath, 'utf8').catch(() => undefined);
  if (text === undefined) return { genders: new Map(), note: `no ${DEMOGRAPHICS}: speaker genders unknown` };
  const rows = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, '')));
  const header = rows[0] ?? [];
  const actorColumn = header.indexOf('ActorID');
  const sexColumn = header.indexOf('Sex');
  if (actorColumn < 0 || sexColumn < 0) {
    return {
      genders: new Map(),
      note: `expected ${DEMOGRAPHICS} to have ActorID and Sex columns, got ${header.join(', ')}: genders unknown`,
    };
  }
  const genders = new Map<string, Gender>();
  for (const row of rows.slice(1)) {
    const sex = row[sexColumn]?.toLowerCase();
    if (sex === 'male' || sex === 'female') genders.set(row[actorColumn], sex);
  }
  return { genders };
}

export const cremaD: CorpusDefinition = {
  id: 'crema-d',
  name: 'CREMA-D',
  officialCount: 7442,
  layouts: [LAYOUT, FLAT_LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    const audioFolder = join(root, 'AudioWAV');
    const nested = await listFolderIfPresent(audioFolder);
    let layout = LAYOUT;
    let folder = { path: audioFolder, files: nested?.files ?? [] };
    // The demographics file sits next to AudioWAV/, so look in the parent when given AudioWAV/ itself.
    let csvPath = join(root, DEMOGRAPHICS);
    if (!nested) {
      const { files } = await listFolder(root);
      if (!files.some((name) => NAME.test(name))) return null;
      layout = FLAT_LAYOUT;
      folder = { path: root, files };
      if (!files.includes(DEMOGRAPHICS)) csvPath = join(dirname(root), DEMOGRAPHICS);
    }
    const { genders, note } = await readCremaDGenders(csvPath);
    const listing = collectListing(
      'crema-d',
      root,
      layout,
      [folder],
      (name) => parseCremaDName(name, genders),
      options,
    );
    if (note) listing.notes.push(note);
    return listing;
  },
};
