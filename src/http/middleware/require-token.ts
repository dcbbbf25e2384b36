import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ErrorCode, OriginError } from '../../errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Requires `Authorization: Bearer <token>`. With no token configured every request passes; the
 * composition root then binds to loopback only.
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async function requireTokenMiddleware(c, next) {
    if (expected) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
      // Compare digests: equal length, constant time, whatever the caller sent.
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        throw new OriginError(ErrorCode.Unauthorized, 'a valid bearer token is required');
      }
    }
    await next();
  };
}

/**
 * With a secret configured, playback answers only requests carrying it in `X-Origin-Verify` — the
 * header the CDN adds to its origin requests — compared in constant time; others get `403`, never
 * cached. Without one, every request passes (the embedded default, tests).
 */
export function requireOriginVerify(secret: string | undefined): MiddlewareHandler {
  const expected = secret === undefined ? undefined : digest(secret);
  return async function requireOriginVerifyMiddleware(c, next) {
    if (expected) {
      const sent = c.req.header('x-origin-verify');
      if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
        throw new OriginError(ErrorCode.Forbidden, 'playback is served through the CDN only');
      }
    }
    await next();
  };
}
