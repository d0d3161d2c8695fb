import { defineConfig } from 'vitest/config';

// Three kinds of suites: plain Node (default), inside workerd (`*.workerd.test.ts`, own config in
// test/workers/vitest.config.ts) and in a real browser (`*.browser.test.ts`, Chromium via playwright-core).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.workerd.test.ts', 'test/**/*.browser.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
