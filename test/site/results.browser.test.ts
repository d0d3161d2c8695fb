/**
 * The generated results pages in Chromium, built from test/fixtures/run-records: the numbers shown are the
 * records' numbers, sorting works without JavaScript, and only the demo ships any script.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_STATUS } from '../../core/contracts/api-error-codes.ts';
import type { RunRecord } from '../../core/contracts/run-record.ts';
import { readRunRecord } from '../../training/run-record-files.ts';
import { type Browser, launchBrowser, SCREENSHOT_DIR } from './support/browser.ts';
import { FIXTURE_MODELS_DIR } from './support/fixtures.ts';
import { type SiteServer, startSiteServer } from './support/site-server.ts';

const percent = (x: number) => (x * 100).toFixed(1);
const meanSd = (value: { mean: number; std: number }) => `${percent(value.mean)} ± ${percent(value.std)} %`;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.html'))
    .map((path) => join(dir, path));
}

describe('results site', () => {
  let site: SiteServer;
  let browser: Browser;
  let records: RunRecord[];

  beforeAll(async () => {
    records = await Promise.all(
      ['attention-blstm-ravdess', 'cnn-emodb-loso'].map((id) =>
        readRunRecord(join(FIXTURE_MODELS_DIR, id, 'run.json')),
      ),
    );
    site = await startSiteServer(inject('siteDir'));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('ships no JavaScript except on the demo page', () => {
    const siteDir = inject('siteDir');
    const withScripts = htmlFiles(siteDir)
      .filter((file) => /<script\b/i.test(readFileSync(file, 'utf8')))
      .map((file) => relative(siteDir, file));
    expect(withScripts).toEqual(['demo/index.html']);
  });

  it('shows every record in the overview with its numbers and protocol, by task, best UA first', async () => {
    const { page } = browser;
    await page.goto(`${site.url}/`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/overview.png`, fullPage: true });
    // One group per task (test corpus and classes), headed by it, with chance stated.
    const tasks = await page.locator('#results tbody tr.task th').allTextContents();
    expect(tasks).toHaveLength(
      new Set(records.map((record) => `${record.task.corpus}/${record.task.labels.length}`)).size,
    );
    for (const record of records) {
      const group = page.locator(`#results tbody:has(tr[data-model="${record.id}"]) tr.task th`);
      await expect(group.textContent()).resolves.toContain(
        `${record.task.labels.length} classes (chance UA ${(100 / record.task.labels.length).toFixed(1)} %)`,
      );
    }
    const byUa = [...records].sort(
      (a, b) => a.task.corpus.localeCompare(b.task.corpus) || b.summary.ua.mean - a.summary.ua.mean,
    );
    await expect(
      page
        .locator('#results tbody tr[data-model]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.model)),
    ).resolves.toEqual(byUa.map((record) => record.id));
    for (const record of records) {
      const row = page.locator(`#results tr[data-model="${record.id}"]`);
      for (const metric of ['ua', 'wa', 'macroF1'] as const) {
        const cell = row.locator(`[data-metric="${metric}"]`);
        await expect(cell.locator('.value').textContent()).resolves.toBe(meanSd(record.summary[metric]));
        await expect(cell.locator('.protocol').textContent()).resolves.toContain(record.task.protocol);
      }
      await expect(row.textContent()).resolves.toContain(record.task.corpus);
      const cost = record.inference;
      const text = async (selector: string) => (await row.locator(selector).textContent())?.trim();
      await expect(text('[data-metric="macs"]')).resolves.toBe(
        cost ? `${(cost.macs / 1e6).toFixed(2)} M` : '–',
      );
      await expect(text('[data-metric="msPerClip"]')).resolves.toBe(
        cost ? `${cost.msPerClip.median.toFixed(1)} ms` : '–',
      );
    }
    const measured = records.find((record) => record.inference);
    await expect(page.locator('#cost-note').textContent()).resolves.toContain(measured?.inference?.cpu.model);
    await expect(page.locator('#literature').textContent()).resolves.toContain('82.6 %');
  });

  it('sorts by a column through links to pre-sorted pages', async () => {
    const { page } = browser;
    await page.goto(`${site.url}/`);
    await page.click('#results th[data-column="parameters"] a');
    await page.waitForURL('**/sorted/parameters-ascending/');
    await expect(
      page.locator('#results th[data-column="parameters"]').getAttribute('aria-sort'),
    ).resolves.toBe('ascending');
    // Within each task; the fixtures' two records are two tasks, in the tasks' order.
    const byParameters = [...records]
      .sort((a, b) => a.task.corpus.localeCompare(b.task.corpus) || a.parameters - b.parameters)
      .map((record) => record.id);
    await expect(
      page
        .locator('#results tbody tr[data-model]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.model)),
    ).resolves.toEqual(byParameters);
    await page.click('#results th[data-column="parameters"] a');
    await page.waitForURL('**/sorted/parameters-descending/');
    await expect(
      page
        .locator('#results tbody tr[data-model]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.model)),
    ).resolves.toEqual(byParameters);
  });

  it("shows a model's confusion matrix, per-class scores, curves per fold and model card", async () => {
    const { page } = browser;
    const record = records[0];
    await page.goto(`${site.url}/models/${record.id}/`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/model.png`, fullPage: true });
    const counts = page.locator('svg[data-chart="confusion"][data-mode="counts"]');
    const cellTexts = await counts.locator('g > text').allTextContents();
    expect(cellTexts.map(Number)).toEqual(record.summary.confusion.counts.flat());
    await expect(counts.locator('title').first().textContent()).resolves.toBe(
      'Test clips per true and predicted class',
    );
    const normalised = await page
      .locator('svg[data-chart="confusion"][data-mode="row-normalised"] g > text')
      .allTextContents();
    const firstRow = record.summary.confusion.counts[0];
    const firstRowTotal = firstRow.reduce((sum, count) => sum + count, 0);
    expect(normalised.slice(0, firstRow.length).map(Number)).toEqual(
      firstRow.map((count) => Math.round((100 * count) / firstRowTotal)),
    );

    const perClass = await page.locator('#per-class tbody tr th').allTextContents();
    expect(perClass).toEqual(record.task.labels);
    await expect(page.locator('.fold-curves figure > svg').count()).resolves.toBe(2 * record.folds.length);
    await expect(page.locator('.model-card h1').textContent()).resolves.toBe(record.id);
    await expect(page.locator('#config').textContent()).resolves.toContain(
      `"seed": ${record.config.training.seed}`,
    );
  });

  it('has a favicon and links the licence from every page', async () => {
    const { page } = browser;
    const icon = await page.request.get(`${site.url}/favicon.svg`);
    expect(icon.status()).toBe(200);
    expect(await icon.text()).toContain('<svg');
    for (const path of ['/', '/data/', '/api/', `/models/${records[0].id}/`]) {
      await page.goto(`${site.url}${path}`);
      await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe('/favicon.svg');
      await expect(page.locator('footer a[href="/licence/"]').count()).resolves.toBe(1);
    }
    await page.goto(`${site.url}/licence/`);
    await expect(page.locator('pre.licence').textContent()).resolves.toContain('MIT License');
  });

  it("sets each seed paper's reported number beside ours, and says which runs are not trained yet", async () => {
    const { page } = browser;
    await page.goto(`${site.url}/papers/`);
    const { PAPER_EXPERIMENTS } = await import('../../core/results/papers.ts');
    await expect(page.locator('#papers tbody tr').count()).resolves.toBe(PAPER_EXPERIMENTS.length);
    const first = page.locator('#papers tbody tr').first();
    await expect(first.locator('[data-reported]').textContent()).resolves.toContain(
      `${(100 * PAPER_EXPERIMENTS[0].reported.value).toFixed(1)} %`,
    );
    // The fixture records are none of the papers' runs.
    await expect(page.locator('#papers').textContent()).resolves.toContain('not trained yet');
    // The fixture sweep (batch size × optimiser) is drawn as seed paper 002 drew its sweeps: one chart per parameter.
    await expect(page.locator('title[id^="sweep-example-sweep-"]').count()).resolves.toBe(2);
    await expect(page.locator('nav a[href="/papers/"]').count()).resolves.toBe(1);
  });

  it('marks as served exactly the models the registry lists', async () => {
    const { page } = browser;
    const registry = JSON.parse(readFileSync(join(FIXTURE_MODELS_DIR, 'registry.json'), 'utf8')) as {
      default: string;
      models: string[];
    };
    for (const record of records) {
      await page.goto(`${site.url}/models/${record.id}/`);
      const marker = page.locator('#served');
      const served = registry.models.includes(record.id);
      await expect(marker.getAttribute('data-served')).resolves.toBe(String(served));
      await expect(marker.textContent()).resolves.toMatch(
        served ? /^\s*Served by the API/ : /^\s*Not served/,
      );
    }
  });

  it('plots attention over the log-mel picture for each example clip, and states the inference cost', async () => {
    const { page } = browser;
    const record = records[0];
    const examples = record.attentionExamples?.examples ?? [];
    expect(examples.length).toBeGreaterThan(0);
    await page.goto(`${site.url}/models/${record.id}/`);
    await page.locator('#attention').scrollIntoViewIfNeeded();
    await page.locator('.attention-plots').screenshot({ path: `${SCREENSHOT_DIR}/attention.png` });
    const plots = page.locator('svg[data-chart="attention"]');
    await expect(plots.count()).resolves.toBe(examples.length);
    for (const [index, example] of examples.entries()) {
      const plot = plots.nth(index);
      const best = example.probabilities.indexOf(Math.max(...example.probabilities));
      const title = `True ${example.label}, predicted ${record.task.labels[best]} (${Math.round(100 * example.probabilities[best])}\u00a0%)`;
      await expect(plot.locator('title').first().textContent()).resolves.toBe(title);
      await expect(plot.locator('[data-part="title"]').textContent()).resolves.toBe(title);
      await expect(plot.locator('desc').textContent()).resolves.toContain(example.clip);
      await expect(plot.getAttribute('aria-labelledby')).resolves.toBe(
        `attention-${index}-title attention-${index}-desc`,
      );
      await expect(plot.locator('[data-part="spectrogram"] path').count()).resolves.toBeGreaterThan(1);
      const line = await plot.locator('[data-part="attention-line"]').getAttribute('d');
      expect(line?.match(/[ML]/g)).toHaveLength(example.attention.weights.length);
      await expect(plot.textContent()).resolves.toContain('time in the clip (s)');
    }
    await expect(page.locator('#attention-source').textContent()).resolves.toContain(
      record.attentionExamples?.speakers.join(', '),
    );
    const cost = page.locator('#cost-facts');
    await expect(cost.textContent()).resolves.toContain(
      `${((record.inference?.macs ?? 0) / 1e6).toFixed(2)} M per clip`,
    );
    await expect(cost.textContent()).resolves.toContain(record.inference?.backend);

    // An older record without these fields: no attention section, and the cost says it was not measured.
    await page.goto(`${site.url}/models/${records[1].id}/`);
    await expect(page.locator('#attention').count()).resolves.toBe(0);
    await expect(page.locator('#cost + p').textContent()).resolves.toContain('Not measured for this run yet');
  });

  it('shows each corpus on the data page and the error codes on the API page', async () => {
    const { page } = browser;
    await page.goto(`${site.url}/data/`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/data.png`, fullPage: true });
    await expect(page.locator('#corpus-emodb h2').textContent()).resolves.toBe('EMO-DB');
    await expect(page.locator('#corpus-emodb').textContent()).resolves.toContain(
      '535 clips from 10 speakers',
    );
    await page.goto(`${site.url}/api/`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/api.png`, fullPage: true });
    const codes = await page.locator('#error-codes tbody code').allTextContents();
    expect(codes.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });
});
