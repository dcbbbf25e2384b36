import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/edits/limits.js';
import { bodyAtTheLimits } from '../helpers/edit-bodies.js';
import type { Overlays } from '../helpers/origin-client.js';
import { startOrigin, TEST_TOKEN, type RunningOrigin } from '../helpers/origin-server.js';

let server: RunningOrigin;
let revision: string;

beforeAll(async () => {
  server = await startOrigin();
  revision = (await server.mint({ clips: [{ source: 'landscape.mp4' }] })).revisionId;
});

afterAll(async () => {
  await server?.close();
});

const json = { 'content-type': 'application/json' };

describe('mint API: bad input', () => {
  it.each([
    ['no token', undefined, '{"clips":[{"source":"landscape.mp4"}]}', 401, 'unauthorized', undefined],
    [
      'wrong token',
      'Bearer nope-nope-nope-nope',
      '{"clips":[{"source":"landscape.mp4"}]}',
      401,
      'unauthorized',
      undefined,
    ],
    [
      'malformed header',
      `Token ${TEST_TOKEN}`,
      '{"clips":[{"source":"landscape.mp4"}]}',
      401,
      'unauthorized',
      undefined,
    ],
    ['not JSON', 'ok', '{clips:', 400, 'bad_json', undefined],
    ['JSON but not an object', 'ok', '[1,2]', 400, 'invalid_field', '(body)'],
    ['no clips', 'ok', '{}', 400, 'invalid_field', 'clips'],
    ['clips not an array', 'ok', '{"clips":"a.mp4"}', 400, 'invalid_field', 'clips'],
    ['path traversal', 'ok', '{"clips":[{"source":"../package.json"}]}', 400, 'invalid_field', 'clips[0].source'],
    ['absolute path', 'ok', '{"clips":[{"source":"/etc/passwd"}]}', 400, 'invalid_field', 'clips[0].source'],
    ['control character', 'ok', '{"clips":[{"source":"a\\u0007.mp4"}]}', 400, 'invalid_field', 'clips[0].source'],
    ['unknown field', 'ok', '{"clips":[{"source":"landscape.mp4"}],"speed":2}', 400, 'invalid_field', 'speed'],
    ['missing object', 'ok', '{"clips":[{"source":"nope.mp4"}]}', 422, 'source_missing', 'clips[0].source'],
    ['not media', 'ok', '{"clips":[{"source":"not-media.txt"}]}', 422, 'source_unusable', 'clips[0].source'],
    [
      'a manifest climbing out of the media root',
      'ok',
      '{"clips":[{"source":"hls/escape.m3u8"}]}',
      422,
      'source_unusable',
      'clips[0].source',
    ],
    [
      'a manifest pointing at a URL',
      'ok',
      '{"clips":[{"source":"hls/remote.m3u8"}]}',
      422,
      'source_unusable',
      'clips[0].source',
    ],
    ['a directory', 'ok', '{"clips":[{"source":"."}]}', 400, 'invalid_field', 'clips[0].source'],
    [
      'an s3:// URL as a source',
      'ok',
      '{"clips":[{"source":"s3://b/landscape.mp4"}]}',
      400,
      'invalid_field',
      'clips[0].source',
    ],
    [
      'a negative start',
      'ok',
      '{"clips":[{"source":"landscape.mp4","start":-1}]}',
      400,
      'invalid_field',
      'clips[0].start',
    ],
    [
      'a start past a 4 s source',
      'ok',
      '{"clips":[{"source":"landscape.mp4","start":5}]}',
      422,
      'invalid_edit',
      'clips[0].start',
    ],
    [
      'a source named like a built-in that is not there',
      'ok',
      '{"clips":[{"source":"constructor"}]}',
      422,
      'source_missing',
      'clips[0].source',
    ],
    [
      '__proto__ as a source that is not there',
      'ok',
      '{"clips":[{"source":"__proto__"}]}',
      422,
      'source_missing',
      'clips[0].source',
    ],
    ['a media folder as a source', 'ok', '{"clips":[{"source":"dash"}]}', 422, 'source_unusable', 'clips[0].source'],
    [
      'end before start',
      'ok',
      '{"clips":[{"source":"landscape.mp4","start":2,"end":1}]}',
      400,
      'invalid_field',
      'clips[0].end',
    ],
    [
      'end past the source',
      'ok',
      '{"clips":[{"source":"landscape.mp4","end":60}]}',
      422,
      'invalid_edit',
      'clips[0].end',
    ],
    [
      'cut outside the clip',
      'ok',
      '{"clips":[{"source":"landscape.mp4","end":2,"cuts":[[1.5,3]]}]}',
      400,
      'invalid_field',
      'clips[0].cuts[0]',
    ],
    [
      'overlapping cuts',
      'ok',
      '{"clips":[{"source":"landscape.mp4","cuts":[[1,2],[1.5,2.5]]}]}',
      400,
      'invalid_field',
      'clips[0].cuts[1]',
    ],
    [
      'overlapping cuts, named as listed',
      'ok',
      '{"clips":[{"source":"landscape.mp4","cuts":[[3,3.5],[1.5,2.5],[1,2]]}]}',
      400,
      'invalid_field',
      'clips[0].cuts[1]',
    ],
    ['cut to nothing', 'ok', '{"clips":[{"source":"landscape.mp4","cuts":[[0,4]]}]}', 422, 'invalid_edit', 'clips[0]'],
    [
      'shorter than one frame',
      'ok',
      '{"clips":[{"source":"landscape.mp4","start":1,"end":1.01}]}',
      422,
      'invalid_edit',
      'clips[0]',
    ],
    [
      'a missing second clip',
      'ok',
      '{"clips":[{"source":"landscape.mp4"},{"source":"nope.mp4"}]}',
      422,
      'source_missing',
      'clips[1].source',
    ],
    [
      'a bad trim on the second clip',
      'ok',
      '{"clips":[{"source":"landscape.mp4"},{"source":"silent.mp4","end":9}]}',
      422,
      'invalid_edit',
      'clips[1].end',
    ],
    [
      'more clips than the limit',
      'ok',
      JSON.stringify({ clips: Array.from({ length: 21 }, () => ({ source: 'landscape.mp4' })) }),
      400,
      'invalid_field',
      'clips',
    ],
    [
      "a clip's noise suppression not a boolean",
      'ok',
      '{"clips":[{"source":"landscape.mp4","noiseSuppression":"on"}]}',
      400,
      'invalid_field',
      'clips[0].noiseSuppression',
    ],
    [
      'an overlay of an unknown kind',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"video","source":"a.mp4"}]}',
      400,
      'invalid_field',
      'overlays[0].kind',
    ],
    [
      'an unknown overlay field',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0,"size":0.1,"font":"Comic"}]}',
      400,
      'invalid_field',
      'overlays[0].font',
    ],
    [
      'a text overlay without a size',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0}]}',
      400,
      'invalid_field',
      'overlays[0].size',
    ],
    [
      'an overlay outside the canvas',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":1.5,"y":0,"size":0.1}]}',
      400,
      'invalid_field',
      'overlays[0].x',
    ],
    [
      'a colour that is not #rrggbb(aa)',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0,"size":0.1,"color":"red"}]}',
      400,
      'invalid_field',
      'overlays[0].color',
    ],
    [
      'an overlay ending past the video',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0,"size":0.1,"end":5}]}',
      422,
      'invalid_edit',
      'overlays[0].end',
    ],
    [
      'an overlay ending before it starts',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0,"size":0.1,"start":2,"end":1}]}',
      400,
      'invalid_field',
      'overlays[0].end',
    ],
    [
      'a stroke of one point',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"drawing","strokes":[{"points":[[0.1,0.1]],"color":"#00ff00","width":0.01}]}]}',
      400,
      'invalid_field',
      'overlays[0].strokes[0].points',
    ],
    [
      'a stroke point off the canvas, as the second overlay',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"text","text":"hi","x":0,"y":0,"size":0.1},{"kind":"drawing","strokes":[{"points":[[0.1,0.1],[0.2,-0.1]],"color":"#00ff00","width":0.01}]}]}',
      400,
      'invalid_field',
      'overlays[1].strokes[0].points[1][1]',
    ],
    [
      'an image that is not there',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"image","source":"brand/nope.png","x":0,"y":0,"width":0.2}]}',
      422,
      'source_missing',
      'overlays[0].source',
    ],
    [
      'an image that is a video',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"image","source":"landscape.mp4","x":0,"y":0,"width":0.2}]}',
      422,
      'source_unusable',
      'overlays[0].source',
    ],
    [
      'an image that is text',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"image","source":"not-media.txt","x":0,"y":0,"width":0.2}]}',
      422,
      'source_unusable',
      'overlays[0].source',
    ],
    [
      'an image key climbing out',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"image","source":"../package.json","x":0,"y":0,"width":0.2}]}',
      400,
      'invalid_field',
      'overlays[0].source',
    ],
    [
      'an image opacity over 1',
      'ok',
      '{"clips":[{"source":"landscape.mp4"}],"overlays":[{"kind":"image","source":"brand/logo.png","x":0,"y":0,"width":0.2,"opacity":2}]}',
      400,
      'invalid_field',
      'overlays[0].opacity',
    ],
    [
      'more overlays than the limit',
      'ok',
      JSON.stringify({
        clips: [{ source: 'landscape.mp4' }],
        overlays: Array.from({ length: 51 }, () => ({ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1 })),
      }),
      400,
      'invalid_field',
      'overlays',
    ],
  ])('%s', async (_name, auth, body, status, code, field) => {
    const headers: Record<string, string> = { ...json };
    if (auth === 'ok') headers.authorization = `Bearer ${TEST_TOKEN}`;
    else if (auth) headers.authorization = auth;
    const res = await server.fetch('/v1/revisions', { method: 'POST', body, headers });
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const payload = (await res.json()) as {
      error: { code: string; message: string; field?: string };
      errors?: Array<{ field: string; message: string; code: string }>;
    };
    expect(payload.error.code).toBe(code);
    expect(payload.error.field).toBe(field);
    expect(payload.error.message.length).toBeGreaterThan(0);
    // A field's problem is also the first of `errors`, in its own words (the message without the field in front).
    if (field)
      expect(payload.errors?.[0]).toEqual({ field, code, message: payload.error.message.slice(field.length + 2) });
    else expect(payload.errors).toBeUndefined();
  });

  it.each([
    ['just over the limit', LIMITS.mintBodyBytes + 1],
    // Sent without Expect: 100-continue: the origin reads it to its end, so the client reads the 413 instead of a
    // reset.
    ['of 10 MB', 10 * 1024 * 1024],
  ])('refuses a body %s with a readable 413', async (_name, size) => {
    const body = JSON.stringify({ clips: [{ source: 'landscape.mp4' }], pad: 'x'.repeat(size) });
    const res = await server.fetch('/v1/revisions', { method: 'POST', api: true, body, headers: json });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
  });
});

