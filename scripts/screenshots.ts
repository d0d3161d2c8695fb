/**
 * `npm run screenshots`: the README's pictures of the site, from the real thing. Builds the site and the model
 * bundle as `npm start` does, runs the Worker under `wrangler dev` on a free loopback port, and takes the results
 * page, the served model's page and the demo (after classifying the committed espeak-ng clip through the real
 * API) at 1280 and 390 px into site/public/screenshots/ (JPEG, viewport only, so they stay small).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'site/public/screenshots');
const SPEECH = join(ROOT, 'test/fixtures/audio/speech.wav');
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

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
run('build');
run('models:bundle');
const registry = JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')) as { default: string };
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const worker = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
try {
  await waitFor(`${base}/healthz`, worker, 120);
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
} finally {
  // wrangler dev starts workerd as a child: stop the whole group.
  if (worker.pid !== undefined) process.kill(-worker.pid, 'SIGTERM');
}
