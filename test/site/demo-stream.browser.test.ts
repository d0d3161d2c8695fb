/**
 * Issue #16: the recorder streams. Chromium with a fake microphone on the built site served by the real Worker
 * (scripts/local-worker.ts: the deployable bundle under wrangler dev, on the tiny fixture models, with the
 * site as its assets), so the page's WebSocket reaches GET /v1/stream in workerd: windows come back while
 * recording, every second, and no clip is POSTed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, type RunningWorker, startLocalWorker } from '../../scripts/local-worker.ts';
import { launchBrowser, SCREENSHOT_DIR } from './support/browser.ts';
import { writeSpeechWav } from './support/speech.ts';

const WORK = join(ROOT, '.cache/test-demo-stream');

describe('demo recorder over the WebSocket', () => {
  let scratch: string;
  let worker: RunningWorker;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ser-demo-stream-'));
    ({ worker } = await startLocalWorker({
      modelsDir: join(ROOT, 'test/fixtures/models'),
      workDir: WORK,
      assetsDir: inject('siteDir'),
    }));
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('streams the fake microphone and shows a window every second, without POSTing clips', async () => {
    const browser = await launchBrowser({ microphoneWav: writeSpeechWav(scratch) });
    try {
      const { page } = browser;
      const posts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') posts.push(request.url());
      });
      const sockets: string[] = [];
      let binaryFrames = 0;
      const serverMessages: { type: string; final?: boolean; top?: { label: string } | null }[] = [];
      page.on('websocket', (socket) => {
        sockets.push(socket.url());
        socket.on('framesent', (frame) => {
          if (typeof frame.payload !== 'string') binaryFrames++;
        });
        socket.on('framereceived', (frame) => {
          if (typeof frame.payload === 'string') serverMessages.push(JSON.parse(frame.payload));
        });
      });
      await page.goto(`${worker.origin}/demo/`);
      await page.click('#start');
      await page.locator('#status', { hasText: 'streaming to the function' }).waitFor({ timeout: 20_000 });
      // The first window is complete after ~3 s of audio, then one a second: five windows by ~7 s.
      await page.locator('#timeline > li').nth(4).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-streaming.png`, fullPage: true });
      await page.click('#stop');
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      await page.locator('#summary').waitFor();

      expect(sockets).toEqual([`${worker.origin.replace('http', 'ws')}/v1/stream`]);
      expect(binaryFrames).toBeGreaterThan(10);
      expect(posts.filter((url) => url.endsWith('/v1/classify'))).toEqual([]);
      // Windows a second apart, each the model input's length.
      const captions = await page.locator('#timeline > li').evaluateAll((items) => items.length);
      expect(captions).toBeGreaterThanOrEqual(5);
      const latest = await page.locator('#latest .latest-caption').textContent();
      expect(latest).toMatch(/^Window \d+ /);
      await expect(page.locator('#latest .latency').textContent()).resolves.toMatch(/after its last sample/);
      // The page's summary of the session gives the label of the server's own final summary of the stream.
      const final = serverMessages.find((message) => message.type === 'summary' && message.final);
      expect(final?.top?.label).toBeDefined();
      await expect(page.locator('#summary .summary-line').textContent()).resolves.toMatch(
        new RegExp(`^Session: ${final?.top?.label} `),
      );
    } finally {
      await browser.close();
    }
  });

  it('streams to the model chosen from GET /v1/models', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      await page.goto(`${worker.origin}/demo/`);
      // The fixture registry: tiny-blstm (the default) and tiny-cnn.
      await page.locator('#model option').nth(2).waitFor({ state: 'attached' });
      await expect(page.locator('#model option').allTextContents()).resolves.toEqual([
        "the function's default",
        'tiny-blstm (default)',
        'tiny-cnn',
      ]);
      await page.selectOption('#model', 'tiny-cnn');
      await page.setInputFiles('#upload', writeSpeechWav(scratch));
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      expect(sockets).toEqual([`${worker.origin.replace('http', 'ws')}/v1/stream?model=tiny-cnn`]);
      await expect(page.locator('#latest').textContent()).resolves.toContain('model tiny-cnn ');
    } finally {
      await browser.close();
    }
  });
});