describe('mint API: errors that teach', () => {
  const mint = (body: string) => server.fetch('/v1/revisions', { method: 'POST', api: true, body, headers: json });
  type Payload = { error: { code: string; message: string; field?: string }; errors?: Array<Record<string, string>> };

  it('says where a body stops being JSON', async () => {
    const res = await mint('{\n  "clips": [\n    {"source": "landscape.mp4",}\n  ]\n}');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Payload).error).toEqual({
      code: 'bad_json',
      message: 'invalid JSON at line 3, column 32: expected a property name in double quotes (no comma before })',
    });
  });

  it('reports every problem of a body at once, in plain words', async () => {
    const res = await mint(
      JSON.stringify({
        clips: [
          { source: 's3://media/landscape.mp4', cuts: [[1, 2], 3] },
          { source: 'portrait.mp4', start: 2, end: 1 },
        ],
        overlays: [{ kind: 'drawing', strokes: [{ points: [[0.1, 0.1], [0.2]], color: '#00ff00', width: 0.01 }] }],
      }),
    );
    expect(res.status).toBe(400);
    const payload = (await res.json()) as Payload;
    expect(payload.errors).toEqual([
      {
        field: 'clips[0].source',
        code: 'invalid_field',
        message:
          'a source is an object key relative to MEDIA_ROOT or the bucket, not a URL (for s3://media/landscape.mp4, send "landscape.mp4")',
      },
      { field: 'clips[0].cuts[1]', code: 'invalid_field', message: 'a cut is [from, to] in source seconds' },
      { field: 'clips[1].end', code: 'invalid_field', message: 'must be after start (2 s)' },
      {
        field: 'overlays[0].strokes[0].points[1]',
        code: 'invalid_field',
        message: 'a point is [x, y], fractions of the canvas width and height in [0, 1]',
      },
    ]);
    expect(payload.error).toEqual({
      code: 'invalid_field',
      field: 'clips[0].source',
      message: `clips[0].source: ${payload.errors![0]!.message} (and 3 more: see errors)`,
    });
  });

  it('reports every source these edits cannot use at once (422), each with its code', async () => {
    const res = await mint(
      JSON.stringify({
        clips: [{ source: 'nope.mp4' }, { source: 'landscape.mp4' }, { source: 'not-media.txt' }],
      }),
    );
    expect(res.status).toBe(422);
    const payload = (await res.json()) as Payload;
    expect(payload.errors?.map((e) => [e.field, e.code])).toEqual([
      ['clips[0].source', 'source_missing'],
      ['clips[2].source', 'source_unusable'],
    ]);
    expect(payload.error.code).toBe('source_missing');
  });

  it('reports every trim these sources cannot make at once (422)', async () => {
    const res = await mint(
      JSON.stringify({
        clips: [
          { source: 'landscape.mp4', start: 5 },
          { source: 'portrait.mp4', end: 9 },
        ],
      }),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as Payload).errors?.map((e) => [e.field, e.code])).toEqual([
      ['clips[0].start', 'invalid_edit'],
      ['clips[1].end', 'invalid_edit'],
    ]);
  });

  it('mints a body at every limit at once (cuts, clips, overlays, strokes and drawing points)', async () => {
    const body = JSON.stringify(bodyAtTheLimits({ source: 'landscape.mp4', seconds: 4 }));
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    const res = await mint(body);
    expect(res.status).toBe(201);
  });
});

