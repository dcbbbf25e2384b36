import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { isLoopback } from '../../config/index.js';
import { ErrorCode, OriginError } from '../../errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The peer's address as the socket has it (`@hono/node-server` passes the request in `c.env`); never
 * a header, which any client can write. Undefined without a socket (`app.request()` in tests).
 */
function peerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming?.socket.remoteAddress;
}

/**
 * Requires `Authorization: Bearer <token>`. With no token configured, only requests from this machine
 * (a loopback peer) pass: the origin may listen on every address — playback is public, it is what a
 * CDN fetches — without opening the API that mints revisions to the network.
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async function requireTokenMiddleware(c, next) {
    if (!expected) {
      if (!isLoopback(peerAddress(c))) {
        throw new OriginError(
          ErrorCode.Forbidden,
          'AVSERVER_API_TOKEN is not set, so the API answers requests from this machine only; set it to call the API from elsewhere',
        );
      }
    } else {
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
