/**
 * `npm run screenshots`: the README's pictures of the site and the API page's example answer, from the real
 * thing. Builds the site and the model bundle as `npm start` does, runs the Worker under `wrangler dev` on a free
 * loopback port, posts the committed espeak-ng clip to `/v1/classify` and keeps the answer as
 * site/src/data/api-example.json, then takes the results page, the served model's page and the demo (after
 * classifying the same clip through the real API) at 1280 and 390 px into site/public/screenshots/ (JPEG,
 * viewport only, so they stay small). Run it after changing the served model; a test checks the example's model.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from './local-worker.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'site/public/screenshots');
const EXAMPLE = join(ROOT, 'site/src/data/api-example.json');
const SPEECH = join(ROOT, 'test/fixtures/audio/speech.wav');
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

async function waitFor(url: string, child: ChildProcess, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (child.exitCode !== null)
      throw new Error(`expected wrangler dev to keep running, it exited with ${child.exitCode}`);
    if ((await fetch(url).catch(() => null))?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`expected ${url} to answer within ${seconds} s, got nothing`);
}

const run = (script: string) => execFileSync('npm', ['run', '-s', script], { cwd: ROOT, stdio: 'inherit' });

/** Runs `work` against the Worker under `wrangler dev` on a free port, then stops it (and its workerd). */
async function withWorker<T>(work: (base: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const worker = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/healthz`, worker, 120);
    return await work(base);
  } finally {
    if (worker.pid !== undefined) process.kill(-worker.pid, 'SIGTERM');
  }
}

run('models:bundle');
const registry = JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')) as { default: string };
// The example first (the API needs no site), so the site built next shows it. wrangler refuses to start
// without the assets folder, which a fresh clone does not have yet.
mkdirSync(join(ROOT, 'site/dist'), { recursive: true });
await withWorker(async (base) => {
  const answer = await fetch(`${base}/v1/classify`, {
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body: readFileSync(SPEECH),
  });
  if (!answer.ok)
    throw new Error(`expected 200 from /v1/classify, got ${answer.status}: ${await answer.text()}`);
  mkdirSync(join(ROOT, 'site/src/data'), { recursive: true });
  writeFileSync(EXAMPLE, `${JSON.stringify(await answer.json(), null, 2)}\n`);
  // In the repository's format, so the lint step of `npm test` accepts the file as written.
  execFileSync('npx', ['biome', 'format', '--write', EXAMPLE], { cwd: ROOT, stdio: 'ignore' });
  console.log(`screenshots: wrote ${EXAMPLE}`);
});
run('build');
await withWorker(async (base) => {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox'],
  });
  for (const viewport of WIDTHS) {
    const page = await browser.newPage({ viewport });
    const shot = async (name: string) => {
      const path = join(OUT, `${name}-${viewport.width}.jpg`);
      await page.screenshot({ path, type: 'jpeg', quality: 70 });
      console.log(`screenshots: wrote ${path}`);
    };
    await page.goto(`${base}/`);
    await shot('results');
    await page.goto(`${base}/models/${registry.default}/`);
    await shot('model');
    await page.goto(`${base}/demo/`);
    await page.setInputFiles('#upload', SPEECH);
    await page.locator('#status[data-state="done"]').waitFor({ timeout: 60_000 });
    await page.locator('#latest').scrollIntoViewIfNeeded();
    await shot('demo');
    await page.close();
  }
  await browser.close();
});