describe('mint API: revisions', () => {
  it('mints 201 once, then 200 with the same id', async () => {
    const body = JSON.stringify({ clips: [{ source: 'portrait.mp4' }] });
    const first = await server.fetch('/v1/revisions', { method: 'POST', api: true, body, headers: json });
    const again = await server.fetch('/v1/revisions', { method: 'POST', api: true, body, headers: json });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const a = (await first.json()) as Record<string, unknown>;
    const b = (await again.json()) as Record<string, unknown>;
    expect(b).toEqual(a);
    expect(a).toMatchObject({ hls: `/play/${a.revisionId}/master.m3u8`, dash: `/play/${a.revisionId}/manifest.mpd` });
    expect(a.duration).toBeCloseTo(3, 1);
  });

  it('returns what was stored, behind the token (through the typed client, which checks the answer)', async () => {
    const record = await server.api.getRevision(revision);
    expect(record.id).toBe(revision);
    // Where it plays and how long it is, as mint answered.
    expect(record).toMatchObject({
      revisionId: revision,
      hls: `/play/${revision}/master.m3u8`,
      dash: `/play/${revision}/manifest.mpd`,
      duration: expect.closeTo(4, 1),
    });
    expect(record.edits).toEqual({ clips: [{ source: 'landscape.mp4' }], noiseSuppression: false, overlays: [] });
    expect(record.sources['landscape.mp4']!.video.width).toBe(1280);
    expect((await server.fetch(`/v1/revisions/${revision}`)).status).toBe(401);
    await expect(server.api.getRevision('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({
      status: 404,
      code: 'revision_not_found',
    });
  });

  it('takes noise suppression on the revision with a clip override, in the canonical edits it shows', async () => {
    const minted = await server.mint({
      noiseSuppression: true,
      clips: [{ source: 'portrait.mp4', noiseSuppression: false }, { source: 'landscape.mp4' }],
    });
    const same = await server.mint({
      clips: [{ source: 'portrait.mp4' }, { source: 'landscape.mp4', noiseSuppression: true }],
    });
    expect(same.revisionId).toBe(minted.revisionId);
    const record = await server.api.getRevision(minted.revisionId);
    expect(record.edits).toEqual({
      noiseSuppression: false,
      clips: [{ source: 'portrait.mp4' }, { source: 'landscape.mp4', noiseSuppression: true }],
      overlays: [],
    });
  });

  it('takes overlays into the revision id, one spelling per overlay, and shows them', async () => {
    const text = { kind: 'text' as const, text: 'Hi', x: 0.1, y: 0.1, size: 0.1, start: 1, end: 2 };
    // prettier-ignore
    const line = (color: string) => ({ points: [[0.1, 0.5], [0.6, 0.5]] as Array<[number, number]>, color, width: 0.02 });
    const canonical: Overlays = [
      { ...text, background: '#000000b3' },
      { kind: 'image', source: 'brand/logo.png', x: 0.7, y: 0, width: 0.25 },
      { kind: 'drawing', strokes: [line('#00ff00')] },
    ];
    const minted = await server.mint({
      clips: [{ source: 'landscape.mp4' }],
      overlays: [
        // Upper-case colours, an opaque alpha, and defaults spelled out: the same overlays.
        { ...text, color: '#FFFFFFFF', background: '#000000B3' },
        { kind: 'image', source: 'brand/logo.png', x: 0.7, y: 0, width: 0.25, opacity: 1, start: 0 },
        { kind: 'drawing', strokes: [line('#00FF00')] },
      ],
    });
    const same = await server.mint({ clips: [{ source: 'landscape.mp4' }], overlays: canonical });
    expect(same.revisionId).toBe(minted.revisionId);
    expect(minted.revisionId).not.toBe(revision);
    expect((await server.api.getRevision(minted.revisionId)).edits.overlays).toEqual(canonical);
  });
});

