import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Environment variable naming the folder the site reads run records from (tests point it at fixtures). */
export const MODELS_DIR_VARIABLE = 'SER_MODELS_DIR';

/**
 * The `base` for the content loaders: `$SER_MODELS_DIR` resolved against the working directory, else the
 * repository's `models/` (given relative to the Astro root, `site/`). A URL base must end in `/` for the
 * loaders to resolve entries inside it rather than beside it.
 */
export function modelsBase(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): string | URL {
  const configured = env[MODELS_DIR_VARIABLE]?.trim();
  if (!configured) return '../models';
  return pathToFileURL(`${resolve(cwd, configured)}/`);
}
