import { join } from 'node:path';
import {
  type CorpusDefinition,
  collectListing,
  type Gender,
  listFolder,
  listFolderIfPresent,
  type ParsedName,
} from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = 'wav/SSTTTEV.wav (e.g. wav/03a01Fa.wav)';
const FLAT_LAYOUT = 'SSTTTEV.wav directly in the folder (the wav/ folder itself)';
const NAME = /^(\d{2})([a-z]\d{2})([A-Za-z])([a-z])\.wav$/;

/** The ten EMO-DB speakers and their genders, from the corpus documentation. */
const SPEAKERS: Readonly<Record<string, Gender>> = {
  '03': 'male',
  '10': 'male',
  '11': 'male',
  '12': 'male',
  '15': 'male',
  '08': 'female',
  '09': 'female',
  '13': 'female',
  '14': 'female',
  '16': 'female',
};

/** EMO-DB: `SSTTTEV.wav` with speaker SS, text TTT, emotion letter E (German initial) and version V. */
export function parseEmodbName(name: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected an EMO-DB name like 03a01Fa.wav, got ${name}` };
  const [, speaker, , emotion] = match;
  const gender = SPEAKERS[speaker];
  if (!gender) {
    return {
      skipReason: `expected an EMO-DB speaker (${Object.keys(SPEAKERS).sort().join(', ')}), got ${speaker}`,
    };
  }
  return { speaker, gender, label: emotion };
}

export const emodb: CorpusDefinition = {
  id: 'emodb',
  name: 'EMO-DB',
  officialCount: 535,
  layouts: [LAYOUT, FLAT_LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    const wavFolder = join(root, 'wav');
    const nested = await listFolderIfPresent(wavFolder);
    if (nested) {
      const folders = [{ path: wavFolder, files: nested.files }];
      return collectListing('emodb', root, LAYOUT, folders, parseEmodbName, options);
    }
    const { files } = await listFolder(root);
    if (!files.some((name) => NAME.test(name))) return null;
    return collectListing('emodb', root, FLAT_LAYOUT, [{ path: root, files }], parseEmodbName, options);
  },
};
