/**
 * What `npm run bench:colour -- --record` and `npm run bench:noise -- --record` keep in models/benchmarks.json,
 * from which `npm run results` writes the README's microphone-colour and noise tables.
 */
import { z } from 'zod';

const GitStateSchema = z.strictObject({ revision: z.string(), dirty: z.boolean() }).nullable();

/** One model's answers on espeak-ng clips against sox's darker and brighter copies of them. */
export const ColourBenchSchema = z.strictObject({
  model: z.string().min(1),
  /** Shelf gain of the colour, dB. */
  db: z.number().positive(),
  clips: z.number().int().positive(),
  colours: z.array(
    z.strictObject({
      colour: z.enum(['darker', 'brighter']),
      /** Clips whose top label stayed the same. */
      kept: z.number().int().nonnegative(),
      /** Mean and largest over clips of the largest change of any label's probability. */
      meanMaxChange: z.number().nonnegative(),
      worstMaxChange: z.number().nonnegative(),
    }),
  ),
  git: GitStateSchema,
  createdAt: z.string(),
});
export type ColourBench = z.infer<typeof ColourBenchSchema>;

/** A recipe's leave-one-corpus-out records scored on their held-out corpora, clean and with added noise. */
export const NoiseBenchSchema = z.strictObject({
  recipe: z.string().min(1),
  noise: z.enum(['white', 'brown']),
  seed: z.number().int().nonnegative(),
  conditions: z.array(
    z.strictObject({
      /** SNR in dB below the speech level; null for the clean clips. */
      snrDb: z.number().nullable(),
      /** UA per held-out corpus, answered among all the model's labels. */
      corpora: z.record(z.string(), z.number().min(0).max(1)),
      meanUa: z.number().min(0).max(1),
    }),
  ),
  git: GitStateSchema,
  createdAt: z.string(),
});
export type NoiseBench = z.infer<typeof NoiseBenchSchema>;

export const BenchRecordsSchema = z.strictObject({
  colour: z.array(ColourBenchSchema),
  noise: z.array(NoiseBenchSchema),
});
export type BenchRecords = z.infer<typeof BenchRecordsSchema>;
