/**
 * `npm run bench:plan-memory [count]`: the origin's memory over many revisions of one long source. A
 * sparse 10-hour MP4 (a 64×64 frame a minute, made here in seconds) is minted `count` times (10,000 by
 * default) with a different trim each, and each revision's master and first media playlists are fetched, so
 * each is planned and its plan cached; the origin runs as its own process against a private
 * redis-server. Prints the origin's resident memory (VmRSS) at every tenth of the run: with plans
 * bounded by bytes it levels off once the plan cache is full, instead of growing with the count.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOrigin } from '../test/helpers/origin-process.js';
import { startRedis } from '../test/helpers/redis-server.js';

const count = Number(process.argv[2] ?? 10_000);
const HOURS = 10;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const media = await mkdtemp(join(tmpdir(), 'avserver-plan-memory-'));
execFileSync('ffmpeg', [
  ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=64x64:rate=1/60:duration=${HOURS * 3600}`],
  ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '1', join(media, 'long.mp4')],
]);
const redis = await startRedis();
const node = await spawnOrigin({
  MEDIA_ROOT: media,
  REDIS_URL: redis.url,
  REVISION_SECRET: 'bench-plan-memory-0123456789',
  PREWARM_ON_MINT: 'false',
  LOOKAHEAD_SEGMENTS: '0',
});
try {
  const t0 = performance.now();
  const start = rssMb(node.pid);
  console.log(`revisions of a ${HOURS}-hour source: ${count}; RSS at start ${start.toFixed(0)} MB`);
  for (let i = 0; i < count; i++) {
    const minted = await node.mint({ clips: [{ source: 'long.mp4', end: HOURS * 3600 - 60 - i * 0.001 }] });
    const master = await (await node.fetch(minted.hls)).text();
    const media = /^[^#\s].*\.m3u8$/m.exec(master)![0];
    await (await node.fetch(minted.hls.replace('master.m3u8', media))).arrayBuffer();
    if ((i + 1) % Math.max(1, Math.floor(count / 10)) === 0)
      console.log(
        `${i + 1} revisions: RSS ${rssMb(node.pid).toFixed(0)} MB (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
  }
  console.log(`peak RSS ${node.peakRssMb().toFixed(0)} MB, growth ${(rssMb(node.pid) - start).toFixed(0)} MB`);
} finally {
  await node.stop();
  await redis.stop();
  await rm(media, { recursive: true, force: true });
}
