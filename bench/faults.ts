/**
 * `npm run bench:faults`: how the origin answers when a dependency fails, with its default deadlines,
 * for the README's "Failure behaviour" table. The origin runs as its own process (as `npm start` runs
 * it) against a private redis-server; each fault is injected for real (SIGSTOP, kill, SIGTERM, a
 * manifest bomb, recordings truncated or in a codec no decoder reads). Prints the figures and writes bench/results/faults.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOrigin, type OriginProcess } from '../test/helpers/origin-process.js';
import { FIXTURES } from '../test/helpers/origin-server.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { here, percentile } from './lib.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(request: Promise<Response>): Promise<{ status: number; ms: number; cache: string | null }> {
  const t0 = performance.now();
  const res = await request;
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0, cache: res.headers.get('cache-control') };
}

/** Milliseconds until `probe` answers `status`, polling every 20 ms. */
async function until(status: number, probe: () => Promise<Response>, limitMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if ((await probe()).status === status) return performance.now() - t0;
    await sleep(20);
  }
  return Number.POSITIVE_INFINITY;
}

const mintBody = (source: string, end?: number) => ({
  method: 'POST',
  api: true,
  body: JSON.stringify({ clips: [{ source, ...(end ? { end } : {}) }] }),
  headers: { 'content-type': 'application/json' },
});

export async function faultsBench() {
  const media = await mkdtemp(join(tmpdir(), 'avserver-bench-faults-'));
  for (const f of ['landscape.mp4', 'portrait.mp4']) await copyFile(join(FIXTURES, f), join(media, f));
  const redis = await startRedis();
  const env = {
    MEDIA_ROOT: media,
    REDIS_URL: redis.url,
    REVISION_SECRET: 'bench-faults-secret-0123456789',
    PREWARM_ON_MINT: 'false',
  };
  const results: Record<string, unknown> = {};
  let node: OriginProcess | undefined = await spawnOrigin(env);
  try {
    // Redis frozen: requests that need it.
    const minted = await node.mint({ clips: [{ source: 'landscape.mp4' }] });
    const other = await spawnOrigin(env);
    redis.signal('SIGSTOP');
    const frozen = await Promise.all([
      timed(other.fetch(minted.hls)),
      timed(other.fetch(`/v1/revisions/${minted.revisionId}`, { api: true })),
      timed(other.fetch(`/v1/revisions`, mintBody('portrait.mp4'))),
    ]);
    const healthz = await timed(other.fetch('/healthz'));
    redis.signal('SIGCONT');
    const thawed = await until(200, () => other.fetch(minted.hls));
    results.redisFrozen = {
      statuses: frozen.map((f) => f.status),
      maxMs: Math.max(...frozen.map((f) => f.ms)),
      cache: frozen[0]!.cache,
      healthz: healthz.status,
      recoveryMs: thawed,
    };
    await other.stop();

    // Redis killed and restarted.
    await redis.stop();
    const killed = await timed(node.fetch('/play/BBBBBBBBBBBBBBBBBBBBBB/master.m3u8'));
    const restartedAt = performance.now();
    await redis.restart();
    await until(201, () => node!.fetch('/v1/revisions', mintBody('portrait.mp4', 2)));
    results.redisKilled = {
      status: killed.status,
      ms: killed.ms,
      cache: killed.cache,
      recoveryAfterRestartMs: performance.now() - restartedAt,
    };

    // SIGTERM with eight cold segments in flight (a revision minted again: the restarted Redis is empty).
    const base = (await node.mint({ clips: [{ source: 'landscape.mp4' }] })).hls.replace('/master.m3u8', '');
    const paths = ['720p/0', '720p/1', '480p/0', '480p/1', '360p/0', '360p/1', 'audio/0', 'audio/1'].map(
      (p) => `${base}/${p}.m4s`,
    );
    const answers = paths.map((p) =>
      node!.fetch(p).then(
        (r) => r.status,
        () => 'reset',
      ),
    );
    await sleep(300);
    const t0 = performance.now();
    await node.stop();
    node = undefined;
    const statuses = await Promise.all(answers);
    results.sigterm = { exitMs: performance.now() - t0, statuses };

    // A 450-byte MPD that expands to 10 million chunks, four at once, while /healthz is polled.
    await writeFile(
      join(media, 'bomb.mpd'),
      '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S"><Period><AdaptationSet contentType="video" startWithSAP="1"><Representation id="v" bandwidth="1"><SegmentTemplate timescale="1" media="c$Number$.webm"><SegmentTimeline><S t="0" d="1" r="10000000"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>',
    );
    node = await spawnOrigin(env);
    const rss = node.peakRssMb();
    const health: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        health.push((await timed(node!.fetch('/healthz'))).ms);
        await sleep(10);
      }
    })();
    const bombs = await Promise.all(
      Array.from({ length: 4 }, () => timed(node!.fetch('/v1/revisions', mintBody('bomb.mpd')))),
    );
    await sleep(200);
    polling = false;
    await poll;
    results.manifestBomb = {
      statuses: bombs.map((b) => b.status),
      maxMs: Math.max(...bombs.map((b) => b.ms)),
      healthzP99Ms: percentile(health, 0.99),
      rssGrowthMb: node.peakRssMb() - rss,
    };

    // Recordings that can never play: an MP4 cut in half after upload, and one whose video codec no
    // decoder reads (its sample entry renamed). Both must be a 422 at mint, and how long that takes.
    const whole = await readFile(join(media, 'landscape.mp4'));
    const faststart = join(media, 'faststart.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      join(media, 'landscape.mp4'),
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      faststart,
    ]);
    const fast = await readFile(faststart);
    await writeFile(join(media, 'truncated.mp4'), fast.subarray(0, fast.length / 2));
    const entry = fast.indexOf('avc1', fast.indexOf('stsd'));
    await writeFile(
      join(media, 'no-decoder.mp4'),
      Buffer.concat([fast.subarray(0, entry), Buffer.from('zzzz'), fast.subarray(entry + 4)]),
    );
    const refused = await Promise.all(
      ['truncated.mp4', 'no-decoder.mp4'].map((f) => timed(node!.fetch('/v1/revisions', mintBody(f)))),
    );
    // A good source's first mint, with the decode check (its probe is not cached yet).
    await writeFile(join(media, 'fresh.mp4'), whole);
    const fresh = await timed(node.fetch('/v1/revisions', mintBody('fresh.mp4')));
    results.unplayableRecordings = {
      statuses: refused.map((r) => r.status),
      maxMs: Math.max(...refused.map((r) => r.ms)),
      goodFirstMint: { status: fresh.status, ms: fresh.ms },
    };
  } finally {
    await node?.stop();
    await redis.stop();
    await rm(media, { recursive: true, force: true });
  }
  return results;
}

export function printFaults(results: Record<string, unknown>): void {
  console.log('\nFailure behaviour (default deadlines)');
  for (const [name, value] of Object.entries(results))
    console.log(`  ${name}: ${JSON.stringify(value, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await faultsBench();
  printFaults(results);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'faults.json'), JSON.stringify(results, null, 2));
}
