/**
 * Issue #11: the served model gives one speech clip the same answer whatever the source's sample rate, channel
 * count, level, DC offset or microphone slope. The versions are made by sox (test/workers/invariance-clips.ts) and sent through the deployed
 * Worker entry (functions/index.ts, the bundled models), as a client would send them.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ClassifyResponse } from '../../core/contracts/classify-api.ts';
import { bundledModels } from '../../functions/model/bundled-models.ts';
import { env } from '../workers/harness.ts';

/** Largest allowed difference in any probability from the 16 kHz mono version (the bound). */
const PROBABILITY_TOLERANCE = 0.05;
/**
 * For a microphone's colouring: the served model keeps the clip's long-term spectrum in its input on purpose
 * (its slope rises with vocal effort, and keeping it held out better), so a ±6 dB tilt moves the probabilities a
 * little; the label must not move. (Centring each band alone is exact here and 5 points worse held out.)
 */
const COLOUR_TOLERANCE = 0.1;

const VERSIONS = [
  ['22.05 kHz mono', 'CLIP_22K05_MONO'],
  ['44.1 kHz mono', 'CLIP_44K1_MONO'],
  ['48 kHz mono', 'CLIP_48K_MONO'],
  ['16 kHz stereo', 'CLIP_16K_STEREO'],
  ['44.1 kHz stereo 24-bit', 'CLIP_44K1_STEREO'],
  ['48 kHz stereo', 'CLIP_48K_STEREO'],
  ['peak −40 dBFS', 'CLIP_PEAK_MINUS_40'],
  ['peak −20 dBFS', 'CLIP_PEAK_MINUS_20'],
  ['peak −1 dBFS', 'CLIP_PEAK_MINUS_1'],
  ['DC offset 0.05', 'CLIP_DC_OFFSET'],
] as const;

const COLOURED = [
  ['brighter microphone (bass −6 dB, treble +6 dB)', 'CLIP_BRIGHT'],
  ['darker microphone (bass +6 dB, treble −6 dB)', 'CLIP_DARK'],
] as const;

const hasClips = env.CLIP_16K_MONO !== undefined;
const hasModel = (bundledModels.registry?.models.length ?? 0) > 0;
const note = !hasClips ? ' (skipped: sox is not installed)' : !hasModel ? ' (skipped: no bundled model)' : '';

async function classify(binding: `CLIP_${string}`): Promise<ClassifyResponse> {
  const response = await SELF.fetch('http://worker.test/v1/classify', {
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body: new Uint8Array(env[binding] as ArrayBuffer),
  });
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body as ClassifyResponse;
}

const difference = (a: ClassifyResponse, b: ClassifyResponse) =>
  Math.max(
    ...a.labels.map((label) => Math.abs((a.probabilities?.[label] ?? 0) - (b.probabilities?.[label] ?? 0))),
  );

describe(`the served model's answer does not move with rate, channels, level or channel colour${note}`, () => {
  it.skipIf(!hasClips || !hasModel).each(VERSIONS)('%s', async (name, binding) => {
    const reference = await classify('CLIP_16K_MONO');
    const version = await classify(binding);
    expect(reference.outcome).toBe('classified');
    console.log(`${name}: top ${version.top?.label}, max |Δp| ${difference(version, reference).toFixed(3)}`);
    expect(version.top?.label).toBe(reference.top?.label);
    expect(difference(version, reference)).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
  });

  it.skipIf(!hasClips || !hasModel).each(COLOURED)('%s keeps the label', async (name, binding) => {
    const reference = await classify('CLIP_16K_MONO');
    const version = await classify(binding);
    console.log(`${name}: top ${version.top?.label}, max |Δp| ${difference(version, reference).toFixed(3)}`);
    expect(version.top?.label).toBe(reference.top?.label);
    expect(difference(version, reference)).toBeLessThanOrEqual(COLOUR_TOLERANCE);
  });

  it.skipIf(!hasClips || !hasModel)('measures telephone-band (8 kHz) audio against it', async () => {
    const reference = await classify('CLIP_16K_MONO');
    const narrow = await classify('CLIP_8K_MONO');
    // Reported, not bounded: the README quotes this line.
    console.log(
      `8 kHz telephone band: top ${narrow.top?.label} (16 kHz: ${reference.top?.label}), ` +
        `max |Δp| ${difference(narrow, reference).toFixed(3)}`,
    );
    expect(narrow.outcome).toBe('classified');
  });
});
