/**
 * The recorder page in Chromium with a fake microphone playing generated speech. By default the built site
 * is served locally together with a stand-in for `POST /v1/classify`; set SER_SITE_URL (e.g. the address of
 * `wrangler dev`, which serves site/dist and the function on one origin) to run the same checks against it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { aggregateWindows } from '../../core/serving/timeline.ts';
import { launchBrowser, SCREENSHOT_DIR } from './support/browser.ts';
import { FAKE_MODELS, fakeClassify, type ReceivedClip } from './support/fake-classify.ts';
import { type SiteServer, startSiteServer } from './support/site-server.ts';
import { writeSpeechWav } from './support/speech.ts';

const externalSite = process.env.SER_SITE_URL?.replace(/\/$/, '');

interface Exchange {
  contentType: string | null;
  wav: Buffer;
  status: number;
  body: Record<string, unknown>;
}

/**
 * Records every classify request the page makes and the function's answer to it. Reading an answer takes a
 * round trip to the browser, so `settled()` resolves with the exchanges once every answer seen so far is read
 * (the page can show its last answer first).
 */
function recordExchanges(page: Page): { settled(): Promise<Exchange[]> } {
  const reading: Promise<Exchange>[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || !request.url().endsWith('/v1/classify')) return;
    reading.push(
      (async () => ({
        contentType: await request.headerValue('content-type'),
        wav: request.postDataBuffer() ?? Buffer.alloc(0),
        status: response.status(),
        body: (await response.json()) as Record<string, unknown>,
      }))(),
    );
  });
  return { settled: () => Promise.all(reading) };
}

const timelineKinds = (page: Page) =>
  page
    .locator('#timeline > li')
    .evaluateAll((items) => items.map((item) => item.className.replace('cycle ', '')));

