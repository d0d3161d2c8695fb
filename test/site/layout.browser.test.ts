/**
 * Every page of the generated site at a desktop (1280 px) and a phone (390 px) width: nothing makes the page
 * scroll sideways (wide tables and charts scroll inside their own box), and text stays legible.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Browser, launchBrowser, SCREENSHOT_DIR } from './support/browser.ts';
import { type SiteServer, startSiteServer } from './support/site-server.ts';

const PAGES = [
  '/',
  '/sorted/parameters-ascending/',
  '/models/attention-blstm-ravdess/',
  '/models/cnn-emodb-loso/',
  '/data/',
  '/papers/',
  '/api/',
  '/demo/',
  '/licence/',
];

describe.each([1280, 390])('the site at %i px', (width) => {
  let site: SiteServer;
  let browser: Browser;

  beforeAll(async () => {
    site = await startSiteServer(inject('siteDir'));
    browser = await launchBrowser();
    await browser.page.setViewportSize({ width, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it.each(PAGES)('%s does not scroll sideways', async (path) => {
    const { page } = browser;
    await page.goto(`${site.url}${path}`);
    const name = path === '/' ? 'home' : path.replaceAll('/', '-').replace(/^-|-$/g, '');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${width}.png`, fullPage: true });
    const widths = await page.evaluate(() => ({
      document: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
      // The widest element that pokes out of the viewport, to name in a failure.
      culprit: [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((element) => !element.closest('.table-scroll, .scroll, figure, pre'))
        .map(
          (element) =>
            `${element.tagName.toLowerCase()}.${element.className} ${Math.round(element.getBoundingClientRect().right)}`,
        )
        .slice(0, 3),
    }));
    expect(widths.document, `${path}: ${widths.culprit.join('; ')}`).toBeLessThanOrEqual(widths.viewport);
  });

  it.each(PAGES)('%s keeps chart text at 9 px or more', async (path) => {
    const { page } = browser;
    await page.goto(`${site.url}${path}`);
    const smallest = await page.evaluate(() =>
      Math.min(
        Infinity,
        ...[...document.querySelectorAll('svg text')]
          .filter((text) => text.getBoundingClientRect().height > 0)
          .map((text) => text.getBoundingClientRect().height),
      ),
    );
    expect(smallest).toBeGreaterThanOrEqual(9);
  });
});