describe('the API description', () => {
  it('is served without a token, as checked in', async () => {
    const res = await server.fetch('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  });

  it('describes every route the origin serves, and the origin serves every path it describes', async () => {
    const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    // A described path with its placeholders filled, and the route patterns of the app (`:x` matches one segment).
    const example = (path: string) =>
      path
        .replace('{revisionId}', revision)
        .replace('{rendition}', '360p')
        .replace('{index}', '0')
        .replace('{width}', '320')
        .replace('{time}', '1');
    const pattern = (route: string) => new RegExp(`^${route.replace(/:\w+/g, '[^/]+').replace(/\*/g, '.*')}$`);
    // The playground (`/`, `/playground/*`) is a page for trying the product locally, not part of the API.
    const routes = server.origin.app.routes.filter(
      (r) => r.method !== 'ALL' && r.path !== '/' && !r.path.startsWith('/playground'),
    );
    for (const { method, path } of routes) {
      const described = Object.entries(doc.paths).filter(
        ([p, ops]) => method.toLowerCase() in ops && pattern(path).test(example(p)),
      );
      expect(described.length, `${method} ${path} is served but not described`).toBeGreaterThan(0);
    }
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        const served = routes.some(
          (r) => r.method.toLowerCase() === (method === 'head' ? 'get' : method) && pattern(r.path).test(example(path)),
        );
        expect(served, `${method} ${path} is described but not served`).toBe(true);
      }
    }
  });
});

describe('playback: headers', () => {
  it('serves playlists with immutable caching, an ETag, CORS and the HLS content type', async () => {
    const res = await server.fetch(`/play/${revision}/master.m3u8`, { headers: { origin: 'https://player.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400, immutable');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers HEAD, If-None-Match and Range on segments without changing the bytes', async () => {
    const path = `/play/${revision}/360p/0.m4s`;
    const full = await server.fetch(path);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    const body = Buffer.from(await full.arrayBuffer());
    const etag = full.headers.get('etag')!;

    const head = await server.fetch(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.headers.get('x-origin-cache')).toBe('hit');
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    expect((await server.fetch(path, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const ranged = await server.fetch(path, { headers: { range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);

    const beyond = await server.fetch(path, { headers: { range: `bytes=${body.length}-` } });
    expect(beyond.status).toBe(416);
  });

  it('serves the DASH manifest with its content type and the same caching', async () => {
    const res = await server.fetch(`/play/${revision}/manifest.mpd`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400, immutable');
    expect(await res.text()).toContain('<MPD');
  });

  it('serves audio with the audio content type', async () => {
    const res = await server.fetch(`/play/${revision}/audio/init.mp4`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mp4');
  });

  it('answers CORS preflight for range requests', async () => {
    const res = await server.fetch(`/play/${revision}/360p/0.m4s`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://player.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('range');
  });
});

describe('playback: garbage paths', () => {
  it.each([
    ['unknown revision', '/play/AAAAAAAAAAAAAAAAAAAAAA/master.m3u8', 404, 'revision_not_found'],
    ['malformed revision', '/play/..%2F..%2Fetc/master.m3u8', 404, 'revision_not_found'],
    ['unknown rendition playlist', '/play/{rev}/999p.m3u8', 404, 'not_found'],
    ['unknown rendition segment', '/play/{rev}/999p/0.m4s', 404, 'not_found'],
    ['unknown rendition init', '/play/{rev}/4k/init.mp4', 404, 'not_found'],
    ['index out of range', '/play/{rev}/360p/99999.m4s', 404, 'not_found'],
    ['negative index', '/play/{rev}/360p/-1.m4s', 400, 'bad_path'],
    ['an index with a leading zero (a second name for segment 0)', '/play/{rev}/360p/00.m4s', 400, 'bad_path'],
    ['non-numeric index', '/play/{rev}/360p/abc.m4s', 400, 'bad_path'],
    ['fractional index', '/play/{rev}/360p/1.5.m4s', 400, 'bad_path'],
    ['wrong extension', '/play/{rev}/360p/0.ts', 400, 'bad_path'],
    ['unknown file', '/play/{rev}/index.html', 404, 'not_found'],
    ['too deep', '/play/{rev}/360p/0/1.m4s', 404, 'not_found'],
  ])('%s', async (_name, pattern, status, code) => {
    const res = await server.fetch(pattern.replace('{rev}', revision));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    // Revisions are immutable, so "not found" is stable: a CDN may keep it briefly, never for a day.
    expect(res.headers.get('cache-control')).toBe('public, max-age=10');
  });
});

describe('playback: playlists', () => {
  it('are rendered from the stored probe data without running ffmpeg', async () => {
    const fresh = await startOrigin();
    try {
      const minted = await fresh.mint({ clips: [{ source: 'recorder.webm' }] });
      let spawned = 0;
      const run = fresh.origin.runner.run.bind(fresh.origin.runner);
      fresh.origin.runner.run = (command, args, options) => {
        spawned += 1;
        return run(command, args, options);
      };
      const master = await (await fresh.fetch(minted.hls)).text();
      const variants = master.split('\n').filter((l) => l.endsWith('.m3u8') && !l.startsWith('#'));
      expect(variants.length).toBeGreaterThanOrEqual(2);
      for (const v of [...variants, 'audio.m3u8']) {
        expect((await fresh.fetch(minted.hls.replace('master.m3u8', v))).status).toBe(200);
      }
      expect(spawned).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});

describe('playback: load and cleanup', () => {
  it('answers 503 + Retry-After + no-store beyond the job queue, and leaves no process or file', async () => {
    const tight = await startOrigin({ JOB_CONCURRENCY: '1', JOB_QUEUE_LIMIT: '0' });
    try {
      const id = (await tight.mint({ clips: [{ source: 'landscape.mp4' }] })).revisionId;
      const responses = await Promise.all(['720p', '480p', '360p'].map((r) => tight.fetch(`/play/${id}/${r}/0.m4s`)));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 503, 503]);
      for (const res of responses.filter((r) => r.status === 503)) {
        expect(res.headers.get('retry-after')).toBe('2');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('overloaded');
      }
      expect(tight.origin.runner.running).toBe(0);
    } finally {
      await tight.close();
    }
    expect(tight.origin.runner.running).toBe(0);
    await expect(readdir(tight.origin.workDir)).rejects.toThrow(/ENOENT/);
  });

  it('runs ffmpeg once for fifty concurrent requests of one cold segment', async () => {
    // No lookahead here: it would (rightly) start a run for the next segment too.
    const fresh = await startOrigin({ LOOKAHEAD_SEGMENTS: '0' });
    try {
      const id = (await fresh.mint({ clips: [{ source: 'landscape.mp4' }] })).revisionId;
      let spawned = 0;
      const run = fresh.origin.runner.run.bind(fresh.origin.runner);
      fresh.origin.runner.run = (command, args, options) => {
        spawned += 1;
        return run(command, args, options);
      };
      const responses = await Promise.all(Array.from({ length: 50 }, () => fresh.fetch(`/play/${id}/480p/0.m4s`)));
      const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.arrayBuffer())));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(spawned).toBe(1);
      expect(new Set(bodies.map((b) => b.toString('base64'))).size).toBe(1);
      const kinds = responses.map((r) => r.headers.get('x-origin-cache'));
      expect(kinds.filter((k) => k === 'miss')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'coalesced')).toHaveLength(49);
      const again = await fresh.fetch(`/play/${id}/480p/0.m4s`);
      expect(again.headers.get('x-origin-cache')).toBe('hit');
      expect(spawned).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('playback behind the CDN (ORIGIN_VERIFY_SECRET)', () => {
  const SECRET = 'verify-secret-0123456789abcdef';
  let guarded: RunningOrigin;
  let master: string;

  beforeAll(async () => {
    guarded = await startOrigin({ ORIGIN_VERIFY_SECRET: SECRET });
    master = (await guarded.mint({ clips: [{ source: 'landscape.mp4' }] })).hls;
  });

  afterAll(async () => {
    await guarded?.close();
  });

  it.each([
    ['no header', undefined],
    ['a wrong value', 'verify-secret-0123456789abcdeX'],
    ['a prefix of the secret', SECRET.slice(0, 10)],
    ['the secret with more after it', `${SECRET}x`],
  ])('refuses /play/* with %s: 403 forbidden, never cached', async (_name, value) => {
    const res = await guarded.fetch(master, { headers: value === undefined ? {} : { 'x-origin-verify': value } });
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('serves /play/* with the secret, and leaves the API and /healthz to their own rules', async () => {
    expect((await guarded.fetch(master, { headers: { 'x-origin-verify': SECRET } })).status).toBe(200);
    expect((await guarded.fetch('/healthz')).status).toBe(200);
    expect((await guarded.fetch('/v1/revisions/AAAAAAAAAAAAAAAAAAAAAA', { api: true })).status).toBe(404);
  });
});
