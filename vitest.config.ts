import { defineConfig } from 'vitest/config';

// Three kinds of suites: plain Node (default), inside workerd (`*.workerd.test.ts`, own config in
// test/workers/vitest.config.ts) and in a real browser (`*.browser.test.ts`, Chromium via playwright-core).
export default defineConfig({
  test: {
    projects: [
      'test/workers/vitest.config.ts',
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.workerd.test.ts', 'test/**/*.browser.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          // Builds the site once from test/fixtures/run-records; each suite then drives Chromium.
          globalSetup: ['test/site/support/build-site.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
