import { describe, expect, it } from 'vitest';
import { readServeConfig } from '../../../functions/runtime/config.ts';

const vars = { MAX_BODY_BYTES: '8388608', MAX_DURATION_SECONDS: '60', MIN_DURATION_SECONDS: '0.5' };

describe('readServeConfig', () => {
  it('parses the limits and the comma-separated origin allow-list', () => {
    expect(
      readServeConfig({ ...vars, ALLOWED_ORIGINS: ' https://a.example , http://localhost:4321,, ' }),
    ).toEqual({
      maxBodyBytes: 8388608,
      maxDurationSeconds: 60,
      minDurationSeconds: 0.5,
      allowedOrigins: ['https://a.example', 'http://localhost:4321'],
    });
  });

  it('allows no origin when the allow-list is absent', () => {
    expect(readServeConfig(vars).allowedOrigins).toEqual([]);
  });

  it.each([
    [{ ...vars, MAX_BODY_BYTES: 'lots' }, 'expected MAX_BODY_BYTES to be a number'],
    [{ ...vars, MAX_DURATION_SECONDS: '-1' }, 'expected MAX_DURATION_SECONDS to be positive, got -1'],
    [
      { ...vars, MIN_DURATION_SECONDS: '90' },
      'expected MIN_DURATION_SECONDS to be below MAX_DURATION_SECONDS',
    ],
    [{ MAX_BODY_BYTES: '1' }, 'expected MAX_DURATION_SECONDS to be a number'],
  ])('refuses a misconfigured deployment: %o', (env, message) => {
    expect(() => readServeConfig(env)).toThrow(message);
  });
});
