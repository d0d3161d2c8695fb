import { describe, expect, it } from 'vitest';
import { MODELS_DIR_VARIABLE, modelsBase } from '../../../../../site/src/lib/content/models-base.ts';

describe('modelsBase', () => {
  it("defaults to the repository's models folder, relative to the Astro root", () => {
    expect(modelsBase({}, '/anywhere')).toBe('../models');
    expect(modelsBase({ [MODELS_DIR_VARIABLE]: '  ' }, '/anywhere')).toBe('../models');
  });

  it('resolves a configured folder against the working directory, as a folder URL', () => {
    expect(String(modelsBase({ SER_MODELS_DIR: 'test/fixtures/run-records' }, '/repo'))).toBe(
      'file:///repo/test/fixtures/run-records/',
    );
    expect(String(modelsBase({ SER_MODELS_DIR: '/data/models/' }, '/repo'))).toBe('file:///data/models/');
  });
});
