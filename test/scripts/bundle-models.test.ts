import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderBundledModels } from '../../scripts/bundle-models.ts';

const fixtures = fileURLToPath(new URL('../fixtures/models', import.meta.url));

describe('renderBundledModels', () => {
  it('renders the committed fixture bundle exactly (regenerate it with the npm script if this fails)', () => {
    const outFile = join(fixtures, 'bundled.ts');
    expect(renderBundledModels({ modelsDir: fixtures, outFile })).toBe(readFileSync(outFile, 'utf8'));
  });

  it('imports model.json, metadata.json and every shard of every registered model', () => {
    const source = renderBundledModels({ modelsDir: fixtures, outFile: join(fixtures, 'bundled.ts') });
    for (const id of ['tiny-blstm', 'tiny-cnn']) {
      expect(source).toContain(`from './${id}/model.json' with { type: 'json' };`);
      expect(source).toContain(`from './${id}/metadata.json' with { type: 'json' };`);
      expect(source).toContain(`from './${id}/weights.bin';`);
    }
    expect(source).toContain("registry: { default: 'tiny-blstm', models: ['tiny-blstm', 'tiny-cnn'] },");
  });

  it('writes what Biome would: ids that extend another sort after it, a long registry one field a line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const ids = ['serving-model-with-a-long-name', 'serving-model-with-a-long-name-noise'];
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ default: ids[0], models: ids }));
    for (const id of ids) {
      mkdirSync(join(dir, id));
      writeFileSync(join(dir, id, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['w.bin'] }] }));
      writeFileSync(join(dir, id, 'metadata.json'), '{}');
      writeFileSync(join(dir, id, 'w.bin'), '');
    }
    const lines = renderBundledModels({ modelsDir: dir, outFile: join(dir, 'bundled.ts') }).split('\n');
    const importOf = (id: string) => lines.findIndex((line) => line.includes(`/${id}/model.json`));
    expect(importOf(ids[0])).toBeLessThan(importOf(ids[1]));
    const at = lines.indexOf('  registry: {');
    expect(lines.slice(at, at + 4)).toEqual([
      '  registry: {',
      `    default: '${ids[0]}',`,
      `    models: ['${ids[0]}', '${ids[1]}'],`,
      '  },',
    ]);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(110);
  });

  it('renders an empty source when there is no registry yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const source = renderBundledModels({ modelsDir: dir, outFile: join(dir, 'bundled.ts') });
    expect(source).toContain('export const bundledModels: ModelSource = { registry: null, models: {} };');
  });

  it('names the missing file when a registered model lacks one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ default: 'm', models: ['m'] }));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['w.bin'] }] }));
    writeFileSync(join(dir, 'm', 'metadata.json'), '{}');
    expect(() => renderBundledModels({ modelsDir: dir, outFile: join(dir, 'bundled.ts') })).toThrow(
      `model 'm': expected weight shard ${join(dir, 'm', 'w.bin')} to exist`,
    );
  });

  it('rejects a registry whose default is not listed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ default: 'x', models: ['m'] }));
    expect(() => renderBundledModels({ modelsDir: dir, outFile: join(dir, 'bundled.ts') })).toThrow(
      'expected the default model to be one of the listed models',
    );
  });
});
