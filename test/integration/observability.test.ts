import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { parsePlaylist } from '../helpers/hls-download.js';
import { spawnOrigin, type OriginProcess } from '../helpers/origin-process.js';
import { FIXTURES } from '../helpers/origin-server.js';

/**
 * Metrics and logs of the origin as its own process (`npm start`'s path): Prometheus on METRICS_PORT,
 * scraped before and after real requests; pino lines on stdout, one per request.
 */
let node: OriginProcess;
let metricsUrl: string;

beforeAll(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  node = await spawnOrigin(
    {
      MEDIA_ROOT: FIXTURES,
      REVISION_SECRET: 'observability-secret-0123',
      METRICS_PORT: String(port),
      LOG_LEVEL: 'info',
      PREWARM_ON_MINT: 'false',
    },
    { captureOutput: true },
  );
});

afterAll(async () => {
  await node?.stop();
});

/** `name{labels} value` lines → value by `name{labels}` (labels as printed). */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

const sum = (values: Map<string, number>, prefix: string, ...labels: string[]) =>
  [...values]
    .filter(([k]) => k.startsWith(prefix) && labels.every((l) => k.includes(l)))
    .reduce((t, [, v]) => t + v, 0);

describe('metrics', () => {
  it('is not served on the playback port', async () => {
    expect((await node.fetch('/metrics')).status).toBe(404);
  });

  it(
    'counts requests, jobs, cache statuses, bytes and 503s after real requests, with process metrics',
    {
      timeout: 60_000,
    },
    async () => {
      const before = await scrape();
      const { hls } = await node.mint({ clips: [{ source: 'landscape.mp4', end: 3 }] });
      const base = hls.replace('/master.m3u8', '');
      const variant = parsePlaylist(await (await node.fetch(hls)).text()).playlists![0]!.uri.replace('.m3u8', '');
      const segment = `${base}/${variant}/0.m4s`;
      // Two at once: one makes it, the other joins (coalesced); then a hit.
      const [a, b] = await Promise.all([node.fetch(segment), node.fetch(segment)]);
      const bytes = (await a.arrayBuffer()).byteLength + (await b.arrayBuffer()).byteLength;
      const again = await node.fetch(segment);
      await again.arrayBuffer();
      expect((await node.fetch(`${base}/audio/0.m4s`)).status).toBe(200);
      const after = await scrape();

      const moved = (name: string, ...labels: string[]) => sum(after, name, ...labels) - sum(before, name, ...labels);
      expect(
        moved('avserver_http_request_duration_seconds_count', 'route="/play/:id/:rendition/:file"', 'status="200"'),
      ).toBe(4);
      expect(moved('avserver_http_request_duration_seconds_count', 'route="/v1/revisions"', 'status="201"')).toBe(1);
      expect(moved('avserver_job_run_seconds_count', 'kind="video"', `rendition="${variant}"`)).toBeGreaterThanOrEqual(
        1,
      );
      expect(moved('avserver_job_run_seconds_count', 'kind="audio"')).toBeGreaterThanOrEqual(1);
      // The process's first mint of this source probes it.
      expect(moved('avserver_job_run_seconds_count', 'kind="probe"')).toBe(1);
      expect(moved('avserver_cache_requests_total', 'artifact="segment"', 'status="miss"')).toBeGreaterThanOrEqual(2);
      expect(moved('avserver_cache_requests_total', 'artifact="segment"', 'status="coalesced"')).toBe(1);
      expect(moved('avserver_cache_requests_total', 'artifact="segment"', 'status="hit"')).toBe(1);
      expect(moved('avserver_served_bytes_total', 'artifact="segment"')).toBeGreaterThanOrEqual(bytes);
      expect(after.has('avserver_jobs_queued{priority="player"}')).toBe(true);
      expect(after.has('avserver_jobs_running{priority="lookahead"}')).toBe(true);
      expect(after.has('avserver_source_cache_bytes')).toBe(true);
      expect(sum(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
    },
  );

  it('counts 503s by reason', { timeout: 60_000 }, async () => {
    // A request that may wait only 1 ms for its job: a cold segment answers 503 timeout (the job goes on).
    const port = await freePort();
    const impatient = await spawnOrigin({
      MEDIA_ROOT: FIXTURES,
      REVISION_SECRET: 'observability-secret-0123',
      METRICS_PORT: String(port),
      REQUEST_WAIT_MS: '1',
      PREWARM_ON_MINT: 'false',
    });
    try {
      const { hls } = await impatient.mint({ clips: [{ source: 'landscape.mp4' }] });
      const res = await impatient.fetch(hls.replace('master.m3u8', 'audio/1.m4s'));
      expect(res.status).toBe(503);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^avserver_http_503_total\{reason="timeout"\} 1$/m);
    } finally {
      await impatient.stop();
    }
  });
});

describe('logs', () => {
  it('writes one JSON line per request with its id, status, duration, cache status and timing parts', async () => {
    const { hls } = await node.mint({ clips: [{ source: 'landscape.mp4', end: 2 }] });
    const path = hls.replace('master.m3u8', 'audio/0.m4s');
    const res = await node.fetch(path, { headers: { 'x-request-id': 'test-request-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('test-request-1');
    await new Promise((r) => setTimeout(r, 200));
    const lines = node
      .output()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.req === 'test-request-1')!;
    expect(line).toMatchObject({ level: 'info', message: 'request', method: 'GET', path, status: 200, cache: 'miss' });
    expect(typeof line.ms).toBe('number');
    expect(Object.keys(line.timing as object)).toEqual(expect.arrayContaining(['resolve', 'queue', 'ffmpeg', 'total']));
    expect(typeof line.time).toBe('string');
  });
});
