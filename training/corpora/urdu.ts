import { type CorpusDefinition, listGroupFolders, type ParsedName } from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = '{Angry,Happy,Neutral,Sad}/SM1_F10_A010.wav';
const EMOTION_FOLDERS = ['angry', 'happy', 'neutral', 'sad'];
const NAME = /^(S([MF])\d+)_[^_]+_([A-Za-z])\d+\.wav$/i;

/**
 * URDU: `{Emotion}/SPK_FILE_ENNN.wav` with the speaker code before the first `_` (SM… male, SF… female) and
 * the emotion letter (A, H, N, S) starting the last part, which must agree with the folder.
 */
export function parseUrduName(name: string, emotionFolder: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected an URDU name like SM1_F10_A010.wav, got ${name}` };
  const [, speaker, genderLetter, emotion] = match;
  const folderLetter = emotionFolder[0].toUpperCase();
  if (emotion.toUpperCase() !== folderLetter) {
    return { skipReason: `file name says emotion ${emotion} but it is in ${emotionFolder}/` };
  }
  return {
    speaker: speaker.toUpperCase(),
    gender: genderLetter.toUpperCase() === 'M' ? 'male' : 'female',
    label: emotion.toUpperCase(),
  };
}

export const urdu: CorpusDefinition = {
  id: 'urdu',
  name: 'URDU',
  officialCount: 400,
  layouts: [LAYOUT],
  list: (root: string, options: LabelOptions = {}) =>
    listGroupFolders(
      'urdu',
      root,
      LAYOUT,
      (name) => EMOTION_FOLDERS.includes(name.toLowerCase()),
      parseUrduName,
      options,
    ),
};
