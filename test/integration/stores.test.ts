import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../src/media/process-runner.js';
import { verifyDecodes } from '../../src/media/sources/verify-decode.js';
import { probeSource } from '../../src/media/sources/probe.js';
import { RedisRevisionStore } from '../../src/stores/redis-revision-store.js';
import { S3ObjectStore } from '../../src/stores/s3-object-store.js';
import { FIXTURES, startOrigin } from '../helpers/origin-server.js';
import { startRedis } from '../helpers/redis-server.js';
import { startS3 } from '../helpers/s3-server.js';
import { countDecodedFrames } from '../helpers/media-analysis.js';
import { revisionRecord, sourceInfo } from '../helpers/records.js';

const info = sourceInfo({ key: 'rec/a.mp4', duration: 4, audio: null });
const record = revisionRecord([info]);

describe('RedisRevisionStore against redis-server', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let store: RedisRevisionStore;

  beforeAll(async () => {
    redis = await startRedis();
    store = await RedisRevisionStore.connect(redis.url, { commandTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  it('stores a revision once and reads it back', async () => {
    expect(await store.getRevision(record.id)).toBeUndefined();
    expect(await store.saveRevision(record, 60)).toBe(true);
    expect(await store.saveRevision(record, 60)).toBe(false);
    expect(await store.getRevision(record.id)).toEqual(record);
  });

  it('expires a revision after its TTL', async () => {
    const short = { ...record, id: 'BBBBBBBBBBBBBBBBBBBBBB' };
    await store.saveRevision(short, 1);
    expect(await store.getRevision(short.id)).toBeDefined();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.getRevision(short.id)).toBeUndefined();
  });

  it('shares probe results by key and ETag', async () => {
    await store.saveProbe(info, 60);
    expect(await store.getProbe('rec/a.mp4', info.etag)).toEqual(info);
    expect(await store.getProbe('rec/a.mp4', '"changed"')).toBeUndefined();
  });

  it('fails fast with `unavailable` when Redis is gone', async () => {
    const gone = await startRedis();
    const orphan = await RedisRevisionStore.connect(gone.url, { commandTimeoutMs: 1000 });
    await gone.stop();
    await expect(orphan.getRevision(record.id)).rejects.toMatchObject({ code: 'unavailable' });
    await orphan.close();
  });

  it('answers 503 + Retry-After + no-store at the HTTP edge while Redis is down', async () => {
    const own = await startRedis();
    const node = await startOrigin({ REDIS_URL: own.url });
    try {
      await own.stop();
      for (const [path, api] of [
        ['/play/CCCCCCCCCCCCCCCCCCCCCC/master.m3u8', false],
        ['/v1/revisions/CCCCCCCCCCCCCCCCCCCCCC', true],
      ] as const) {
        const res = await node.fetch(path, { api });
        expect(res.status).toBe(503);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('retry-after')).toBe('5');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      }
    } finally {
      await node.close();
    }
  });

  it('serves playback from a revision minted on another node', async () => {
    const env = { REDIS_URL: redis.url };
    const nodeA = await startOrigin(env);
    const nodeB = await startOrigin(env);
    try {
      const minted = await nodeA.mint({ clips: [{ source: 'silent.mp4' }] });
      const master = await nodeB.fetch(minted.hls);
      expect(master.status).toBe(200);
      const again = await nodeB.fetch('/v1/revisions', {
        method: 'POST',
        api: true,
        body: JSON.stringify({ clips: [{ source: 'silent.mp4' }] }),
        headers: { 'content-type': 'application/json' },
      });
      expect(again.status).toBe(200);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });
});

describe('S3ObjectStore against a local S3-compatible server', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let store: S3ObjectStore;

  beforeAll(async () => {
    s3 = await startS3();
    // The SDK's default credential chain reads these (an ECS task role in production).
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    store = new S3ObjectStore(s3.client, s3.bucket);
    const body = await readFile(join(FIXTURES, 'landscape.mp4'));
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'recordings/landscape.mp4', Body: body }));
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('stats an object and reports a missing one as undefined', async () => {
    const stat = await store.stat('recordings/landscape.mp4');
    expect(stat?.size).toBeGreaterThan(1000);
    expect(stat?.etag).toMatch(/^"?[0-9a-f]{32}"?$/);
    expect(await store.stat('recordings/nope.mp4')).toBeUndefined();
  });

  it('lists object keys in one bounded page (the playground source list), without dot names', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'recordings/.partial.mp4', Body: 'x' }));
    const listing = await store.list(100);
    expect(listing.keys).toContain('recordings/landscape.mp4');
    expect(listing.keys.some((k) => k.includes('/.'))).toBe(false);
    expect(listing.truncated).toBe(false);
  });

  it('hands ffprobe a URL it can read', async () => {
    const runner = new ProcessRunner();
    const probed = await probeSource(
      await store.input('recordings/landscape.mp4'),
      { key: 'recordings/landscape.mp4', etag: 'e', size: 1 },
      { runner, ffprobePath: 'ffprobe', ffmpegPath: 'ffmpeg', timeoutMs: 10_000 },
      'mov',
    );
    expect(probed.video).toMatchObject({ width: 1280, height: 720 });
    // And ffmpeg decodes its start and its end through the URL (mint's check, by range requests).
    await verifyDecodes(await store.input('recordings/landscape.mp4'), 'mov', {
      runner,
      ffmpegPath: 'ffmpeg',
      timeoutMs: 10_000,
    });
  });

  it('assembles a chunked HLS recording from S3 objects and plays it', async () => {
    for (const name of ['recording.m3u8', 'chunk-000.ts', 'chunk-001.ts', 'chunk-002.ts', 'chunk-003.ts']) {
      const body = await readFile(join(FIXTURES, 'hls', name));
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `recordings/phone/${name}`, Body: body }));
    }
    const origin = await startOrigin({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region });
    try {
      const minted = await origin.mint({ clips: [{ source: 'recordings/phone/recording.m3u8' }] });
      expect(minted.duration).toBeCloseTo(4, 3);
      const frames = await countDecodedFrames(`${origin.baseUrl}${minted.hls.replace('master', '180p')}`, 'v');
      expect(frames).toBe(100);
    } finally {
      await origin.close();
    }
  });

  it('plays a revision minted from S3 end to end', async () => {
    const origin = await startOrigin({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region });
    try {
      const minted = await origin.mint({ clips: [{ source: 'recordings/landscape.mp4' }] });
      const frames = await countDecodedFrames(`${origin.baseUrl}${minted.hls.replace('master', '360p')}`, 'v');
      expect(frames).toBe(Math.round(minted.duration * 30));
    } finally {
      await origin.close();
    }
  });
});
