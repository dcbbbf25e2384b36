import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, OriginError, isTransient, problemsOf } from '../errors.js';
import type { Edge } from './edge.js';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  [ErrorCode.BadJson]: 400,
  [ErrorCode.InvalidField]: 400,
  [ErrorCode.BadPath]: 400,
  [ErrorCode.RangeNotSatisfiable]: 416,
  [ErrorCode.SourceChanged]: 409,
  [ErrorCode.BodyTooLarge]: 413,
  [ErrorCode.InvalidEdit]: 422,
  [ErrorCode.SourceMissing]: 422,
  [ErrorCode.SourceUnusable]: 422,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.RevisionNotFound]: 404,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Overloaded]: 503,
  [ErrorCode.Timeout]: 503,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/** Seconds a client should wait before retrying a transient failure. */
const RETRY_AFTER: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Overloaded]: 2,
  [ErrorCode.Timeout]: 3,
  [ErrorCode.Unavailable]: 5,
};

export interface ErrorResponseOptions {
  /** max-age for 4xx answers on playback paths (revision ids are immutable, so "not found" is stable). */
  notFoundMaxAge: number;
  /** Playback paths may let a CDN cache a 4xx briefly; API paths never. */
  cacheable: boolean;
}

/**
 * The one place error codes become HTTP: status, JSON body `{ error: { code, message, field? }, errors? }`
 * (`errors`: every problem of the request's fields, `[{ field, message, code }]`, when it has any), and cache
 * headers. Transient failures are 503 + Retry-After + no-store, so no CDN keeps them. The
 * code stays on the context (`errorCode`): the metrics count 503s by it.
 */
export function errorResponse(c: Context<Edge>, err: unknown, options: ErrorResponseOptions): Response {
  const e = err instanceof OriginError ? err : new OriginError(ErrorCode.Internal, 'internal error');
  c.set('errorCode', e.code);
  c.set('errorMessage', e.message);
  const status = STATUS[e.code];
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
  const retryAfter = RETRY_AFTER[e.code];
  if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter));
  // A changed source is not a property of the URL: it may be put back, and a new revision has its own URL.
  // Nor is a refused caller (401, 403): the next one may be allowed.
  const briefly =
    options.cacheable &&
    status >= 400 &&
    status < 500 &&
    status !== 401 &&
    status !== 403 &&
    e.code !== ErrorCode.SourceChanged &&
    !isTransient(e.code);
  headers.set('cache-control', briefly ? `public, max-age=${options.notFoundMaxAge}` : 'no-store');
  if (e.code === ErrorCode.Unauthorized) headers.set('www-authenticate', 'Bearer realm="avserver"');
  const problems = problemsOf(e).map(({ field, message, code }) => ({ field, message, code: code ?? e.code }));
  const body = {
    error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
    ...(problems.length > 0 ? { errors: problems } : {}),
  };
  return new Response(JSON.stringify(body), { status, headers });
}
