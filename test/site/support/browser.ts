import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where screenshots go (git-ignored), to be looked at after a run. */
export const SCREENSHOT_DIR = 'test-results/site';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Debian's Chromium in a fresh profile. With `microphoneWav`, the page gets a fake microphone that plays the
 * file once (then silence) and permission prompts are accepted.
 */
export async function launchBrowser(options: { microphoneWav?: string } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ser-chromium-'));
  const microphone = options.microphoneWav
    ? [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${options.microphoneWav}%noloop`,
      ]
    : [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [...FLAGS, ...microphone],
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
