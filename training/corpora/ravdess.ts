import { type CorpusDefinition, collectListing, listSubfolders, type ParsedName } from './corpus.ts';
import type { LabelOptions } from './labels.ts';

const LAYOUT = 'Actor_01..24/03-01-EE-II-SS-RR-AA.wav';
const ACTOR_FOLDER = /^Actor_(\d{2})$/;
const NAME = /^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.wav$/i;
const SONG = /^\d{2}-02-/;

/**
 * RAVDESS speech: `Actor_NN/MM-VV-EE-II-SS-RR-AA.wav` with modality MM 03 (audio-only), vocal channel VV 01
 * (speech; 02 song is left out with a note), emotion EE, intensity II, statement SS, repetition RR, actor AA
 * (odd = male).
 */
export function parseRavdessName(name: string, actorFolder: string): ParsedName {
  const match = NAME.exec(name);
  if (!match) return { skipReason: `expected a RAVDESS name like 03-01-05-01-02-01-07.wav, got ${name}` };
  const [, modality, channel, emotion, , , , actor] = match;
  if (modality !== '03') return { skipReason: `expected modality 03 (audio-only), got ${modality}` };
  if (channel !== '01') return { skipReason: `expected vocal channel 01 (speech), got ${channel}` };
  if (actor !== actorFolder) {
    return { skipReason: `file name says actor ${actor} but it is in Actor_${actorFolder}` };
  }
  return { speaker: actor, gender: Number(actor) % 2 === 1 ? 'male' : 'female', label: emotion };
}

export const ravdess: CorpusDefinition = {
  id: 'ravdess',
  name: 'RAVDESS (speech)',
  officialCount: 1440,
  layouts: [LAYOUT],
  async list(root: string, options: LabelOptions = {}) {
    const actorFolders = await listSubfolders(root, (name) => ACTOR_FOLDER.test(name));
    if (actorFolders.length === 0) return null;
    let songs = 0;
    const folders = actorFolders.map(({ path, name, files }) => {
      const speech = files.filter((file) => !SONG.test(file));
      songs += files.length - speech.length;
      return { path, actor: name.slice('Actor_'.length), files: speech };
    });
    const listing = collectListing(
      'ravdess',
      root,
      LAYOUT,
      folders,
      (name, folder) => parseRavdessName(name, folder.actor),
      options,
    );
    if (songs > 0)
      listing.notes.push(`left out ${songs} song files (vocal channel 02): this loader reads speech`);
    return listing;
  },
};
