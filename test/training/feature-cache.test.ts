import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createFeatureExtractor,
  type FeatureExtractor,
  FRONT_END_VERSION,
} from '../../core/audio/feature-set.ts';
import { createFeatureCache } from '../../training/feature-cache.ts';
import { createRandom } from '../../training/random.ts';
import { makeTempDir } from './corpora/tiny-corpus.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function noise(seconds = 0.2, seed = 1): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: Math.round(16000 * seconds) }, () => 0.3 * (random.next() * 2 - 1));
}

/** The real extractor, counting how often it extracts. */
function countingExtractor(extractor: FeatureExtractor) {
  const counter = { calls: 0 };
  const counted: FeatureExtractor = {
    ...extractor,
    extract(signal) {
      counter.calls++;
      return extractor.extract(signal);
    },
  };
  return { extractor: counted, counter };
}

describe('createFeatureCache', () => {
  it('extracts on the first run and reads the same features back on a second run', async () => {
    const directory = await makeTempDir('ser-features-');
    const { extractor, counter } = countingExtractor(createFeatureExtractor('logmel40'));
    const signal = noise();
    let decoded = 0;
    const decode = () => {
      decoded++;
      return signal;
    };

    const first = createFeatureCache(extractor, { directory });
    const computed = await first.features(HASH_A, decode);
    expect(computed.dims).toBe(40);
    expect(computed.frames).toBe(extractor.frameCount(signal.length));
    expect(first.stats).toEqual({ hits: 0, misses: 1 });

    const second = createFeatureCache(extractor, { directory });
    const cached = await second.features(HASH_A, decode);
    expect(second.stats).toEqual({ hits: 1, misses: 0 });
    expect(counter.calls).toBe(1);
    expect(decoded).toBe(1);
    expect(cached).toEqual(computed);
  });

  it('stores a binary Float32 file and a JSON header under the key', async () => {
    const directory = await makeTempDir('ser-features-');
    const cache = createFeatureCache(createFeatureExtractor('logmel40'), { directory });
    const features = await cache.features(HASH_A, () => noise());
    const key = cache.keyFor(HASH_A);
    const folder = join(directory, key.slice(0, 2));
    expect((await readdir(folder)).sort()).toEqual([`${key}.f32`, `${key}.json`]);
    expect((await readFile(join(folder, `${key}.f32`))).length).toBe(features.frames * 40 * 4);
    const header = JSON.parse(await readFile(join(folder, `${key}.json`), 'utf8'));
    expect(header).toMatchObject({
      frontEndVersion: FRONT_END_VERSION,
      set: 'logmel40',
      contentHash: HASH_A,
      frames: features.frames,
      dims: 40,
    });
    expect(header.config.nMels).toBe(40);
  });

  it('keys by content, feature set and config (whatever the key order)', () => {
    const logmel = createFeatureCache(createFeatureExtractor('logmel40'), { directory: '/unused' });
    expect(logmel.keyFor(HASH_A)).toMatch(/^[0-9a-f]{64}$/);
    expect(logmel.keyFor(HASH_A)).toBe(logmel.keyFor(HASH_A));
    expect(logmel.keyFor(HASH_B)).not.toBe(logmel.keyFor(HASH_A));
    const deltas = createFeatureCache(createFeatureExtractor('logmel40+deltas'), { directory: '/unused' });
    expect(deltas.keyFor(HASH_A)).not.toBe(logmel.keyFor(HASH_A));
    const otherHop = createFeatureCache(createFeatureExtractor('logmel40', { hop: 160 }), {
      directory: '/unused',
    });
    expect(otherHop.keyFor(HASH_A)).not.toBe(logmel.keyFor(HASH_A));

    const base = createFeatureExtractor('logmel40');
    const reordered: FeatureExtractor = {
      ...base,
      config: Object.fromEntries(Object.entries(base.config).reverse()) as FeatureExtractor['config'],
    };
    expect(createFeatureCache(reordered, { directory: '/unused' }).keyFor(HASH_A)).toBe(
      logmel.keyFor(HASH_A),
    );
  });

  it('recomputes an entry whose data file was cut short', async () => {
    const directory = await makeTempDir('ser-features-');
    const { extractor, counter } = countingExtractor(createFeatureExtractor('logmel40'));
    const cache = createFeatureCache(extractor, { directory });
    const features = await cache.features(HASH_A, () => noise());
    const key = cache.keyFor(HASH_A);
    const dataPath = join(directory, key.slice(0, 2), `${key}.f32`);
    await writeFile(dataPath, (await readFile(dataPath)).subarray(0, 100));
    expect(await cache.read(HASH_A)).toBeUndefined();
    expect(await cache.features(HASH_A, () => noise())).toEqual(features);
    expect(counter.calls).toBe(2);
    expect(await cache.read(HASH_A)).toEqual(features);
  });

  it('refuses to store features of the wrong shape', async () => {
    const cache = createFeatureCache(createFeatureExtractor('logmel40'), {
      directory: await makeTempDir('ser-features-'),
    });
    await expect(cache.write(HASH_A, { data: new Float32Array(30), frames: 3, dims: 10 })).rejects.toThrow(
      'expected 3 × 40 features (120 values), got 3 × 10 with 30 values',
    );
  });
});
