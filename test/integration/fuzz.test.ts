import { cp, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3 } from '../helpers/s3-server.js';
import { FIXTURES, startOrigin, TEST_TOKEN, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * Hostile input, generated: hundreds of mint bodies and playback requests in the spirit of what a
 * careless or hostile client sends — wrong types, out-of-range numbers, encodings, traversal,
 * prototype keys, huge and nested JSON, disguised files, hostile manifests. None may produce a 5xx or
 * a slow answer, every error must be the documented JSON with the documented cache headers, and a
 * canary listener must never hear from ffprobe or ffmpeg.
 */
let media: string;
let server: RunningOrigin;
let canary: Server;
let canaryHits = 0;
let canaryUrl = '';
let revision = '';
const DEADLINE_MS = 5000;

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Files that are not what their names say, pointing at the canary or outside the media root. */
function disguisedFiles(): Record<string, string> {
  return {
    'playlist.mp4': `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${canaryUrl}/a.ts\n#EXT-X-ENDLIST\n`,
    'file-playlist.mp4': '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
    'mpd.webm': `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><BaseURL>${canaryUrl}/</BaseURL><Period><AdaptationSet><Representation id="1" bandwidth="1"><SegmentList duration="1"><SegmentURL media="a.webm"/></SegmentList></Representation></AdaptationSet></Period></MPD>`,
    'concat.mov': `ffconcat version 1.0\nfile ${canaryUrl}/a.mp4\n`,
    'remote.m3u8': `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${canaryUrl}/chunk.ts\n#EXT-X-ENDLIST\n`,
    'based.mpd': `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S"><BaseURL>${canaryUrl}/</BaseURL><Period><AdaptationSet contentType="video" startWithSAP="1"><Representation id="v" bandwidth="1"><SegmentList duration="1"><Initialization sourceURL="init.webm"/><SegmentURL media="a.webm"/></SegmentList></Representation></AdaptationSet></Period></MPD>`,
    'escape.m3u8': '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n../../../../etc/passwd\n#EXT-X-ENDLIST\n',
    'encoded.m3u8':
      '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n%2e%2e/%2e%2e/etc/passwd\n#EXTINF:1,\nchunk%zz.ts\n#EXT-X-ENDLIST\n',
    'bomb.mpd':
      '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period><AdaptationSet contentType="video" startWithSAP="1"><Representation id="v" bandwidth="1"><SegmentTemplate timescale="1" media="c$Number$.webm"><SegmentTimeline><S t="0" d="1" r="3000000"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>',
    'empty.mp4': '',
    'text.webm': 'hello',
  };
}

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits += 1;
    res.end('#EXTM3U\n');
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}`;
  media = await mkdtemp(join(tmpdir(), 'avserver-fuzz-'));
  for (const f of ['landscape.mp4', 'recorder.webm', 'silent.mp4']) await copyFile(join(FIXTURES, f), join(media, f));
  await cp(join(FIXTURES, 'dash'), join(media, 'dash'), { recursive: true });
  const disguised = disguisedFiles();
  for (const [name, text] of Object.entries(disguised)) await writeFile(join(media, name), text);
  server = await startOrigin({ MEDIA_ROOT: media, REQUEST_WAIT_MS: String(DEADLINE_MS - 1000) });
  revision = (await server.mint({ clips: [{ source: 'landscape.mp4' }] })).revisionId;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await new Promise((r) => canary?.close(r));
  if (media) await rm(media, { recursive: true, force: true });
});

/** Hostile values for any field. */
function hostileValues(): unknown[] {
  return [
    null,
    true,
    false,
    0,
    -1,
    -0,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 1,
    'NaN',
    'Infinity',
    '1e999',
    '',
    ' ',
    '0x10',
    {},
    [],
    [[]],
    [null],
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__":{"polluted":true}}'),
    'x'.repeat(5000),
    '\u0000',
    '\u202e.mp4',
    '😀.mp4',
    'a\nb.mp4',
    '../../etc/passwd',
    '/etc/passwd',
    'C:\\x.mp4',
    'constructor',
    '__proto__',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'prototype',
    '%2e%2e/landscape.mp4',
    'dash/../../x.mp4',
    './landscape.mp4',
    'landscape.mp4/',
    '//landscape.mp4',
    `${canaryUrl}/a.mp4`,
    'file:///etc/passwd',
    'concat:landscape.mp4|landscape.mp4',
    'pipe:0',
    'data:video/mp4;base64,AAAA',
    'playlist.mp4',
    'file-playlist.mp4',
    'mpd.webm',
    'concat.mov',
    'remote.m3u8',
    'based.mpd',
    'escape.m3u8',
    'encoded.m3u8',
    'bomb.mpd',
    'empty.mp4',
    'text.webm',
    'dash',
    'dash/',
    '.',
    '..',
  ];
}

/** Mint bodies: the valid one mutated at every field with every hostile value, and whole-body oddities. */
function mintBodies(): string[] {
  const pick = random(7);
  const values = hostileValues();
  const bodies: string[] = [];
  const base = () => ({
    clips: [{ source: 'landscape.mp4', start: 0.5, end: 3, cuts: [[1, 1.5]] as unknown }] as Array<
      Record<string, unknown>
    >,
    noiseSuppression: false as unknown,
    overlays: [] as unknown,
  });
  const setters: Array<(b: ReturnType<typeof base>, v: unknown) => void> = [
    (b, v) => (b.clips[0]!.source = v),
    (b, v) => (b.clips[0]!.start = v),
    (b, v) => (b.clips[0]!.end = v),
    (b, v) => (b.clips[0]!.cuts = v),
    (b, v) => (b.clips[0]!.cuts = [v]),
    (b, v) => (b.clips[0]!.cuts = [[1, v]]),
    (b, v) => (b.clips[0]!.noiseSuppression = v),
    (b, v) => (b.noiseSuppression = v),
    (b, v) => (b.overlays = v),
    (b, v) => (b.overlays = [v]),
    (b, v) => ((b as Record<string, unknown>).clips = v),
    (b, v) => ((b.clips as unknown[])[1] = v),
    (b, v) => (b.clips[0]![String(v).slice(0, 40)] = 1),
  ];
  for (const set of setters) {
    for (let i = 0; i < 25; i++) {
      const body = base();
      set(body, values[Math.floor(pick() * values.length)]);
      bodies.push(JSON.stringify(body));
    }
  }
  for (const source of values.filter((v) => typeof v === 'string'))
    bodies.push(JSON.stringify({ clips: [{ source }] }));
  bodies.push(
    '',
    'null',
    '[]',
    '"clips"',
    '{',
    '{"clips":',
    '{"clips":[{"source":"landscape.mp4"}]',
    '\u0000',
    '{"clips":[{"source":"landscape.mp4"}],"clips":[]}',
    '{"__proto__":{"clips":[{"source":"landscape.mp4"}]}}',
    '{"constructor":{"prototype":{"x":1}},"clips":[{"source":"landscape.mp4"}]}',
    `{"clips":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    `{"clips":[{"source":"landscape.mp4","x":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}]}`,
    JSON.stringify({ clips: Array.from({ length: 5000 }, () => ({ source: 'landscape.mp4' })) }),
    JSON.stringify({
      clips: [
        { source: 'landscape.mp4', cuts: Array.from({ length: 5000 }, (_, i) => [i / 10000, i / 10000 + 0.00001]) },
      ],
    }),
    JSON.stringify({ clips: [{ source: 'landscape.mp4', start: 3.999, end: 4 }] }),
    JSON.stringify({ clips: [{ source: 'landscape.mp4', cuts: [[0, 4]] }] }),
    JSON.stringify({ clips: [{ source: 'landscape.mp4', end: 86_401 }] }),
  );
  return bodies;
}

