/**
 * The input level meter's numbers: a block's RMS and peak in dBFS, and the level shown, which jumps up at once
 * and falls back slowly (as a VU meter does), so speech reads as a steady level rather than a flicker.
 */
export const FLOOR_DB = -60;

export interface BlockLevel {
  rmsDb: number;
  /** True when a sample reached full scale: the microphone is too loud and the clip will be distorted. */
  clipped: boolean;
}

export function blockLevel(samples: Float32Array): BlockLevel {
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    sum += x * x;
    peak = Math.max(peak, Math.abs(x));
  }
  const rms = Math.sqrt(sum / Math.max(samples.length, 1));
  return { rmsDb: Math.max(FLOOR_DB, 20 * Math.log10(Math.max(rms, 1e-9))), clipped: peak >= 0.999 };
}

/** The shown level after a block: its own if louder, else the previous one falling by `fallDb` per block. */
export function nextShownLevel(shownDb: number, block: BlockLevel, fallDb = 1.5): number {
  return Math.max(block.rmsDb, shownDb - fallDb, FLOOR_DB);
}
