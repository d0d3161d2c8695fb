import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ExperimentConfig, ExperimentConfigSchema } from '../experiment.ts';

/**
 * Reads and validates an experiment config (training/configs/*.json) for a CLI: a file it cannot read, text
 * that is not JSON, or an invalid config prints what is wrong (every invalid field) and exits with status 2.
 */
export async function readExperimentConfig(
  path: string,
  /** Changes the command line makes to the file's JSON before it is validated. */
  adjust: (json: Record<string, unknown>) => Record<string, unknown> = (json) => json,
): Promise<ExperimentConfig> {
  const configPath = resolve(path);
  const text = await readFile(configPath, 'utf8').catch((error: Error) => {
    console.error(`cannot read the config ${configPath}: ${error.message}`);
    process.exit(2);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    console.error(`expected ${configPath} to be JSON, got: ${(error as Error).message}`);
    process.exit(2);
  }
  const parsed = ExperimentConfigSchema.safeParse(
    json !== null && typeof json === 'object' && !Array.isArray(json)
      ? adjust(json as Record<string, unknown>)
      : json,
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    console.error(`${configPath} is not a valid experiment config:\n${problems.join('\n')}`);
    process.exit(2);
  }
  return parsed.data;
}
