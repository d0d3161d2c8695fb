import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { makeInvarianceClips } from './invariance-clips.ts';

const fromRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

// Suites that run inside workerd (`*.workerd.test.ts`), with the Worker's own wrangler.toml: its bindings,
// [vars] and module rules. The speech clip reaches the tests as a data binding: the Worker never imports .wav.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fromRoot('wrangler.toml') },
      miniflare: {
        dataBlobBindings: {
          SPEECH_WAV: fromRoot('test/fixtures/audio/speech.wav'),
          ...makeInvarianceClips(fromRoot('')),
        },
      },
    }),
  ],
  test: {
    name: 'workerd',
    root: fromRoot(''),
    include: ['test/**/*.workerd.test.ts'],
    testTimeout: 60_000,
  },
});
