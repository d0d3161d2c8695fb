/**
 * Issue #15: where code may import from. Three apps stand on one engine: `core/` (front end, kernels,
 * networks, serving, contracts, results, clients) imports none of them; the Worker (`functions/`), training
 * (`training/`) and the site (`site/`) import `core/` and themselves, never each other; `scripts/` (tooling that
 * builds and measures the Worker) may import any of them. And no module imports itself through others: no loops.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.astro', 'assembly']);

/** Layer → the layers it may import. */
const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  functions: ['core', 'functions'],
  training: ['core', 'training'],
  site: ['core', 'site'],
  scripts: ['core', 'functions', 'training', 'site', 'scripts'],
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    // Declaration files hold types only, but their imports count too.
    return /\.([cm]?[jt]s|tsx|astro)$/.test(name) ? [path] : [];
  });
}

/** `from '…'`, `import '…'`, `import('…')`, `import(\`…\`)` (a template literal up to its first `${`). */
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*['"`](\.{1,2}\/[^'"`?$]+)/g;

/** `import type … from '…'` and `export type … from '…'`: erased, so nothing is loaded at run time. */
const TYPE_ONLY = /\b(?:import|export)\s+type\s[^;]*?from\s*['"][^'"]+['"]/gs;

/** Each source file's relative imports, as paths from the repository root. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const targets = [...text.matchAll(SPECIFIER)].map((match) => normalize(join(dirname(file), match[1])));
      return [file, targets];
    }),
  );
}

const layerOf = (path: string) => path.split('/')[0];

describe('the layers', () => {
  const files = Object.keys(ALLOWED).flatMap((layer) => sources(layer));
  const graph = importGraph(files);

  it('import only downwards: the engine nothing above it, the apps not each other', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        // Data (models/, LICENSE) is not code: any layer may bundle it.
        if (!(layerOf(target) in ALLOWED)) continue;
        if (!ALLOWED[layerOf(file)].includes(layerOf(target))) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('have no import loops', () => {
    const loops: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        loops.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(loops).toEqual([]);
  });

  it('declare the contracts with zod alone, and leave the OpenAPI machinery to the Worker', () => {
    // What core/contracts loads at run time besides itself: zod only (type-only imports are erased).
    const PACKAGE = /(?:\bfrom|\bimport)\s*\(?\s*['"]([^.'"][^'"]*)['"]/g;
    const packagesOf = (file: string) =>
      [...readFileSync(join(ROOT, file), 'utf8').replace(TYPE_ONLY, '').matchAll(PACKAGE)].map((m) => m[1]);
    const heavy: string[] = [];
    for (const file of files.filter((path) => path.startsWith('core/contracts/'))) {
      for (const name of packagesOf(file)) if (name !== 'zod') heavy.push(`${file} → ${name}`);
    }
    expect(heavy).toEqual([]);
    const openApi: string[] = [];
    for (const file of files.filter((path) => !/^(functions|scripts)\//.test(path))) {
      for (const name of packagesOf(file))
        if (/zod-openapi|zod-to-openapi/.test(name)) openApi.push(`${file} → ${name}`);
    }
    expect(openApi).toEqual([]);
  });

  it('keep source files to about 400 lines, but for the decoders', () => {
    // The decoders: one format, many encodings.
    const exceptions = new Set(['core/audio/wav.ts', 'core/audio/flac.ts']);
    const long = files.filter((file) => {
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n').length;
      return lines > 420 && !exceptions.has(file);
    });
    expect(long).toEqual([]);
  });
});
