import { fileURLToPath } from 'node:url';

/** The example run records (and datasets.json) the site is built from in tests. */
export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('../../fixtures/run-records/', import.meta.url));
