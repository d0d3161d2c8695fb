import { join } from 'node:path';
import { type CorpusDefinition, listFolderIfPresent, listGroupFolders, type ParsedName } from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const SOURCE_FOLDER = 'Sound Source';
/** The emotion folders, found in `Sound Source/` of the release or directly in the folder given. */
const EMOTIONS_LAYOUT = '{Angry,Calm,Happy,Sad}/1157_kz_acik.flac';
const LAYOUT = `${SOURCE_FOLDER}/${EMOTIONS_LAYOUT}`;
/** Folder name (lower case) → the emotion code its files carry. */
const EMOTION_FOLDERS = new Map([
  ['angry', 'kz'],
  ['calm', 'sk'],
  ['happy', 'mt'],
  ['sad', 'hl'],
]);
const NAME = /^(\d+)_([a-z]+)_([^_]+)\.(?:wav|flac)$/i;

/**
 * TurEV-DB (Turkish Emotion-Voice Database): `Sound Source/{Emotion}/SPEAKER_CODE_WORD.flac` with a numeric
 * speaker id, the emotion code (kz angry, sk calm, mt happy, hl sad; it must agree with the folder) and the
 * word spoken. The names say nothing about gender. Case is ignored.
 */
export function parseTurevName(name: string, emotionFolder: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected a TurEV-DB name like 1157_kz_acik.flac, got ${name}` };
  const [, speaker, emotion] = match;
  if (emotion.toLowerCase() !== EMOTION_FOLDERS.get(emotionFolder.toLowerCase())) {
    return { skipReason: `file name says emotion ${emotion} but it is in ${emotionFolder}/` };
  }
  return { speaker, label: emotion.toLowerCase() };
}

export const turev: CorpusDefinition = {
  id: 'turev',
  name: 'TurEV-DB',
  officialCount: 1735,
  layouts: [LAYOUT, EMOTIONS_LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    // The release's top folder, or `root` pointing at it directly.
    const source = (await listFolderIfPresent(join(root, SOURCE_FOLDER))) ? join(root, SOURCE_FOLDER) : root;
    return listGroupFolders(
      'turev',
      source,
      source === root ? EMOTIONS_LAYOUT : LAYOUT,
      (name) => EMOTION_FOLDERS.has(name.toLowerCase()),
      parseTurevName,
      options,
      root,
    );
  },
};
