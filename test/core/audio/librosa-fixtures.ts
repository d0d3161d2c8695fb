import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../../../core/audio/decode.ts';

/** librosa 0.10.2 reference outputs for one clip (see test/fixtures/librosa/README.md). */
export interface LibrosaFixture {
  clip: string;
  /** The clip's 16-bit samples / 32768, as librosa read them. */
  signal: Float32Array;
  n_frames: number;
  params: Record<string, string | number>;
  input_checks: { sum: number; sum_abs: number; first10: number[] };
  /** Every feature as [row][frame]. */
  features: Record<string, number[][]>;
}

const LOCAL_DIRECTORY = fileURLToPath(new URL('../../fixtures/librosa/', import.meta.url));
const SHARED_DIRECTORY = join(
  process.env.SER_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url)),
  'fixtures',
  'librosa',
);

/** The synthetic clip, committed with the project. */
export const SYNTHETIC_CLIP = 'synthetic_440_1000_noise';
/** Corpus clips: only in the shared folder, never committed. */
export const CORPUS_CLIPS = ['emodb_03a01Fa', 'ravdess_03-01-02-01-02-02-13'] as const;

export function sharedFixtureExists(clip: string): boolean {
  return (
    existsSync(join(SHARED_DIRECTORY, `${clip}.json`)) && existsSync(join(SHARED_DIRECTORY, `${clip}.wav`))
  );
}

export function loadLibrosaFixture(clip: string): LibrosaFixture {
  const directory = clip === SYNTHETIC_CLIP ? LOCAL_DIRECTORY : SHARED_DIRECTORY;
  const reference = JSON.parse(readFileSync(join(directory, `${clip}.json`), 'utf8'));
  const { samples, sampleRate } = decodeAudio(readFileSync(join(directory, `${clip}.wav`)));
  if (sampleRate !== reference.params.sr) {
    throw new Error(`fixture ${clip}: expected ${reference.params.sr} Hz, got ${sampleRate}`);
  }
  return { ...reference, clip, signal: samples };
}
