import {
  type CorpusDefinition,
  type CorpusItem,
  type Gender,
  listGroupFolders,
  type ParsedName,
} from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = '{01Neutral,02Fearful,03Happy,04Sad,05Angry}/a5-03-01-02-50.flac';
/** Folder name (lower case) → the emotion code its files carry. */
const EMOTION_FOLDERS = new Map([
  ['01neutral', 'n1'],
  ['02fearful', 'f2'],
  ['03happy', 'h3'],
  ['04sad', 's4'],
  ['05angry', 'a5'],
]);
const NAME = /^([a-z]\d)-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.(?:wav|flac)$/i;
const GENDERS: Record<string, Gender> = { '01': 'female', '02': 'male' };

/**
 * ASED (Amharic Speech Emotion Dataset): `NNEmotion/EN-SS-RR-GG-PP.flac` with emotion EN (letter and folder
 * number: n1 neutral, f2 fearful, h3 happy, s4 sad, a5 angry; it must agree with the folder), sentence SS,
 * repetition RR, gender GG (01 female, 02 male) and speaker PP (01–65). Case is ignored.
 */
export function parseAsedName(name: string, emotionFolder: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected an ASED name like a5-03-01-02-50.flac, got ${name}` };
  const [, emotion, , , genderCode, speaker] = match;
  const folderCode = EMOTION_FOLDERS.get(emotionFolder.toLowerCase());
  if (emotion.toLowerCase() !== folderCode) {
    return { skipReason: `file name says emotion ${emotion} but it is in ${emotionFolder}/` };
  }
  const gender = GENDERS[genderCode];
  if (!gender)
    return { skipReason: `expected gender 01 (female) or 02 (male), got ${genderCode} in ${name}` };
  return { speaker, gender, label: emotion.toLowerCase() };
}

/**
 * A speaker's gender is what most of their files say. In the public ASED release five speakers (09, 15, 21, 23,
 * 25) each have one file whose gender code disagrees with all their others; without this they would count as
 * both. Returns a note per speaker corrected.
 */
export function settleSpeakerGenders(items: CorpusItem[]): string[] {
  const bySpeaker = new Map<string, CorpusItem[]>();
  for (const item of items) bySpeaker.set(item.speaker, [...(bySpeaker.get(item.speaker) ?? []), item]);
  const notes: string[] = [];
  for (const [speaker, files] of bySpeaker) {
    const female = files.filter((item) => item.gender === 'female');
    const male = files.filter((item) => item.gender === 'male');
    if (female.length === 0 || male.length === 0 || female.length === male.length) continue;
    const [majority, minority, other]: [Gender, CorpusItem[], Gender] =
      female.length > male.length ? ['female', male, 'male'] : ['male', female, 'female'];
    for (const item of minority) item.gender = majority;
    const names = minority.map((item) => item.relativePath).join(', ');
    notes.push(
      `speaker ${speaker}: ${minority.length} of ${files.length} files say ${other} (${names}), the rest ` +
        `${majority}; counted as ${majority}`,
    );
  }
  return notes;
}

export const ased: CorpusDefinition = {
  id: 'ased',
  name: 'ASED',
  officialCount: 2474,
  layouts: [LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    const isEmotion = (name: string) => EMOTION_FOLDERS.has(name.toLowerCase());
    const listing = await listGroupFolders('ased', root, LAYOUT, isEmotion, parseAsedName, options);
    listing?.notes.push(...settleSpeakerGenders(listing.items));
    return listing;
  },
};
