import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureExtractor, FeatureMatrix } from '../core/audio/feature-set.ts';
import { FRONT_END_VERSION } from '../core/audio/feature-set.ts';

/** Version of the on-disk layout below. */
const CACHE_FORMAT = 1;

/** `.cache/features/` at the repository root (git-ignored). */
export const DEFAULT_FEATURE_CACHE_DIRECTORY = fileURLToPath(new URL('../.cache/features/', import.meta.url));

/** The JSON header stored next to each binary feature file. */
interface CacheHeader {
  format: number;
  frontEndVersion: number;
  set: string;
  config: unknown;
  contentHash: string;
  frames: number;
  dims: number;
  /** The Float32 data is in this machine byte order; a header from another order is a miss. */
  byteOrder: 'LE' | 'BE';
}

export interface FeatureCache {
  readonly directory: string;
  /** Hits (read from disk) and misses (extracted) so far. */
  readonly stats: { hits: number; misses: number };
  /** sha256 over the content hash, the feature set, its config (keys sorted) and FRONT_END_VERSION. */
  keyFor(contentHash: string): string;
  /** The cached features of a file, or undefined when absent or unusable. */
  read(contentHash: string): Promise<FeatureMatrix | undefined>;
  write(contentHash: string, features: FeatureMatrix): Promise<void>;
  /**
   * The file's features: read from the cache, or extracted from `signal()` (called only on a miss; it
   * returns the decoded mono signal) and stored.
   */
  features(contentHash: string, signal: () => Float32Array | Promise<Float32Array>): Promise<FeatureMatrix>;
}

/** JSON with object keys sorted, so equal configs give equal keys whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written entry. */
async function writeAtomically(path: string, data: Uint8Array | string) {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/**
 * A disk cache of one extractor's features, keyed by file content (sha256) and feature configuration:
 * `<directory>/<key[0..2]>/<key>.f32` (raw Float32, frame-major) plus `<key>.json` (the header).
 */
export function createFeatureCache(
  extractor: FeatureExtractor,
  options: {
    directory?: string;
    /**
     * What else the cached matrices depend on (e.g. the utterance front end's config), as JSON: part of every
     * key. Absent for the extractor's plain features.
     */
    variant?: unknown;
    /** Computes a matrix on a miss; default the extractor's features of the signal. */
    compute?: (signal: Float32Array) => FeatureMatrix;
  } = {},
): FeatureCache {
  const directory = options.directory ?? DEFAULT_FEATURE_CACHE_DIRECTORY;
  const byteOrder = endianness();
  const compute = options.compute ?? ((signal: Float32Array) => extractor.extract(signal));
  // Keys of plain features stay what they were before variants existed, so existing caches still hit.
  const configJson =
    options.variant === undefined
      ? canonicalJson(extractor.config)
      : canonicalJson({ config: extractor.config, variant: options.variant });
  const stats = { hits: 0, misses: 0 };

  const keyFor = (contentHash: string) =>
    createHash('sha256')
      .update(canonicalJson({ CACHE_FORMAT, FRONT_END_VERSION, set: extractor.set, configJson, contentHash }))
      .digest('hex');
  const pathsFor = (contentHash: string) => {
    const key = keyFor(contentHash);
    const base = join(directory, key.slice(0, 2), key);
    return { folder: join(directory, key.slice(0, 2)), header: `${base}.json`, data: `${base}.f32` };
  };

  const read = async (contentHash: string): Promise<FeatureMatrix | undefined> => {
    const paths = pathsFor(contentHash);
    const headerText = await readFile(paths.header, 'utf8').catch(() => undefined);
    if (headerText === undefined) return undefined;
    let header: CacheHeader;
    try {
      header = JSON.parse(headerText);
    } catch {
      return undefined;
    }
    const matches =
      header.format === CACHE_FORMAT &&
      header.contentHash === contentHash &&
      header.set === extractor.set &&
      header.byteOrder === byteOrder &&
      header.dims === extractor.dims &&
      Number.isInteger(header.frames);
    if (!matches) return undefined;
    const bytes = await readFile(paths.data).catch(() => undefined);
    if (!bytes || bytes.length !== header.frames * header.dims * 4) return undefined;
    // Copy into a fresh buffer: a Node Buffer's offset need not be 4-byte aligned.
    const data = new Float32Array(header.frames * header.dims);
    new Uint8Array(data.buffer).set(bytes);
    return { data, frames: header.frames, dims: header.dims };
  };

  const write = async (contentHash: string, features: FeatureMatrix) => {
    if (features.dims !== extractor.dims || features.data.length !== features.frames * features.dims) {
      throw new RangeError(
        `expected ${features.frames} × ${extractor.dims} features (${features.frames * extractor.dims} values), ` +
          `got ${features.frames} × ${features.dims} with ${features.data.length} values`,
      );
    }
    const paths = pathsFor(contentHash);
    const header: CacheHeader = {
      format: CACHE_FORMAT,
      frontEndVersion: FRONT_END_VERSION,
      set: extractor.set,
      config: extractor.config,
      contentHash,
      frames: features.frames,
      dims: features.dims,
      byteOrder,
    };
    await mkdir(paths.folder, { recursive: true });
    const { buffer, byteOffset, byteLength } = features.data;
    // The header goes last: its presence means the data file is complete.
    await writeAtomically(paths.data, new Uint8Array(buffer, byteOffset, byteLength));
    await writeAtomically(paths.header, `${JSON.stringify(header, null, 2)}\n`);
  };

  return {
    directory,
    stats,
    keyFor,
    read,
    write,
    async features(contentHash, signal) {
      const cached = await read(contentHash);
      if (cached) {
        stats.hits++;
        return cached;
      }
      stats.misses++;
      const features = compute(await signal());
      await write(contentHash, features);
      return features;
    },
  };
}
