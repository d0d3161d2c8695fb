import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cremaD, parseCremaDName } from '../../../training/corpora/crema-d.ts';
import { makeTempDir, writeClips } from './tiny-corpus.ts';

describe('parseCremaDName', () => {
  it('reads actor and emotion, with the gender when known', () => {
    expect(parseCremaDName('1001_DFA_ANG_XX.wav', new Map([['1001', 'male']]))).toEqual({
      speaker: '1001',
      gender: 'male',
      label: 'ANG',
    });
    expect(parseCremaDName('1002_IEO_HAP_HI.wav', new Map())).toEqual({ speaker: '1002', label: 'HAP' });
  });
});

describe('cremaD.list', () => {
  it('takes genders from VideoDemographics.csv', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['AudioWAV/1001_DFA_ANG_XX.wav', 'AudioWAV/1002_IEO_FEA_LO.wav']);
    await writeFile(
      join(root, 'VideoDemographics.csv'),
      'ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n',
    );
    const listing = await cremaD.list(root);
    expect(listing?.items.map((item) => [item.speaker, item.gender, item.canonical])).toEqual([
      ['1001', 'male', 'angry'],
      ['1002', 'female', 'fearful'],
    ]);
    expect(listing?.notes).toEqual([]);
  });

  it('leaves genders unknown, with a note, without the demographics file', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['AudioWAV/1001_DFA_SAD_XX.wav']);
    const listing = await cremaD.list(root);
    expect(listing?.items[0].gender).toBeUndefined();
    expect(listing?.notes).toEqual(['no VideoDemographics.csv: speaker genders unknown']);
  });

  it('reads the AudioWAV/ folder itself, finding the demographics file next to it', async () => {
    const root = await makeTempDir();
    await writeClips(root, ['AudioWAV/1091_WSI_NEU_XX.wav']);
    await writeFile(join(root, 'VideoDemographics.csv'), 'ActorID,Age,Sex\n1091,29,Female\n');
    const listing = await cremaD.list(join(root, 'AudioWAV'));
    expect(listing?.layout).toBe('1001_DFA_ANG_XX.wav directly in the folder (the AudioWAV/ folder itself)');
    expect(listing?.items.map((item) => [item.relativePath, item.gender, item.canonical])).toEqual([
      ['1091_WSI_NEU_XX.wav', 'female', 'neutral'],
    ]);
  });
});
