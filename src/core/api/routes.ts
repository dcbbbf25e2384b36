/**
 * The mint API's routes, in one place: the HTTP routes serve them (`src/http/routes/revisions.ts`), the OpenAPI
 * document describes them (`src/http/openapi.ts`) and the typed client calls them (`src/client/`). Paths are
 * written as OpenAPI path templates.
 */
export const API_ROUTES = {
  /** Mint a revision from edits. */
  mint: { method: 'post', path: '/v1/revisions' },
  /** A stored revision: where it plays, how long it is, its canonical edits and its sources' probe data. */
  getRevision: { method: 'get', path: '/v1/revisions/{revisionId}' },
  /** The API description (OpenAPI 3.1). */
  openApi: { method: 'get', path: '/v1/openapi.json' },
} as const;

export type ApiOperation = keyof typeof API_ROUTES;

/** A route's path with its parameters filled in (each encoded as one path segment). */
export function apiPath(operation: ApiOperation, params: Record<string, string> = {}): string {
  return API_ROUTES[operation].path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${operation}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}
