import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { createOrigin, type Origin } from '../../src/origin.js';
import { originClient, TEST_TOKEN, type OriginClient } from './origin-client.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/media', import.meta.url));
export { TEST_TOKEN };

export interface RunningOrigin extends OriginClient {
  origin: Origin;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real origin (config → adapters → app) on a free loopback port, configured by env overrides. */
export async function startOrigin(env: Record<string, string> = {}): Promise<RunningOrigin> {
  const config = loadConfig(
    // No prewarm by default: tests count ffmpeg runs and queue slots from the first request.
    {
      MEDIA_ROOT: FIXTURES,
      AVSERVER_API_TOKEN: TEST_TOKEN,
      REVISION_SECRET: 'test-secret-0123456789',
      PREWARM_ON_MINT: 'false',
      ...env,
    },
    { fixturesDir: FIXTURES, randomSecret: () => 'unused-secret-0123456789' },
  );
  const origin = await createOrigin(config, silentLogger);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: origin.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    baseUrl,
    ...originClient(baseUrl),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await origin.close();
    },
  };
}