/** Playback requests: hostile ids, renditions, file names, methods and headers around a real revision. */
function playbackRequests(): Array<{ method: string; path: string; headers: Record<string, string> }> {
  const pick = random(11);
  const one = <T>(list: readonly T[]) => list[Math.floor(pick() * list.length)]!;
  const ids = [
    revision,
    'AAAAAAAAAAAAAAAAAAAAAA',
    revision.slice(1),
    `${revision}x`,
    '..',
    '%2e%2e',
    'constructor',
    '__proto__',
    'x'.repeat(300),
    '😀',
    '%00',
  ];
  const renditions = [
    '480p',
    '720p',
    'audio',
    '9999p',
    'AUDIO',
    '..',
    '%2e%2e',
    'constructor',
    '__proto__',
    'x'.repeat(100),
    '480p%00',
    '',
  ];
  const files = [
    '0.m4s',
    '00.m4s',
    '-1.m4s',
    '1.5.m4s',
    '0x1.m4s',
    '99999999999.m4s',
    '1e3.m4s',
    'init.mp4',
    'INIT.mp4',
    '0.m4s%00',
    '../master.m3u8',
    '%2e%2e%2fmaster.m3u8',
    '0.m4s?x=1',
  ];
  const tops = [
    'master.m3u8',
    'manifest.mpd',
    '480p.m3u8',
    'audio.m3u8',
    '..%2f..%2fpackage.json',
    'master.m3u8%00',
    '.m3u8',
    'x.m3u8',
    '__proto__.m3u8',
  ];
  const headers = [
    {},
    { range: 'bytes=999999999999999999999-' },
    { range: 'bytes=-' },
    { range: 'bytes=0-0,5-6' },
    { range: 'garbage' },
    { range: 'bytes=5-2' },
    { 'if-none-match': 'x'.repeat(8000) },
    { 'if-range': '"nope"', range: 'bytes=0-10' },
  ];
  const requests = [];
  for (let i = 0; i < 140; i++) {
    const path = pick() < 0.4 ? `/play/${one(ids)}/${one(tops)}` : `/play/${one(ids)}/${one(renditions)}/${one(files)}`;
    requests.push({
      method: one(['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']),
      path,
      headers: one(headers) as Record<string, string>,
    });
  }
  return requests;
}

