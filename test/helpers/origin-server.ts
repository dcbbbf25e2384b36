import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { createOrigin, type Origin } from '../../src/origin.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/media', import.meta.url));
export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface RunningOrigin {
  origin: Origin;
  baseUrl: string;
  /** fetch against the origin; `api` adds the bearer token. */
  fetch(path: string, init?: RequestInit & { api?: boolean }): Promise<Response>;
  mint(body: unknown): Promise<{ revisionId: string; hls: string; dash: string; duration: number }>;
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
  const doFetch = (path: string, init: RequestInit & { api?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.api) headers.set('authorization', `Bearer ${TEST_TOKEN}`);
    return fetch(baseUrl + path, { ...init, headers });
  };
  return {
    origin,
    baseUrl,
    fetch: doFetch,
    async mint(body) {
      const res = await doFetch('/v1/revisions', {
        method: 'POST',
        api: true,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`mint failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { revisionId: string; hls: string; dash: string; duration: number };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await origin.close();
    },
  };
}
