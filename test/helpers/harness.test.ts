/**
 * Proves the test harness itself: s3rver and redis-server start, answer, and stop cleanly
 * (so a failure here is the harness's, not avserver's). Also pins the s3rver behaviour the
 * origin design relies on: HEAD gives ETag + ContentLength, presigned GET URLs work for
 * ffprobe, and Range requests get 206 + Content-Range.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from './redis-server.js';
import { startS3 } from './s3-server.js';

const run = promisify(execFile);
const LANDSCAPE = join(import.meta.dirname, '..', '..', 'fixtures', 'media', 'landscape.mp4');

describe('test harness: s3rver + redis-server', () => {
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;

  beforeAll(async () => {
    [s3, redis] = await Promise.all([startS3(), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([s3?.stop(), redis?.stop()]);
  });

  it('puts and heads an object (ETag + ContentLength)', async () => {
    const { client, bucket } = s3!;
    const body = Buffer.from('hello avserver');
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'harness/hello.txt', Body: body }));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'harness/hello.txt' }));
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(head.ETag).toBe(put.ETag);
    expect(head.ContentLength).toBe(body.length);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'harness/missing' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it.skipIf(!existsSync(LANDSCAPE))('serves presigned URLs that ffprobe can read and that honour Range', async () => {
    const { client, bucket } = s3!;
    const body = await readFile(LANDSCAPE);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'harness/landscape.mp4', Body: body, ContentType: 'video/mp4' }),
    );
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'harness/landscape.mp4' }), {
      expiresIn: 3600,
    });

    const ranged = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);

    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=duration:stream=codec_name,width,height',
      '-of',
      'json',
      url,
    ]);
    const probe = JSON.parse(stdout) as {
      format: { duration: string };
      streams: { codec_name: string; width?: number; height?: number }[];
    };
    expect(probe.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(probe.streams[0]).toMatchObject({ width: 1280, height: 720 });
    expect(Number(probe.format.duration)).toBeCloseTo(4, 1);
  });

  it('sets and gets a key in redis', async () => {
    const client = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.set('harness:key', 'value', 'EX', 60);
      expect(await client.get('harness:key')).toBe('value');
    } finally {
      client.disconnect();
    }
  });
});
