/** Files with the same audio: byte-identical, or equal up to dither from a format conversion. */
export interface DuplicateGroup {
  kind: 'identical' | 'near-identical';
  /** Paths relative to the corpus folder, in the order they were added. */
  files: string[];
}

/** Samples per envelope block: 10 ms at 16 kHz. */
const BLOCK = 160;
/**
 * Largest envelope difference, relative to the louder file's peak, still called near-identical. Measured on
 * the 16 kHz copies in /work/shared/datasets: RAVDESS's two byte-identical Actor_07 takes differ by 3e-4 after
 * the copy's resampling dither; the closest distinct same-length files (RAVDESS, EMO-DB, URDU) by 0.37.
 */
const NEAR_TOLERANCE = 0.01;

interface Fingerprint {
  file: string;
  envelope: Float32Array;
  peak: number;
  group: DuplicateGroup | undefined;
}

function envelopeOf(samples: Float32Array): { envelope: Float32Array; peak: number } {
  const blocks = Math.floor(samples.length / BLOCK);
  const envelope = new Float32Array(blocks);
  let peak = 0;
  for (let block = 0; block < blocks; block++) {
    let sum = 0;
    for (let i = block * BLOCK; i < (block + 1) * BLOCK; i++) sum += Math.abs(samples[i]);
    envelope[block] = sum / BLOCK;
    peak = Math.max(peak, envelope[block]);
  }
  return { envelope, peak };
}

function nearlyEqual(a: Fingerprint, b: Fingerprint): boolean {
  const limit = NEAR_TOLERANCE * Math.max(a.peak, b.peak);
  for (let i = 0; i < a.envelope.length; i++) {
    if (Math.abs(a.envelope[i] - b.envelope[i]) > limit) return false;
  }
  return true;
}

/**
 * Collects files one at a time and groups duplicates: the same sha256 is `identical`; the same decoded length
 * with 10 ms mean-absolute envelopes within 1% of the peak is `near-identical` (what a byte-identical pair
 * becomes after a dithered conversion). Keeps only the envelopes (100 values a second), not the audio.
 */
export function createDuplicateFinder() {
  const byHash = new Map<string, { file: string; group: DuplicateGroup | undefined }>();
  const byLength = new Map<number, Fingerprint[]>();
  const groups: DuplicateGroup[] = [];

  const extend = (
    first: { file: string; group: DuplicateGroup | undefined },
    file: string,
    kind: DuplicateGroup['kind'],
  ) => {
    if (first.group) first.group.files.push(file);
    else {
      first.group = { kind, files: [first.file, file] };
      groups.push(first.group);
    }
  };

  return {
    /** Adds one decoded file; `file` names it in the groups. */
    add(file: string, sha256: string, samples: Float32Array): void {
      const sameBytes = byHash.get(sha256);
      if (sameBytes) {
        extend(sameBytes, file, 'identical');
        return;
      }
      byHash.set(sha256, { file, group: undefined });
      const fingerprint: Fingerprint = { file, ...envelopeOf(samples), group: undefined };
      const sameLength = byLength.get(samples.length) ?? [];
      const match = sameLength.find((other) => nearlyEqual(other, fingerprint));
      if (match) extend(match, file, 'near-identical');
      else sameLength.push(fingerprint);
      byLength.set(samples.length, sameLength);
    },
    /** The duplicate groups found so far. */
    groups(): DuplicateGroup[] {
      return groups;
    },
  };
}
