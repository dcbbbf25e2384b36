import { avserverClient, type AvserverClient, type EditsInput, type MintResult } from '../../src/client/index.js';

/** The bearer token the test origins are started with. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

export type Minted = MintResult;
/** The edits' parts as a client writes them, for tests that build them apart. */
export type Clips = EditsInput['clips'];
export type Overlays = NonNullable<EditsInput['overlays']>;

export interface OriginClient {
  /** fetch against the origin; `api` adds the bearer token. For what the typed client does not cover. */
  fetch(path: string, init?: RequestInit & { api?: boolean }): Promise<Response>;
  /** POST /v1/revisions through the typed client; throws unless 201 or 200. */
  mint(body: EditsInput): Promise<Minted>;
  /** The typed mint API client, with the test token. */
  api: AvserverClient;
}

/** What tests do with an origin over HTTP, in-process or its own process alike. */
export function originClient(baseUrl: string): OriginClient {
  const doFetch = (path: string, init: RequestInit & { api?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.api) headers.set('authorization', `Bearer ${TEST_TOKEN}`);
    return fetch(baseUrl + path, { ...init, headers });
  };
  const api = avserverClient({ baseUrl, token: TEST_TOKEN });
  return { fetch: doFetch, mint: (body) => api.mint(body), api };
}
