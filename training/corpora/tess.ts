import { type CorpusDefinition, listGroupFolders, type ParsedName } from './corpus.ts';
import { findLabel, type LabelOptions } from './labels.ts';

const LAYOUT = '{OAF,YAF}_emotion/OAF_word_emotion.wav (e.g. OAF_angry/OAF_back_angry.wav)';
const FOLDER = /^(OAF|YAF)_(.+)$/i;
const NAME = /^(OAF|YAF)_([^_]+)_(.+)\.wav$/i;

/**
 * TESS: `SPEAKER_emotion/SPEAKER_word_emotion.wav` with the two female speakers OAF (older) and YAF (younger).
 * Pleasant surprise is `ps` in file names and `pleasant_surprise(d)` in folder names; both must agree.
 */
export function parseTessName(name: string, folderName: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected a TESS name like OAF_back_angry.wav, got ${name}` };
  const [, speaker, , emotion] = match;
  const folder = FOLDER.exec(folderName);
  if (!folder) return { skipReason: `expected a TESS folder like OAF_angry, got ${folderName}` };
  if (folder[1].toUpperCase() !== speaker.toUpperCase()) {
    return { skipReason: `file name says speaker ${speaker} but it is in ${folderName}/` };
  }
  const fromName = findLabel('tess', emotion);
  if (fromName && fromName !== findLabel('tess', folder[2])) {
    return { skipReason: `file name says emotion ${emotion} but it is in ${folderName}/` };
  }
  return { speaker: speaker.toUpperCase(), gender: 'female', label: emotion };
}

export const tess: CorpusDefinition = {
  id: 'tess',
  name: 'TESS',
  officialCount: 2800,
  layouts: [LAYOUT],
  list: (root: string, options: LabelOptions = {}) =>
    listGroupFolders('tess', root, LAYOUT, (name) => FOLDER.test(name), parseTessName, options),
};
