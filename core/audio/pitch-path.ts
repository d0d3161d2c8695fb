/**
 * The pitch tracker's path search (pitch.ts): each voiced frame's best candidates (lag and score), and the
 * Viterbi pass that picks one per frame so that F0 does not jump octaves between neighbours without cause.
 */

/** Candidates kept per frame for the path search, the highest-scoring ones (Praat's default is 15). */
export const MAX_CANDIDATES = 15;

export interface PitchCandidates {
  /** Sizes the store for `frames` frames (grown to the longest clip seen) and empties them. */
  reset(frames: number): void;
  /** The lowest score frame `t` keeps once it holds `kept` candidates: a lower one would not enter. */
  lowestKept(t: number, kept: number): number;
  /** Inserts a candidate into frame `t`'s slots, sorted by score; returns how many it holds now. */
  insert(t: number, kept: number, score: number, lag: number): number;
  /** Frame `t` takes part in the path search with its first `count` candidates (voiced). */
  setVoiced(t: number, count: number): void;
  /**
   * For each run of voiced frames, the candidate per frame that maximises the summed scores minus `jumpCost`
   * per octave between consecutive frames; writes their F0s (rate / lag) into `f0`.
   */
  choosePath(frames: number, f0: Float64Array, rate: number, jumpCost: number): void;
}

export function createPitchCandidates(): PitchCandidates {
  // MAX_CANDIDATES slots per frame: lag and score, the path's best total ending at each, and the candidate
  // before it.
  let candidateLag = new Float64Array(0);
  let candidateScore = new Float64Array(0);
  let pathScore = new Float64Array(0);
  let pathFrom = new Int32Array(0);
  let candidateCount = new Int32Array(0);

  return {
    reset(frames) {
      if (candidateCount.length < frames) {
        candidateLag = new Float64Array(frames * MAX_CANDIDATES);
        candidateScore = new Float64Array(frames * MAX_CANDIDATES);
        pathScore = new Float64Array(frames * MAX_CANDIDATES);
        pathFrom = new Int32Array(frames * MAX_CANDIDATES);
        candidateCount = new Int32Array(frames);
      }
      candidateCount.fill(0, 0, frames);
    },
    lowestKept(t, kept) {
      return kept === MAX_CANDIDATES ? candidateScore[t * MAX_CANDIDATES + kept - 1] : -Infinity;
    },
    insert(t, kept, score, lag) {
      const slots = t * MAX_CANDIDATES;
      const count = kept < MAX_CANDIDATES ? kept + 1 : kept;
      let at = count - 1;
      while (at > 0 && candidateScore[slots + at - 1] < score) {
        candidateScore[slots + at] = candidateScore[slots + at - 1];
        candidateLag[slots + at] = candidateLag[slots + at - 1];
        at--;
      }
      candidateScore[slots + at] = score;
      candidateLag[slots + at] = lag;
      return count;
    },
    setVoiced(t, count) {
      candidateCount[t] = count;
    },
    choosePath(frames, f0, rate, jumpCost) {
      for (let t = 0; t < frames; t++) {
        const count = candidateCount[t];
        if (count === 0) continue;
        const slots = t * MAX_CANDIDATES;
        const previousCount = t > 0 ? candidateCount[t - 1] : 0;
        const previousSlots = slots - MAX_CANDIDATES;
        for (let c = 0; c < count; c++) {
          let total = 0;
          let from = -1;
          for (let p = 0; p < previousCount; p++) {
            const octaves = Math.abs(Math.log2(candidateLag[slots + c] / candidateLag[previousSlots + p]));
            const option = pathScore[previousSlots + p] - jumpCost * octaves;
            if (from < 0 || option > total) {
              total = option;
              from = p;
            }
          }
          pathScore[slots + c] = total + candidateScore[slots + c];
          pathFrom[slots + c] = from;
        }
        // The end of a run: trace its best path back.
        if (t + 1 < frames && candidateCount[t + 1] > 0) continue;
        let chosen = 0;
        for (let c = 1; c < count; c++) if (pathScore[slots + c] > pathScore[slots + chosen]) chosen = c;
        for (let u = t; chosen >= 0; u--) {
          f0[u] = rate / candidateLag[u * MAX_CANDIDATES + chosen];
          chosen = pathFrom[u * MAX_CANDIDATES + chosen];
        }
      }
    },
  };
}
