/**
 * The deployable Worker, outside the vitest pool (which adds Node compatibility of its own): the bundle
 * `wrangler deploy` would upload, run by wrangler dev in plain workerd with wrangler.toml's flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHeapProbe } from '../../scripts/isolate-heap.ts';
import { type Bundle, ROOT, type RunningWorker, startLocalWorker } from '../../scripts/local-worker.ts';
import expected from '../fixtures/models/expected-speech.json' with { type: 'json' };

const WORK = join(ROOT, '.cache/test-local-worker');
// Workers' compressed size limit on the free plan.
const FREE_PLAN_GZIP_LIMIT = 3 * 1024 * 1024;
let bundle: Bundle;
let worker: RunningWorker;

beforeAll(async () => {
  ({ bundle, worker } = await startLocalWorker({
    modelsDir: join(ROOT, 'test/fixtures/models'),
    workDir: WORK,
  }));
}, 180_000);

afterAll(() => worker?.stop());

describe('the deployable bundle', () => {
  it('holds the script, the SIMD wasm binary as a module and every weight shard, within the size limit', () => {
    const names = bundle.files.map((file) => file.name);
    expect(names.filter((name) => name.endsWith('.js'))).toHaveLength(1);
    expect(names.filter((name) => name.endsWith('-tfjs-backend-wasm-simd.wasm'))).toHaveLength(1);
    expect(names.filter((name) => name.endsWith('-weights.bin'))).toHaveLength(2);
    expect(bundle.gzip).toBeLessThan(FREE_PLAN_GZIP_LIMIT);
  });

  it('imports no Node built-ins (wrangler.toml opts out of nodejs_compat)', () => {
    const script = readFileSync(bundle.script, 'utf8');
    expect(script.match(/^import .* from "(node:)?(fs|path|util|crypto|worker_threads)";$/gm)).toBeNull();
  });

  it('classifies the speech clip in workerd as the same model does in Node', async () => {
    const response = await fetch(`${worker.origin}/v1/classify?attention=1`, {
      method: 'POST',
      headers: { 'content-type': 'audio/wav' },
      body: readFileSync(join(ROOT, 'test/fixtures/audio/speech.wav')),
    });
    const body = (await response.json()) as { outcome: string; probabilities: Record<string, number> };
    expect(response.status, `${JSON.stringify(body)}\n${worker.log()}`).toBe(200);
    expect(body.outcome).toBe('classified');
    const reference = expected['tiny-blstm'].clip.probabilities;
    Object.values(body.probabilities).forEach((probability, i) => {
      expect(Math.abs(probability - reference[i])).toBeLessThan(1e-4);
    });
  });

  it("lets the serving bench read the isolate's heap through wrangler dev's inspector", async () => {
    const probe = await openHeapProbe(worker.inspectorPort);
    try {
      const usage = await probe.read();
      // The Worker's code, tfjs and two tiny models: a few MiB in use, within a heap at least as large.
      expect(usage.usedBytes).toBeGreaterThan(1024 * 1024);
      expect(usage.totalBytes).toBeGreaterThanOrEqual(usage.usedBytes);
    } finally {
      probe.close();
    }
  });
});
