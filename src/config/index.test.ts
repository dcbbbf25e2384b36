import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const defaults = { fixturesDir: '/repo/fixtures/media', randomSecret: () => 'generated-secret-0123456789' };

describe('loadConfig', () => {
  it('serves the fixtures with an in-process store when nothing is set', () => {
    const config = loadConfig({}, defaults);
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      mediaRoot: '/repo/fixtures/media',
      embeddedMedia: true,
      s3: undefined,
      redisUrl: undefined,
      cacheMaxAge: 86400,
      revisionSecretGenerated: true,
    });
  });

  it('reads S3 and Redis settings', () => {
    const config = loadConfig(
      {
        S3_BUCKET: 'media',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        REDIS_URL: 'redis://127.0.0.1:6379',
        REVISION_SECRET: 'x'.repeat(32),
        CACHE_MAX_AGE: '600',
        PORT: '',
      },
      defaults,
    );
    expect(config.s3).toEqual({
      bucket: 'media',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      timeoutMs: 10_000,
    });
    expect(config.embeddedMedia).toBe(false);
    expect(config.cacheMaxAge).toBe(600);
    expect(config.port).toBe(8080);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT:/],
    [{ PORT: '70000' }, /^PORT:/],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL:/],
    [{ REDIS_URL: 'redis://localhost:6379' }, /^REVISION_SECRET: required/],
    [{ S3_ENDPOINT: 'http://x:9000' }, /^S3_BUCKET: required/],
    [{ S3_ENDPOINT: 'not a url', S3_BUCKET: 'media' }, /^S3_ENDPOINT:/],
    [{ AVSERVER_API_TOKEN: 'short' }, /^AVSERVER_API_TOKEN:/],
    [{ CACHE_MAX_AGE: '-1' }, /^CACHE_MAX_AGE:/],
    [{ X264_PRESET: 'placebo' }, /^X264_PRESET:/],
    [{ SEGMENT_DURATION: '0.2' }, /^SEGMENT_DURATION:/],
    [{ PLAYGROUND: 'yes' }, /^PLAYGROUND:/],
  ])('%j stops start-up naming the variable', (env, message) => {
    expect(() => loadConfig(env, defaults)).toThrow(ConfigError);
    expect(() => loadConfig(env, defaults)).toThrow(message);
  });

  it.each([
    [{}, true],
    [{ HOST: '::1' }, true],
    [{ HOST: '0.0.0.0' }, false],
    [{ HOST: '0.0.0.0', PLAYGROUND: 'true' }, true],
    [{ PLAYGROUND: 'false' }, false],
    [{ MEDIA_ROOT: '/recordings' }, true],
  ])('%j: the playground is on: %s (by default only on loopback)', (env, on) => {
    expect(loadConfig(env, defaults).playground).toBe(on);
  });
});