describe('demo recorder', () => {
  let scratch: string;
  let speechWav: string;
  let site: SiteServer | undefined;
  let siteUrl: string;
  const received: ReceivedClip[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ser-demo-'));
    speechWav = writeSpeechWav(scratch);
    if (externalSite === undefined) {
      site = await startSiteServer(inject('siteDir'), fakeClassify(received));
      siteUrl = site.url;
    } else {
      siteUrl = externalSite;
    }
  });

  afterAll(async () => {
    await site?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('records the fake microphone, sends 16 kHz WAV clips every 3 s and shows the answers and a summary', async () => {
    const browser = await launchBrowser({ microphoneWav: speechWav });
    try {
      const { page } = browser;
      const recorder = recordExchanges(page);
      await page.goto(`${siteUrl}/demo/`);
      await page.click('#start');
      await page.locator('#status[data-state="recording"]').waitFor();
      // The level meter shows while recording and rises with the speech.
      await expect(page.locator('#level-row').isVisible()).resolves.toBe(true);
      await page.waitForFunction(
        () => (document.getElementById('level') as HTMLMeterElement).value > -50,
        null,
        {
          timeout: 10_000,
        },
      );
      await expect(page.locator('#level-text').textContent()).resolves.toMatch(/dBFS|clipping/);
      // Speech lasts ~6 s, then the fake microphone goes silent: wait for four clips (~12 s).
      await page.locator('#timeline > li').nth(3).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-recording.png`, fullPage: true });
      await page.click('#stop');
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#level-row').isVisible()).resolves.toBe(false);
      await page.locator('#summary').waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-summary.png`, fullPage: true });

      // What went over the wire: 16 kHz mono 16-bit WAV, 3 s per clip while recording.
      const exchanges = await recorder.settled();
      expect(exchanges.length).toBeGreaterThanOrEqual(4);
      for (const [i, exchange] of exchanges.entries()) {
        expect(exchange.contentType).toBe('audio/wav');
        const { info } = decodeWav(new Uint8Array(exchange.wav));
        expect(info).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
        if (i < exchanges.length - 1) expect(info.durationSeconds).toBe(3);
        expect(exchange.status).toBe(200);
      }

      // Each answer is on the timeline, in order; the speech came through and so did the silence after it.
      const answered = exchanges.map((exchange) => (exchange.body.speechDetected ? 'result' : 'no-speech'));
      expect(await timelineKinds(page)).toEqual(answered);
      expect(answered[0]).toBe('result');
      expect(answered).toContain('no-speech');

      // The latest classified clip's bars show the function's probabilities.
      const lastResult = exchanges.filter((exchange) => exchange.body.speechDetected).at(-1)?.body as {
        labels: string[];
        probabilities: Record<string, number>;
      };
      const shown = await page
        .locator('#latest .probability')
        .evaluateAll((rows) =>
          rows.map((row) => [
            row.querySelector('.label')?.textContent,
            row.querySelector('.value')?.textContent,
          ]),
        );
      expect(shown).toEqual(
        lastResult.labels.map((label) => [label, `${(lastResult.probabilities[label] * 100).toFixed(0)} %`]),
      );

      // The summary combines the classified clips as the API combines a long clip's windows.
      const classified = exchanges.flatMap((exchange) =>
        exchange.body.speechDetected
          ? [
              exchange.body as {
                labels: string[];
                probabilities: Record<string, number>;
                speechSeconds: number;
              },
            ]
          : [],
      );
      const { labels } = lastResult;
      const combined = aggregateWindows(
        classified.map((body) => Float32Array.from(labels, (label) => body.probabilities[label])),
        classified.map((body) => body.speechSeconds),
      );
      const expected = labels[combined.indexOf(Math.max(...combined))];
      const summary = await page.locator('#summary .summary-line').textContent();
      expect(summary).toMatch(
        new RegExp(`^Session: ${expected} \\d+ % \\(top in \\d+ of ${classified.length} `),
      );
      expect(await page.locator('#summary .probability').count()).toBe(lastResult.labels.length);

      if (site !== undefined) {
        // The stand-in function decoded the same clips, and the first one carried the speech.
        expect(received).toHaveLength(exchanges.length);
        expect(received[0].rms).toBeGreaterThan(0.01);
      }
    } finally {
      await browser.close();
    }
  });

  it('classifies an uploaded file in 3 s clips', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const recorder = recordExchanges(page);
      await page.goto(`${siteUrl}/demo/`);
      await page.setInputFiles('#upload', speechWav);
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      const exchanges = await recorder.settled();
      expect(exchanges.length).toBeGreaterThan(0);
      const { info } = decodeWav(new Uint8Array(exchanges[0].wav));
      expect(info.sampleRate).toBe(16_000);
      expect(await timelineKinds(page)).toHaveLength(exchanges.length);
      await expect(page.locator('#summary .summary-line').textContent()).resolves.toContain('Session: ');
      await expect(page.locator('#status').textContent()).resolves.toMatch(
        new RegExp(`^Done: ${exchanges.length} answers? \\(\\d+\\.\\d s of audio\\), \\d+ classified\\.$`),
      );
      await expect(page.locator('#latest .latency').textContent()).resolves.toMatch(
        /^Answered in \d+ ms \(the function's own time: 2 ms\)\.$/,
      );
      // The session downloads as CSV, one line per clip after the header.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
      expect(download.suggestedFilename()).toMatch(/^open-ser-session-.*\.csv$/);
      const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
      const lines = csv.trim().split('\n');
      expect(lines[0]).toBe(
        'clip,start_s,end_s,outcome,message,top,confidence,latency_ms,angry,happy,neutral,sad',
      );
      expect(lines).toHaveLength(exchanges.length + 1);
    } finally {
      await browser.close();
    }
  });

  it('classifies the example clip without a microphone or a file', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const recorder = recordExchanges(page);
      await page.goto(`${siteUrl}/demo/`);
      await page.click('#example');
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      const exchanges = await recorder.settled();
      expect(exchanges.length).toBeGreaterThan(0);
      await expect(page.locator('#summary .summary-line').textContent()).resolves.toContain('Session: ');
      await expect(page.locator('#example').isEnabled()).resolves.toBe(true);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(externalSite !== undefined)(
    "lists the function's models and sends the one chosen with every clip",
    async () => {
      const browser = await launchBrowser();
      try {
        const { page } = browser;
        const posted: string[] = [];
        page.on('request', (request) => {
          if (request.method() === 'POST') posted.push(new URL(request.url()).search);
        });
        await page.goto(`${siteUrl}/demo/`);
        const options = page.locator('#model option');
        await options.nth(FAKE_MODELS.length).waitFor({ state: 'attached' });
        await expect(options.allTextContents()).resolves.toEqual([
          "the function's default",
          `${FAKE_MODELS[0]} (default)`,
          ...FAKE_MODELS.slice(1),
        ]);
        await page.selectOption('#model', FAKE_MODELS[1]);
        await page.setInputFiles('#upload', speechWav);
        await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
        expect(posted.length).toBeGreaterThan(0);
        expect(new Set(posted)).toEqual(new Set([`?model=${FAKE_MODELS[1]}`]));
        await expect(page.locator('#latest').textContent()).resolves.toContain(`model ${FAKE_MODELS[1]} `);
        await expect(page.locator('#model').isEnabled()).resolves.toBe(true);
      } finally {
        await browser.close();
      }
    },
  );

  it('says why nothing was sent when an uploaded file is shorter than a clip', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const short = join(scratch, 'short.wav');
      writeFileSync(short, encodeWav([new Float32Array(8000).fill(0.1)], 16_000));
      await page.goto(`${siteUrl}/demo/`);
      await page.setInputFiles('#upload', short);
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#status').textContent()).resolves.toBe(
        'Nothing was sent: the audio was 0.5 s long, and a clip needs at least 1 s.',
      );
    } finally {
      await browser.close();
    }
  });

  it('says when the function cannot be reached, and shows a server error message verbatim', async () => {
    // A second origin that always fails the way the function's error envelope does (with CORS, like the Worker).
    const failing = createServer((request, response) => {
      response.setHeader('Access-Control-Allow-Origin', '*');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      if (request.method === 'OPTIONS') return void response.writeHead(204).end();
      request.resume();
      request.on('end', () => {
        response.writeHead(503, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { code: 'no_models', message: 'expected a published model, got an empty registry' },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(`${siteUrl}/demo/?api=${encodeURIComponent(failingUrl)}`);
      await page.setInputFiles('#upload', speechWav);
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#problem').getAttribute('data-kind')).resolves.toBe('server-error');
      await expect(page.locator('#problem').textContent()).resolves.toContain(
        'expected a published model, got an empty registry (no_models, HTTP 503)',
      );
      await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-server-error.png`, fullPage: true });

      await new Promise<void>((resolve) => failing.close(() => resolve()));
      await page.goto(`${siteUrl}/demo/?api=${encodeURIComponent(failingUrl)}`);
      await page.setInputFiles('#upload', speechWav);
      await page.locator('#status[data-state="done"]').waitFor({ timeout: 30_000 });
      await expect(page.locator('#problem').getAttribute('data-kind')).resolves.toBe('unreachable');
      await expect(page.locator('#problem').textContent()).resolves.toContain(
        `could not reach the function at ${failingUrl}`,
      );
    } finally {
      failing.close();
      await browser.close();
    }
  });

  it.each([
    ['NotAllowedError', 'permission-denied', 'permission was denied'],
    ['NotFoundError', 'no-microphone', 'No microphone was found'],
  ])('explains a getUserMedia %s', async (errorName, state, text) => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.addInitScript((name) => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused in test', name));
      }, errorName);
      await page.goto(`${siteUrl}/demo/`);
      await page.click('#start');
      await page.locator(`#status[data-state="${state}"]`).waitFor();
      await expect(page.locator('#status').textContent()).resolves.toContain(text);
      await expect(page.locator('#start').isEnabled()).resolves.toBe(true);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-${state}.png` });
    } finally {
      await browser.close();
    }
  });
});
