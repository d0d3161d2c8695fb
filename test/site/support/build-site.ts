/**
 * Vitest global setup for the browser suites: builds the site once from the fixture run records into a
 * temporary folder (never over site/dist) and hands its path to the tests as `siteDir`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { FIXTURE_MODELS_DIR } from './fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    siteDir: string;
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export default function setup(project: TestProject): () => void {
  const outDir = mkdtempSync(join(tmpdir(), 'ser-site-'));
  execFileSync('npx', ['astro', 'build', '--root', 'site', '--outDir', outDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, SER_MODELS_DIR: FIXTURE_MODELS_DIR, ASTRO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  project.provide('siteDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
