import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ErrorCode, OriginError, fieldErrors } from '../errors.js';
import type { Edge } from './edge.js';
import { errorResponse } from './error-response.js';

/** An app whose every request throws `err`, answered as a playback path (`cacheable`) or an API path. */
async function answer(err: unknown, cacheable = false) {
  const app = new Hono<Edge>();
  app.get('/', () => {
    throw err;
  });
  app.onError((e, c) => errorResponse(c, e, { notFoundMaxAge: 10, cacheable }));
  const res = await app.request('/');
  return { res, body: (await res.json()) as { error: Record<string, string>; errors?: unknown[] } };
}

/** The codes docs/errors.md lists, with their statuses: the page and the code must not drift apart. */
const DOCUMENTED = [
  ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(/^\| (\d{3}) \| `(\w+)` \|/gm),
].map(([, status, code]) => [code!, Number(status)] as const);

describe('error codes as HTTP', () => {
  it('docs/errors.md lists every code, and no code that does not exist', () => {
    expect(DOCUMENTED.map(([code]) => code).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it.each(DOCUMENTED)('%s is %i, as docs/errors.md says', async (code, status) => {
    const { res, body } = await answer(new OriginError(code as ErrorCode, 'x'));
    expect(res.status).toBe(status);
    expect(body.error.code).toBe(code);
  });

  it.each([
    // [code, cacheable path, Cache-Control, Retry-After]
    [ErrorCode.RevisionNotFound, true, 'public, max-age=10', null],
    [ErrorCode.BadPath, true, 'public, max-age=10', null],
    [ErrorCode.RevisionNotFound, false, 'no-store', null],
    [ErrorCode.Forbidden, true, 'no-store', null],
    [ErrorCode.SourceChanged, true, 'no-store', null],
    [ErrorCode.Overloaded, true, 'no-store', '2'],
    [ErrorCode.Timeout, true, 'no-store', '3'],
    [ErrorCode.Unavailable, false, 'no-store', '5'],
    [ErrorCode.Internal, true, 'no-store', null],
  ])('%s (cacheable path: %s) → Cache-Control %s, Retry-After %s', async (code, cacheable, cache, retry) => {
    const { res } = await answer(new OriginError(code, 'x'), cacheable);
    expect(res.headers.get('cache-control')).toBe(cache);
    expect(res.headers.get('retry-after')).toBe(retry);
  });

  it('lists a field error as the one entry of errors, in its own words', async () => {
    const { body } = await answer(
      new OriginError(ErrorCode.InvalidEdit, 'clips[0].end: is past the end', 'clips[0].end'),
    );
    expect(body).toEqual({
      error: { code: 'invalid_edit', message: 'clips[0].end: is past the end', field: 'clips[0].end' },
      errors: [{ field: 'clips[0].end', message: 'is past the end', code: 'invalid_edit' }],
    });
  });

  it('lists every problem of several, each with its code', async () => {
    const err = fieldErrors(ErrorCode.SourceMissing, [
      { field: 'clips[0].source', message: 'no object "a.mp4"' },
      { field: 'clips[1].source', message: 'is not media', code: ErrorCode.SourceUnusable },
    ]);
    const { res, body } = await answer(err);
    expect(res.status).toBe(422);
    expect(body).toEqual({
      error: {
        code: 'source_missing',
        message: 'clips[0].source: no object "a.mp4" (and 1 more: see errors)',
        field: 'clips[0].source',
      },
      errors: [
        { field: 'clips[0].source', message: 'no object "a.mp4"', code: 'source_missing' },
        { field: 'clips[1].source', message: 'is not media', code: 'source_unusable' },
      ],
    });
  });

  it('has no errors list when no field is at fault, and hides what is not an OriginError', async () => {
    expect(
      (await answer(new OriginError(ErrorCode.BadJson, 'invalid JSON at line 1, column 2'))).body.errors,
    ).toBeUndefined();
    const { res, body } = await answer(new Error('secret detail'));
    expect(res.status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