function expectErrorShape(body: string, status: number, context: string): void {
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  expect(typeof parsed.error?.code, `${context}: ${status} ${body.slice(0, 200)}`).toBe('string');
  expect(typeof parsed.error?.message, context).toBe('string');
  if (parsed.error?.field !== undefined) expect(typeof parsed.error.field, context).toBe('string');
}

describe('fuzzing', () => {
  it(
    'answers 300+ hostile mint bodies with a 4xx in the documented shape, never a 5xx, in time',
    {
      timeout: 300_000,
    },
    async () => {
      const bodies = mintBodies();
      expect(bodies.length).toBeGreaterThanOrEqual(300);
      for (const body of bodies) {
        const t0 = performance.now();
        const res = await fetch(`${server.baseUrl}/v1/revisions`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        });
        const text = await res.text();
        const context = body.slice(0, 200);
        expect(performance.now() - t0, context).toBeLessThan(DEADLINE_MS);
        expect(res.status, `${context} → ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(res.headers.get('cache-control'), context).toBe('no-store');
        if (res.status >= 400) expectErrorShape(text, res.status, context);
      }
      expect(canaryHits).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it(
    'answers 100+ hostile playback requests without a 5xx, with errors in the documented shape and cache headers',
    {
      timeout: 300_000,
    },
    async () => {
      for (const { method, path, headers } of playbackRequests()) {
        const t0 = performance.now();
        const res = await fetch(`${server.baseUrl}${path}`, { method, headers });
        const text = await res.text();
        const context = `${method} ${path} ${JSON.stringify(headers).slice(0, 80)}`;
        expect(performance.now() - t0, context).toBeLessThan(DEADLINE_MS);
        expect(res.status, `${context} → ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400 && method !== 'HEAD') {
          expectErrorShape(text, res.status, context);
          // Errors a CDN may keep a little: the path names nothing. Never a range error or a transient one.
          const cache = res.headers.get('cache-control');
          if (res.status === 416 || res.status === 409) expect(cache, context).toBe('no-store');
          else expect(['public, max-age=10', 'no-store'], context).toContain(cache);
        }
      }
      expect(canaryHits).toBe(0);
    },
  );
});

describe('disguised objects in S3', () => {
  it('are refused at mint without ffprobe or ffmpeg requesting any URL they name', { timeout: 120_000 }, async () => {
    const s3 = await startS3();
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    const origin = await startOrigin({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint });
    const before = canaryHits;
    try {
      for (const [name, text] of Object.entries(disguisedFiles())) {
        await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `upload/${name}`, Body: text }));
        const res = await origin.fetch('/v1/revisions', {
          method: 'POST',
          api: true,
          body: JSON.stringify({ clips: [{ source: `upload/${name}` }] }),
          headers: { 'content-type': 'application/json' },
        });
        const text2 = await res.text();
        expect(res.status, `${name} → ${text2}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} → ${text2}`).toBeLessThan(500);
        expectErrorShape(text2, res.status, name);
      }
      expect(canaryHits - before).toBe(0);
    } finally {
      await origin.close();
      await s3.stop();
    }
  });
});
