/**
 * Proves the headless-browser playback harness against media made by ffmpeg itself
 * (so a failure here is the harness's, not avserver's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { descendants } from './browser-launch.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  closeBrowser,
  mseSupport,
  playDash,
  playerPageOrigin,
  playHls,
  type PlayResult,
} from './browser-player.js';

const run = promisify(execFile);

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

/** Static file server with permissive CORS (none under /nocors/...); records every request path. */
async function serveDir(root: string): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const noCors = urlPath.startsWith('/nocors/');
    if (noCors) urlPath = urlPath.slice('/nocors'.length);
    const cors: Record<string, string> = noCors
      ? {}
      : {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': '*',
          'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    requests.push(urlPath);
    const file = normalize(join(root, urlPath));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403, cors).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res
          .writeHead(200, {
            ...cors,
            'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
            'content-length': body.length,
          })
          .end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(404, cors).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, requests };
}

// 6 s of 640x360 + 320x180 H.264 (High) with AAC-LC 48 kHz, 2 s GOPs/segments.
const SRC = [
  '-hide_banner',
  '-loglevel',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=640x360:rate=30',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=48000',
  '-t',
  '6',
  '-filter_complex',
  '[0:v]split=2[a][b];[b]scale=320:180[b2]',
];
const ENC = [
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-profile:v',
  'high',
  '-pix_fmt',
  'yuv420p',
  '-g',
  '60',
  '-keyint_min',
  '60',
  '-sc_threshold',
  '0',
  '-b:v:0',
  '800k',
  '-b:v:1',
  '300k',
  '-c:a',
  'aac',
  '-ar',
  '48000',
  '-b:a',
  '96k',
];

function describeFailure(r: PlayResult): string {
  return `${JSON.stringify({ ...r, log: undefined }, null, 1)}\n${r.log.join('\n')}`;
}

