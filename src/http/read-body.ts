import { ErrorCode, OriginError } from '../errors.js';
import { jsonSyntaxError } from '../util/json-syntax.js';

/**
 * Bytes read and thrown away past the limit, so the client can still read the 413 (beyond it, the connection is
 * closed).
 */
const DRAIN_BYTES = 64 * 1024 * 1024;
/** How long a request body may take to arrive. */
const BODY_TIMEOUT_MS = 10_000;

/**
 * A request body as text, at most `maxBytes`. A larger one is read to its end and discarded before the
 * `413` — a server that answers while the client is still sending resets the connection, and the
 * client sees a reset instead of the error (measured: a 10 MB mint without `Expect: 100-continue`).
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  const tooLarge = () => new OriginError(ErrorCode.BodyTooLarge, `the body must be at most ${maxBytes} bytes`);
  if (declared > DRAIN_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const kept: Uint8Array[] = [];
  let total = 0;
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), BODY_TIMEOUT_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total <= maxBytes) kept.push(value);
      else if (total > DRAIN_BYTES) throw tooLarge();
    }
  } catch (err) {
    if (err instanceof OriginError) throw err;
    throw new OriginError(ErrorCode.BadJson, 'the body did not arrive whole', undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (total > maxBytes) throw tooLarge();
  return Buffer.concat(kept).toString('utf8');
}

/** A body's JSON, or `bad_json` saying where it stops being JSON ("invalid JSON at line 3, column 12: expected …"). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = jsonSyntaxError(text);
    const where = at ? ` at line ${at.line}, column ${at.column}: expected ${at.expected}` : '';
    throw new OriginError(ErrorCode.BadJson, `invalid JSON${where}`, undefined, { cause: err });
  }
}
