/**
 * Versions of the committed speech clip for the invariance suite (test/functions/invariance.workerd.test.ts),
 * made with sox (an independent resampler; no dither, so the bytes repeat) when the workerd config loads, and
 * handed to workerd as data bindings: it cannot run sox itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Binding name → sox options after the input (rate, channels, bits), then effects from `norm` on (gain, channel). */
export const INVARIANCE_CLIPS: Record<string, string[]> = {
  CLIP_16K_MONO: ['-r', '16000', '-c', '1', '-b', '16'],
  CLIP_22K05_MONO: ['-r', '22050', '-c', '1', '-b', '16'],
  CLIP_44K1_MONO: ['-r', '44100', '-c', '1', '-b', '16'],
  CLIP_48K_MONO: ['-r', '48000', '-c', '1', '-b', '16'],
  CLIP_16K_STEREO: ['-r', '16000', '-c', '2', '-b', '16'],
  CLIP_44K1_STEREO: ['-r', '44100', '-c', '2', '-b', '24'],
  CLIP_48K_STEREO: ['-r', '48000', '-c', '2', '-b', '16'],
  // Peaks at −40, −20 and −1 dBFS (sox's `norm` sets the peak), 16-bit.
  CLIP_PEAK_MINUS_40: ['-r', '16000', '-c', '1', '-b', '16', 'norm', '-40'],
  CLIP_PEAK_MINUS_20: ['-r', '16000', '-c', '1', '-b', '16', 'norm', '-20'],
  CLIP_PEAK_MINUS_1: ['-r', '16000', '-c', '1', '-b', '16', 'norm', '-1'],
  // A channel that is not the studio's: a DC offset, and microphones brighter or darker than the source by up to
  // 6 dB at either end of the band (shelves at 100 Hz and 3 kHz), peak-normalised after so nothing clips.
  CLIP_DC_OFFSET: ['-r', '16000', '-c', '1', '-b', '16', 'norm', '-6', 'dcshift', '0.05'],
  CLIP_BRIGHT: ['-r', '16000', '-c', '1', '-b', '16', 'bass', '-6', 'treble', '6', 'norm', '-1'],
  CLIP_DARK: ['-r', '16000', '-c', '1', '-b', '16', 'bass', '6', 'treble', '-6', 'norm', '-1'],
  // Telephone band: 8 kHz, nothing above 4 kHz. Measured and reported, not held to the same bound.
  CLIP_8K_MONO: ['-r', '8000', '-c', '1', '-b', '16'],
};

/** Makes every clip under `.cache/test-audio/invariance/`; returns the bindings, or {} without sox. */
export function makeInvarianceClips(root: string): Record<string, string> {
  if (spawnSync('sox', ['--version']).status !== 0) return {};
  const source = join(root, 'test/fixtures/audio/speech.wav');
  const folder = join(root, '.cache/test-audio/invariance');
  mkdirSync(folder, { recursive: true });
  const bindings: Record<string, string> = {};
  for (const [name, options] of Object.entries(INVARIANCE_CLIPS)) {
    const path = join(folder, `${name.toLowerCase()}.wav`);
    const effects = options.findIndex((option) => /^[a-z]+$/.test(option));
    const format = effects < 0 ? options : options.slice(0, effects);
    const chain = effects < 0 ? [] : options.slice(effects);
    const result = spawnSync('sox', [source, '-D', ...format, path, ...chain], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`expected sox to write ${path}, got: ${result.stderr}`);
    bindings[name] = path;
  }
  return bindings;
}

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