describe('browser-player harness (ffmpeg-made media)', () => {
  let dir = '';
  let media: Awaited<ReturnType<typeof serveDir>> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avserver-bp-'));
    await Promise.all([mkdir(join(dir, 'hls')), mkdir(join(dir, 'dash'))]);
    await Promise.all([
      run('ffmpeg', [
        ...SRC,
        '-map',
        '[a]',
        '-map',
        '[b2]',
        '-map',
        '1:a',
        '-map',
        '1:a',
        ...ENC,
        '-f',
        'hls',
        '-hls_time',
        '2',
        '-hls_playlist_type',
        'vod',
        '-hls_segment_type',
        'fmp4',
        '-hls_segment_filename',
        join(dir, 'hls', 'v%v_%03d.m4s'),
        '-hls_fmp4_init_filename',
        'init.mp4',
        '-master_pl_name',
        'master.m3u8',
        '-var_stream_map',
        'v:0,a:0 v:1,a:1',
        join(dir, 'hls', 'v%v.m3u8'),
      ]),
      run('ffmpeg', [
        ...SRC,
        '-map',
        '[a]',
        '-map',
        '[b2]',
        '-map',
        '1:a',
        ...ENC,
        '-f',
        'dash',
        '-seg_duration',
        '2',
        '-use_template',
        '1',
        '-use_timeline',
        '1',
        '-adaptation_sets',
        'id=0,streams=v id=1,streams=a',
        join(dir, 'dash', 'manifest.mpd'),
      ]),
    ]);
    media = await serveDir(dir);
  }, 30_000);

  afterAll(async () => {
    await closeBrowser();
    if (media) {
      media.server.closeAllConnections();
      await new Promise<void>((resolve) => media!.server.close(() => resolve()));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 20_000);

  it('chromium supports H.264 High + AAC-LC over MSE', async () => {
    const s = await mseSupport(['video/mp4; codecs="avc1.64001f"', 'audio/mp4; codecs="mp4a.40.2"']);
    expect(s).toEqual({ 'video/mp4; codecs="avc1.64001f"': true, 'audio/mp4; codecs="mp4a.40.2"': true });
  }, 20_000);

  it('player page is on a different origin than the media server', async () => {
    expect(await playerPageOrigin()).not.toBe(media!.origin);
  }, 10_000);

  it('plays the HLS fMP4 ladder to the end with hls.js, switching between both renditions', async () => {
    const r = await playHls(`${media!.origin}/hls/master.m3u8`, { switchEveryMs: 1500, timeoutMs: 25_000 });
    const why = describeFailure(r);
    expect(r.errors, why).toEqual([]);
    expect(r.stalls, why).toBe(0);
    expect(r.ended, why).toBe(true);
    expect(r.duration, why).toBeGreaterThan(5.5);
    expect(r.currentTime, why).toBeGreaterThan(5.5);
    expect(r.levelsPlayed.length, why).toBeGreaterThanOrEqual(2);
    // both renditions' media segments were really fetched (cross-origin)
    expect(
      media!.requests.some((p) => /\/hls\/v0_\d+\.m4s$/.test(p)),
      why,
    ).toBe(true);
    expect(
      media!.requests.some((p) => /\/hls\/v1_\d+\.m4s$/.test(p)),
      why,
    ).toBe(true);
  }, 40_000);

  it('plays the DASH MPD to the end with Shaka Player', async () => {
    const r = await playDash(`${media!.origin}/dash/manifest.mpd`, { timeoutMs: 25_000 });
    const why = describeFailure(r);
    expect(r.errors, why).toEqual([]);
    expect(r.stalls, why).toBe(0);
    expect(r.ended, why).toBe(true);
    expect(r.currentTime, why).toBeGreaterThan(5.5);
    expect(r.levelsPlayed.length, why).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('exercises CORS: the same stream without Access-Control-Allow-Origin fails', async () => {
    const r = await playHls(`${media!.origin}/nocors/hls/master.m3u8`, { timeoutMs: 20_000 });
    expect(r.ended).toBe(false);
    expect(r.errors, describeFailure(r)).toContain('networkError/manifestLoadError/fatal');
    expect(
      r.log.some((l) => l.includes('blocked by CORS policy')),
      describeFailure(r),
    ).toBe(true);
  }, 30_000);

  it('reports a missing stream as a fatal error instead of hanging', async () => {
    const t0 = Date.now();
    const r = await playHls(`${media!.origin}/hls/nope.m3u8`, { timeoutMs: 20_000 });
    expect(r.ended).toBe(false);
    expect(
      r.errors.some((e) => e.startsWith('networkError/manifestLoadError') && e.endsWith('/fatal')),
      describeFailure(r),
    ).toBe(true);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 30_000);

  // Last: it closes the shared browser (afterAll's closeBrowser() is then a no-op).
  it('runs Debian chromium with the harness flags, and closeBrowser() leaves no chromium process behind', async () => {
    expect(CHROMIUM_PATH).toBe('/usr/bin/chromium');
    await mseSupport(['video/mp4']); // make sure the shared browser is up
    const argv = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    };
    // The browser is a child of this worker (playwright spawns it); its renderers etc. are below it.
    const browsers = descendants(process.pid).filter((pid) => argv(pid).includes('--remote-debugging-pipe'));
    expect(browsers).toHaveLength(1);
    const browserArgv = argv(browsers[0]!);
    expect(browserArgv[0]).toMatch(/\/chromium$/);
    for (const arg of [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      ...CHROMIUM_ARGS,
    ]) {
      expect(browserArgv).toContain(arg);
    }
    const tree = [browsers[0]!, ...descendants(browsers[0]!)];
    expect(tree.length).toBeGreaterThan(1);

    await closeBrowser();
    expect(tree.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(descendants(process.pid).filter((pid) => argv(pid)[0]?.includes('chromium'))).toEqual([]);
  }, 30_000);
});
