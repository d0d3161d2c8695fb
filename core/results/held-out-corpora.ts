import type { RunRecord } from '../contracts/run-record.ts';

/** One leave-one-corpus-out run: a recipe tested on a corpus it never trained on. */
export interface HeldOutRun {
  model: string;
  corpus: string;
  /** The labels the held-out corpus shares with the training corpora: the ones scored. */
  labels: string[];
  /** UA of a guess: 1 / labels. */
  chance: number;
  ua: number;
  wa: number;
  macroF1: number;
}

/** One recipe's leave-one-corpus-out runs, with their mean UA and the lowest UA as a multiple of its chance. */
export interface HeldOutRecipe {
  recipe: string;
  runs: HeldOutRun[];
  meanUa: number;
  lowestChanceMultiple: number;
  /** Its inputs were z-scored with each speaker's own statistics (research only: see run-record.ts). */
  speakerNormalised: boolean;
}

/** The recipe a leave-one-corpus-out record ran: its id without the `-loco-<corpus>` the training CLI adds. */
export const recipeOf = (id: string) => id.replace(/-loco-[a-z0-9-]+$/, '');

/** Leave-one-corpus-out records grouped by recipe (both sorted by name); other records are left out. */
export function heldOutRecipes(records: readonly RunRecord[]): HeldOutRecipe[] {
  const runs = records
    .filter((record) => record.task.heldOutCorpus !== undefined)
    .map((record) => {
      const labels = record.summary.perClass.filter((entry) => entry.support > 0).map((entry) => entry.label);
      return {
        recipe: recipeOf(record.id),
        speakerNormalised: record.task.normalisation === 'per-speaker',
        run: {
          model: record.id,
          corpus: record.task.heldOutCorpus as string,
          labels,
          chance: 1 / labels.length,
          ua: record.summary.ua.mean,
          wa: record.summary.wa.mean,
          macroF1: record.summary.macroF1.mean,
        },
      };
    });
  return [...new Set(runs.map(({ recipe }) => recipe))].sort().map((recipe) => {
    const mine = runs
      .filter((entry) => entry.recipe === recipe)
      .sort((a, b) => a.run.corpus.localeCompare(b.run.corpus));
    return {
      recipe,
      speakerNormalised: mine.some((entry) => entry.speakerNormalised),
      runs: mine.map(({ run }) => run),
      meanUa: mine.reduce((sum, { run }) => sum + run.ua, 0) / mine.length,
      lowestChanceMultiple: Math.min(...mine.map(({ run }) => run.ua / run.chance)),
    };
  });
}
