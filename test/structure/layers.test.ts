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

/**
 * Each source file's relative imports, as paths from the repository root; with `valuesOnly`, only the ones
 * loaded at run time.
 */
function importGraph(files: readonly string[], valuesOnly = false): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const source = readFileSync(join(ROOT, file), 'utf8');
      const text = valuesOnly ? source.replace(TYPE_ONLY, '') : source;
      const targets = [...text.matchAll(SPECIFIER)].map((match) => normalize(join(dirname(file), match[1])));
      return [file, targets];
    }),
  );
}

/** Every file `file` loads at run time, itself included. */
function reachable(graph: Map<string, string[]>, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || !graph.has(file)) return seen;
  seen.add(file);
  for (const target of graph.get(file) ?? []) reachable(graph, target, seen);
  return seen;
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

  it('keep the OpenAPI machinery in the Worker: the site and training load no module that imports it', () => {
    // The API's contracts carry their OpenAPI descriptions (@hono/zod-openapi's zod); their plain constants
    // (error codes, close codes) live in zod-free modules, and clients import the contracts' types only.
    const values = importGraph(files, true);
    const usesOpenApi = (file: string) =>
      /from\s*['"]@hono\/zod-openapi['"]/.test(readFileSync(join(ROOT, file), 'utf8'));
    const wrong: string[] = [];
    for (const file of files.filter((path) => /^(site|training|core\/client)\//.test(path))) {
      for (const loaded of reachable(values, file)) if (usesOpenApi(loaded)) wrong.push(`${file} → ${loaded}`);
    }
    expect(wrong).toEqual([]);
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
