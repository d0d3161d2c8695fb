import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectListing, listFolder, listFolderIfPresent } from '../../../training/corpora/corpus.ts';
import { makeTempDir } from './tiny-corpus.ts';

describe('listFolder', () => {
  it('sorts by code unit and follows links, counting a dangling link as a file', async () => {
    const root = await makeTempDir();
    await mkdir(join(root, 'b_folder'));
    await mkdir(join(root, 'real'));
    await writeFile(join(root, 'a.wav'), '');
    await writeFile(join(root, 'B.wav'), '');
    await symlink(join(root, 'real'), join(root, 'linked_folder'));
    await symlink(join(root, 'nowhere.wav'), join(root, 'dangling.wav'));
    expect(await listFolder(root)).toEqual({
      folders: ['b_folder', 'linked_folder', 'real'],
      files: ['B.wav', 'a.wav', 'dangling.wav'],
    });
    expect(await listFolderIfPresent(join(root, 'a.wav'))).toBeUndefined();
    expect(await listFolderIfPresent(join(root, 'absent'))).toBeUndefined();
  });
});

describe('collectListing', () => {
  it('lists WAV and FLAC files, in any case, and nothing else', () => {
    const listing = collectListing(
      'urdu',
      '/corpus',
      'test layout',
      [
        {
          path: '/corpus/Angry',
          files: ['a.wav', 'b.flac', 'c.FLAC', 'd.Wav', 'e.mp3', 'f.flac.txt', 'cover.jpg'],
        },
      ],
      () => ({ speaker: 'SM1', label: 'A' }),
    );
    expect(listing.items.map((item) => item.relativePath)).toEqual([
      'Angry/a.wav',
      'Angry/b.flac',
      'Angry/c.FLAC',
      'Angry/d.Wav',
    ]);
    expect(listing.skipped).toEqual([]);
  });

  it('maps labels through the table, ignores non-audio files and skips unknown labels with a reason', () => {
    const root = '/corpus';
    const listing = collectListing(
      'tess',
      root,
      'test layout',
      [{ path: '/corpus/OAF_x', files: ['OAF_a_pleasant_surprised.wav', 'OAF_b_bored.WAV', 'notes.txt'] }],
      (name) => ({ speaker: 'OAF', gender: 'female', label: name.replace(/^OAF_[a-z]_|\.wav$/gi, '') }),
    );
    expect(listing.items).toEqual([
      {
        file: '/corpus/OAF_x/OAF_a_pleasant_surprised.wav',
        relativePath: 'OAF_x/OAF_a_pleasant_surprised.wav',
        corpus: 'tess',
        speaker: 'OAF',
        gender: 'female',
        label: 'ps',
        canonical: 'surprised',
      },
    ]);
    expect(listing.skipped).toEqual([
      { file: 'OAF_x/OAF_b_bored.WAV', reason: 'unknown tess emotion label "bored"' },
    ]);
  });
});
