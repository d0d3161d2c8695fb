import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A few seconds of synthetic speech (espeak-ng, 22.05 kHz mono 16-bit WAV), generated at test time. */
export function writeSpeechWav(dir: string): string {
  const path = join(dir, 'speech.wav');
  const text =
    'The weather is lovely today, and I am so happy to see you again. Let us go out and celebrate.';
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', path, text]);
  return path;
}
