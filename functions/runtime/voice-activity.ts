/**
 * Energy-based voice activity check on a mono signal, so that silence or steady noise is reported as such
 * instead of being given an emotion.
 *
 * The rule: a 25 ms frame (10 ms hop) is active when its energy is at least `ABSOLUTE_FLOOR_DB` (not
 * silence or dither) and at least `MARGIN_DB` above the clip's noise floor: the 10th percentile of the
 * energies of the frames that are not silent. Speech alternates syllables with closures and onsets, so its
 * loud frames stand far above its quiet ones; stationary signals (white noise, hum, a held tone), even when
 * they start after digital silence, vary by a fraction of a decibel from frame to frame and never clear the
 * margin. The clip has speech when at least `MIN_SPEECH_SECONDS` of frames are active. Known limit: speech
 * under stationary noise with an SNR below the margin goes undetected.
 */

const FRAME_SECONDS = 0.025;
const HOP_SECONDS = 0.01;
/** -55 dBFS RMS: below any usable recording level of speech, above digital silence and dither. */
export const ABSOLUTE_FLOOR_DB = -55;
export const MARGIN_DB = 10;
const NOISE_FLOOR_PERCENTILE = 0.1;
export const MIN_SPEECH_SECONDS = 0.1;

export interface VoiceActivity {
  /** Seconds between the starts of consecutive frames in `active`. */
  hopSeconds: number;
  /** 1 where the frame starting at `i * hopSeconds` is active. */
  active: Uint8Array;
  /** The 10th-percentile energy of the non-silent frames, in dBFS; null when every frame is silent. */
  noiseFloorDb: number | null;
  speechSeconds: number;
  speechDetected: boolean;
}

/** Frame energies in dBFS (mean square, floored at -120 dB so digital silence stays finite). */
function frameEnergiesDb(samples: Float32Array, frameLength: number, hop: number): Float64Array {
  const frames = samples.length < frameLength ? 1 : 1 + Math.floor((samples.length - frameLength) / hop);
  const energies = new Float64Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    const start = frame * hop;
    const end = Math.min(start + frameLength, samples.length);
    let sum = 0;
    for (let i = start; i < end; i++) sum += samples[i] * samples[i];
    energies[frame] = 10 * Math.log10(Math.max(sum / Math.max(end - start, 1), 1e-12));
  }
  return energies;
}

export function detectVoiceActivity(samples: Float32Array, sampleRate: number): VoiceActivity {
  if (!(sampleRate > 0)) throw new RangeError(`expected a positive sample rate, got ${sampleRate}`);
  const frameLength = Math.max(1, Math.round(FRAME_SECONDS * sampleRate));
  const hop = Math.max(1, Math.round(HOP_SECONDS * sampleRate));
  const energies = frameEnergiesDb(samples, frameLength, hop);
  const audible = energies.filter((energy) => energy >= ABSOLUTE_FLOOR_DB).sort();
  const noiseFloorDb =
    audible.length > 0 ? audible[Math.floor(NOISE_FLOOR_PERCENTILE * (audible.length - 1))] : null;
  // With every frame silent nothing can clear an infinite threshold.
  const threshold = noiseFloorDb === null ? Number.POSITIVE_INFINITY : noiseFloorDb + MARGIN_DB;
  const active = new Uint8Array(energies.length);
  let activeFrames = 0;
  for (let frame = 0; frame < energies.length; frame++) {
    if (energies[frame] >= threshold) {
      active[frame] = 1;
      activeFrames++;
    }
  }
  const hopSeconds = hop / sampleRate;
  const speechSeconds = activeFrames * hopSeconds;
  return {
    hopSeconds,
    active,
    noiseFloorDb,
    speechSeconds,
    speechDetected: speechSeconds >= MIN_SPEECH_SECONDS,
  };
}

/** Active seconds among the frames starting in [startSeconds, endSeconds), for one window of a timeline. */
export function speechSecondsBetween(
  activity: VoiceActivity,
  startSeconds: number,
  endSeconds: number,
): number {
  const first = Math.max(0, Math.ceil(startSeconds / activity.hopSeconds - 1e-9));
  const last = Math.min(activity.active.length, Math.ceil(endSeconds / activity.hopSeconds - 1e-9));
  let frames = 0;
  for (let frame = first; frame < last; frame++) frames += activity.active[frame];
  return frames * activity.hopSeconds;
}
