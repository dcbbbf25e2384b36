import type { Context } from 'hono';
import type { ArtifactKind } from '../core/manifests/playback-urls.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { Artifact } from '../services/artifact.js';
import type { Download } from '../services/downloads.js';
import type { Edge } from './edge.js';
import { errorResponse } from './error-response.js';

/** A single byte range, or 'unsatisfiable', or undefined when the header is absent or not understood. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // multiple ranges or garbage: send it all (RFC 9110 §14.2)
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * A response for an immutable artifact: strong ETag, Cache-Control, conditional GET (304) and single
 * byte ranges (206/416). The body is complete before this is called, so status and length are final.
 * What was sent (kind, cache status, timing, bytes) stays on the context for the middleware's
 * Server-Timing, metrics and log line.
 */
export function sendArtifact(c: Context<Edge>, kind: ArtifactKind, artifact: Artifact, cacheControl: string): Response {
  const request = c.req.raw;
  const headers = new Headers({
    'content-type': artifact.contentType,
    'cache-control': cacheControl,
    etag: artifact.etag,
    'accept-ranges': 'bytes',
    'x-origin-cache': artifact.cacheStatus,
  });
  const sent = (bytes: number) =>
    c.set('sent', { kind, cacheStatus: artifact.cacheStatus, timing: artifact.timing, bytes });
  if (etagMatches(request.headers.get('if-none-match') ?? undefined, artifact.etag)) {
    sent(0);
    return new Response(null, { status: 304, headers });
  }
  const size = artifact.body.length;
  const ifRange = request.headers.get('if-range');
  const range =
    ifRange && ifRange !== artifact.etag ? undefined : parseRange(request.headers.get('range') ?? undefined, size);
  if (range === 'unsatisfiable') {
    // The error model's JSON body, not the artifact's type; never cached (RFC 9110 §15.5.17).
    const error = new OriginError(
      ErrorCode.RangeNotSatisfiable,
      `the range does not overlap the ${size} bytes of this artifact`,
    );
    const res = errorResponse(c, error, { notFoundMaxAge: 0, cacheable: false });
    res.headers.set('content-range', `bytes */${size}`);
    res.headers.set('accept-ranges', 'bytes');
    return res;
  }
  const [status, body] = range ? [206, artifact.body.subarray(range.start, range.end + 1)] : [200, artifact.body];
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${size}`);
  headers.set('content-length', String(body.length));
  const head = request.method === 'HEAD';
  sent(head ? 0 : body.length);
  return new Response(head ? null : (body as unknown as BodyInit), { status, headers });
}

/**
 * A response for a file made as it is sent (a download): its status and headers go out at once, the
 * bytes as they are made, so there is no length and no byte range (`Accept-Ranges: none`); the ETag
 * is strong (the same path always makes the same bytes), so a conditional GET is still a 304. A
 * failure after the status ends the body early, without the final chunk: no cache takes it whole.
 */
export function sendDownload(c: Context<Edge>, kind: ArtifactKind, download: Download, cacheControl: string): Response {
  const headers = new Headers({
    'content-type': download.contentType,
    'content-disposition': `attachment; filename="${download.filename}"`,
    'cache-control': cacheControl,
    etag: download.etag,
    'accept-ranges': 'none',
  });
  c.set('sent', { kind, cacheStatus: 'miss', timing: { resolve: 0 }, bytes: 0 });
  const request = c.req.raw;
  if (request.method === 'HEAD' || etagMatches(request.headers.get('if-none-match') ?? undefined, download.etag)) {
    void download.chunks[Symbol.asyncIterator]().return?.();
    return new Response(null, { status: request.method === 'HEAD' ? 200 : 304, headers });
  }
  const chunks = download.chunks[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return?.();
    },
  });
  return new Response(stream, { status: 200, headers });
}
