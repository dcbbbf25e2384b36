import type { z } from 'zod';
import {
  errorBodySchema,
  mintedSchema,
  revisionViewSchema,
  type ErrorBody,
  type Minted,
  type RevisionView,
} from '../core/api/responses.js';
import { API_ROUTES, apiPath, type ApiOperation } from '../core/api/routes.js';
import type { EditsInput } from '../core/edits/edits-schema.js';

/**
 * A typed client for the mint API, built on the schemas and routes the server and its OpenAPI document are made
 * from (`src/core/api/`, `src/core/edits/edits-schema.ts`): the request types are the validator's, and every
 * answer is checked against its documented schema before it is returned. No dependency beyond `fetch`.
 *
 * @example
 * const api = avserverClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.AVSERVER_API_TOKEN });
 * const { hls } = await api.mint({ clips: [{ source: 'landscape.mp4', start: 1 }] });
 */

export type { EditsInput, Minted, RevisionView, ErrorBody };

export interface AvserverClientOptions {
  /** The origin's base URL, e.g. `http://127.0.0.1:8080` (no trailing slash needed). */
  baseUrl: string;
  /** `AVSERVER_API_TOKEN`, sent as a bearer token. */
  token?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/** What mint answered, and whether it was a new revision (201) or the same edits again (200). */
export interface MintResult extends Minted {
  created: boolean;
}

/** An error answer: its status, and the documented error body (code, message, every field problem). */
export class AvserverApiError extends Error {
  override readonly name = 'AvserverApiError';
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
  }

  get code(): string {
    return this.body.error.code;
  }

  /** Every problem of the request's fields (empty when the error names none). */
  get problems(): NonNullable<ErrorBody['errors']> {
    return this.body.errors ?? [];
  }
}

export interface AvserverClient {
  /** `POST /v1/revisions`. Throws `AvserverApiError` for an error answer. */
  mint(edits: EditsInput): Promise<MintResult>;
  /** `GET /v1/revisions/{revisionId}`. Throws `AvserverApiError` (404 `revision_not_found` for an unknown id). */
  getRevision(revisionId: string): Promise<RevisionView>;
}

/** The body checked against its schema, returned as the server sent it (fields added later are kept). */
function checked<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const result = schema.safeParse(json);
  if (!result.success)
    throw new Error(`${what}: the answer does not match the API description: ${result.error.issues[0]?.message}`);
  return json as z.output<S>;
}

export function avserverClient(options: AvserverClientOptions): AvserverClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(operation: ApiOperation, params: Record<string, string>, body?: unknown) {
    const headers = new Headers();
    if (options.token) headers.set('authorization', `Bearer ${options.token}`);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const res = await doFetch(base + apiPath(operation, params), {
      method: API_ROUTES[operation].method.toUpperCase(),
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${operation}: ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new AvserverApiError(res.status, checked(errorBodySchema, json, operation));
    return { status: res.status, json };
  }

  return {
    async mint(edits) {
      const { status, json } = await call('mint', {}, edits);
      return { ...checked(mintedSchema, json, 'mint'), created: status === 201 };
    },
    async getRevision(revisionId) {
      const { json } = await call('getRevision', { revisionId });
      return checked(revisionViewSchema, json, 'getRevision');
    },
  };
}
