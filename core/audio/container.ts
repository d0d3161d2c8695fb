/**
 * What a file is, from its first bytes: the two formats the decoders read, and the common ones they do not, so a
 * refusal can name what was sent. No maintained Ogg/Opus, Vorbis or MP3 decoder runs in workerd with its
 * WebAssembly imported as a module (the ones on npm compile embedded wasm at run time, which workerd forbids),
 * so those are refused by name rather than guessed at.
 */
import { isFlac } from './flac.ts';

/** A recognised format this project does not decode. */
export class UnsupportedContainerError extends Error {
  readonly container: string;

  constructor(container: string) {
    super(
      `expected WAV or FLAC audio, got ${container}: convert it first, e.g. \`ffmpeg -i input output.flac\` ` +
        'or `sox input output.wav`',
    );
    this.name = 'UnsupportedContainerError';
    this.container = container;
  }
}

const ascii = (bytes: Uint8Array, offset: number, text: string) =>
  bytes.length >= offset + text.length &&
  [...text].every((char, index) => bytes[offset + index] === char.charCodeAt(0));

/** Signatures of formats people send instead of WAV or FLAC. */
const UNSUPPORTED: readonly [string, (bytes: Uint8Array) => boolean][] = [
  ['Ogg (Opus, Vorbis or FLAC in Ogg)', (bytes) => ascii(bytes, 0, 'OggS')],
  [
    'WebM or Matroska (a browser recording)',
    (bytes) => bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3,
  ],
  ['MP4, M4A or AAC in MP4', (bytes) => ascii(bytes, 4, 'ftyp')],
  ['MP3 with an ID3 tag', (bytes) => ascii(bytes, 0, 'ID3')],
  ['MP3 or ADTS AAC', (bytes) => bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0],
  ['AIFF', (bytes) => ascii(bytes, 0, 'FORM') && (ascii(bytes, 8, 'AIFF') || ascii(bytes, 8, 'AIFC'))],
  ['AVI video', (bytes) => ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'AVI ')],
  ['a WebP image', (bytes) => ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')],
];

export type Container = 'wav' | 'flac';

/**
 * 'flac' for a FLAC stream (possibly after an ID3v2 tag), 'wav' for anything else the WAV reader should judge
 * (its errors say what is wrong with it); throws {@link UnsupportedContainerError} for a recognised other format.
 */
export function sniffContainer(input: Uint8Array | ArrayBuffer): Container {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isFlac(bytes)) return 'flac';
  for (const [name, matches] of UNSUPPORTED) if (matches(bytes)) throw new UnsupportedContainerError(name);
  return 'wav';
}
