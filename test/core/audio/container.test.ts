import { describe, expect, it } from 'vitest';
import { sniffContainer, UnsupportedContainerError } from '../../../core/audio/container.ts';
import { encodeWav } from '../../../core/audio/wav-encode.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)),
  );

describe('sniffContainer', () => {
  it('tells FLAC from WAV, and leaves anything unknown to the WAV reader', () => {
    expect(sniffContainer(bytes('fLaC', [0, 0, 0, 34]))).toBe('flac');
    expect(sniffContainer(encodeWav(new Float32Array(8), 16000))).toBe('wav');
    expect(sniffContainer(bytes('hello world'))).toBe('wav');
    expect(sniffContainer(new Uint8Array(0))).toBe('wav');
  });

  it.each([
    [bytes('OggS', [0, 2]), 'Ogg (Opus, Vorbis or FLAC in Ogg)'],
    [bytes([0x1a, 0x45, 0xdf, 0xa3, 1]), 'WebM or Matroska (a browser recording)'],
    [bytes([0, 0, 0, 32], 'ftypM4A '), 'MP4, M4A or AAC in MP4'],
    [bytes('ID3', [4, 0]), 'MP3 with an ID3 tag'],
    [bytes([0xff, 0xfb, 0x90, 0x64]), 'MP3 or ADTS AAC'],
    [bytes('FORM', [0, 0, 0, 0], 'AIFF'), 'AIFF'],
    [bytes('RIFF', [0, 0, 0, 0], 'AVI '), 'AVI video'],
    [bytes('RIFF', [0, 0, 0, 0], 'WEBP'), 'a WebP image'],
  ])('names %s as an unsupported format', (input, name) => {
    let caught: unknown;
    try {
      sniffContainer(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsupportedContainerError);
    expect((caught as UnsupportedContainerError).container).toBe(name);
    expect((caught as Error).message).toMatch(
      new RegExp(`^expected WAV or FLAC audio, got ${name.replace(/[()]/g, '\\$&')}: convert it first`),
    );
  });
});
