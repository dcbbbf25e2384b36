import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { S3ObjectStore } from '../../src/stores/s3-object-store.js';

/**
 * s3rver (a local S3-compatible server) on a free port with one bucket, and a client configured as
 * the origin configures its own. Avoid paged listings: s3rver fails them on OpenSSL 3.
 */
export async function startS3(): Promise<{
  endpoint: string;
  bucket: string;
  region: string;
  client: S3Client;
  stop(): Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), 'avserver-s3-'));
  const bucket = 'media';
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  const region = 'us-east-1';
  const client = S3ObjectStore.client({
    region,
    endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    bucket,
    region,
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
