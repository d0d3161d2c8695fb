import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { encodeWav } from '../../../core/audio/wav-encode.ts';
import { createRandom } from '../../../training/random.ts';

/** Test helpers that write tiny corpora in official layouts: 0.2 s clips of seeded noise, each different. */

let clipSeed = 1;

export interface ClipOptions {
  sampleRate?: number;
  channels?: number;
  seconds?: number;
}

/** A fresh clip of noise: a new seed each call, so no two clips share content (or duplicates are flagged). */
export function clip({ sampleRate = 16000, channels = 1, seconds = 0.2 }: ClipOptions = {}): Uint8Array {
  const random = createRandom(clipSeed++);
  const frames = Math.round(sampleRate * seconds);
  const planes = Array.from({ length: channels }, () => {
    const plane = new Float32Array(frames);
    for (let i = 0; i < frames; i++) plane[i] = 0.3 * (random.next() * 2 - 1);
    return plane;
  });
  return encodeWav(planes, sampleRate);
}

/** A temporary folder, removed when the current test finishes. */
export async function makeTempDir(prefix = 'ser-corpus-'): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(path, { recursive: true, force: true }));
  return path;
}

/** Writes `bytes` (default: a fresh clip) at `root/relativePath`, creating folders. */
export async function writeClip(
  root: string,
  relativePath: string,
  bytes: Uint8Array = clip(),
): Promise<string> {
  const path = join(root, relativePath);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/** Writes one clip per relative path. */
export async function writeClips(root: string, relativePaths: readonly string[], options?: ClipOptions) {
  for (const path of relativePaths) await writeClip(root, path, clip(options));
}

const EMODB_EMOTIONS = ['W', 'L', 'E', 'A', 'F', 'T', 'N'];

/**
 * A temporary EMO-DB folder: each speaker acts every emotion twice (texts a01 and a02), but for the emotion codes
 * `missing` lists per speaker.
 */
export async function tinyEmodb(
  speakers: readonly string[] = ['03', '08', '09'],
  missing: Readonly<Record<string, string>> = {},
): Promise<string> {
  const root = await makeTempDir();
  const names = speakers.flatMap((speaker) =>
    EMODB_EMOTIONS.filter((emotion) => !(missing[speaker] ?? '').includes(emotion)).flatMap((emotion) =>
      ['a01', 'a02'].map((text) => `wav/${speaker}${text}${emotion}a.wav`),
    ),
  );
  await writeClips(root, names);
  return root;
}

/** A temporary URDU folder: three speakers, each emotion twice (24 clips). */
export async function tinyUrdu(): Promise<string> {
  const root = await makeTempDir();
  await writeClips(
    root,
    ['SM1', 'SF1', 'SM2'].flatMap((speaker) =>
      ['Angry', 'Happy', 'Neutral', 'Sad'].flatMap((emotion) =>
        ['01', '02'].map((take) => `${emotion}/${speaker}_F1_${emotion[0]}${take}.wav`),
      ),
    ),
  );
  return root;
}
