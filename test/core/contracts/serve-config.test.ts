import { describe, expect, it } from 'vitest';
import { readServeConfig } from '../../../core/contracts/serve-config.ts';

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
      // Deployments whose wrangler.toml predates streaming get its defaults.
      stream: { maxSeconds: 600, maxBytes: 128 * 2 ** 20, maxMessageBytes: 2 ** 20, idleSeconds: 15 },
    });
  });

  it('parses the stream limits', () => {
    const config = readServeConfig({
      ...vars,
      MAX_STREAM_SECONDS: '30',
      MAX_STREAM_BYTES: '1000',
      MAX_STREAM_MESSAGE_BYTES: '100',
      STREAM_IDLE_SECONDS: '0.5',
    });
    expect(config.stream).toEqual({ maxSeconds: 30, maxBytes: 1000, maxMessageBytes: 100, idleSeconds: 0.5 });
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
    [{ ...vars, STREAM_IDLE_SECONDS: '0' }, 'expected STREAM_IDLE_SECONDS to be positive, got 0'],
  ])('refuses a misconfigured deployment: %o', (env, message) => {
    expect(() => readServeConfig(env)).toThrow(message);
  });
});
