/** The bearer token the test origins are started with. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface Minted {
  revisionId: string;
  hls: string;
  dash: string;
  duration: number;
}

export interface OriginClient {
  /** fetch against the origin; `api` adds the bearer token. */
  fetch(path: string, init?: RequestInit & { api?: boolean }): Promise<Response>;
  /** POST /v1/revisions; throws unless 201 or 200. */
  mint(body: unknown): Promise<Minted>;
}

/** What tests do with an origin over HTTP, in-process or its own process alike. */
export function originClient(baseUrl: string): OriginClient {
  const doFetch = (path: string, init: RequestInit & { api?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.api) headers.set('authorization', `Bearer ${TEST_TOKEN}`);
    return fetch(baseUrl + path, { ...init, headers });
  };
  return {
    fetch: doFetch,
    async mint(body) {
      const res = await doFetch('/v1/revisions', {
        method: 'POST',
        api: true,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`mint failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as Minted;
    },
  };
}
