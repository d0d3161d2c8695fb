// The one test command (`npm test`, also run by .ci/run): lint, type checks, then every vitest project.
// Ends with the plain line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const report = '.cache/vitest-report.json';
mkdirSync('.cache', { recursive: true });

const steps = [
  ['lint (biome)', ['npx', 'biome', 'check', '.']],
  ['typecheck', ['npx', 'tsc', '--noEmit']],
  ['typecheck (pure audio front end)', ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.pure.json']],
  // astro sync writes the content-collection types the site's typecheck needs.
  ['typecheck (site)', ['sh', '-c', 'npx astro sync --root site >/dev/null && npx tsc --noEmit -p site']],
];
let failedChecks = 0;
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n▶ ${name}: ${[cmd, ...args].join(' ')}`);
  const { status } = spawnSync(cmd, args, { stdio: 'inherit' });
  if (status !== 0) {
    failedChecks++;
    console.error(`✖ ${name} failed`);
  }
}

console.log('\n▶ tests: vitest run');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0);
  skipped = result.numPendingTests + result.numTodoTests;
} catch {
  failed++;
  console.error(`✖ vitest wrote no report at ${report}`);
}
if (vitest.status !== 0 && failed === 0) failed++;
failed += failedChecks;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
