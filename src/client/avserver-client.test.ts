import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../core/api/routes.js';
import { AvserverApiError, avserverClient } from './avserver-client.js';
import { playbackPaths } from '../core/manifests/playback-urls.js';

const DOCUMENT = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
};

/** What the client calls, and the answers it takes as success with the schema it checks them against. */
const CALLS = [
  ['mint', ['200', '201'], 'Minted'],
  ['getRevision', ['200'], 'Revision'],
] as const;

describe('the client against the API description', () => {
  it.each(CALLS)('calls %s as the checked-in document describes it', (operation, statuses, schema) => {
    const { method, path } = API_ROUTES[operation];
    const described = DOCUMENT.paths[path]?.[method];
    expect(described?.operationId).toBe(operation);
    for (const status of statuses)
      expect(JSON.stringify(described?.responses[status])).toContain(`#/components/schemas/${schema}`);
  });
});

/** A client over a fetch that records the request and answers `status` with `body`. */
function clientAnswering(status: number, body: unknown) {
  const seen: Request[] = [];
  const api = avserverClient({
    baseUrl: 'http://origin.test/',
    token: 'secret-token-0123456789',
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    },
  });
  return { api, seen };
}

const ID = 'y1cCtqwbzmFGaN1r1R_12i';
const MINTED = { revisionId: ID, ...playbackPaths(ID), duration: 4 };

describe('avserverClient', () => {
  it('mints with a bearer token and JSON, and says whether the revision is new', async () => {
    const { api, seen } = clientAnswering(201, MINTED);
    expect(await api.mint({ clips: [{ source: 'landscape.mp4' }] })).toEqual({ ...MINTED, created: true });
    const [request] = seen;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('http://origin.test/v1/revisions');
    expect(request!.headers.get('authorization')).toBe('Bearer secret-token-0123456789');
    expect(await request!.json()).toEqual({ clips: [{ source: 'landscape.mp4' }] });
    expect((await clientAnswering(200, MINTED).api.mint({ clips: [{ source: 'a.mp4' }] })).created).toBe(false);
  });

  it('throws the documented error body, with every field problem', async () => {
    const body = {
      error: { code: 'invalid_edit', message: 'clips[0].start: must be before the source', field: 'clips[0].start' },
      errors: [{ field: 'clips[0].start', message: 'must be before the source', code: 'invalid_edit' }],
    };
    const failed = await clientAnswering(422, body)
      .api.mint({ clips: [{ source: 'a.mp4', start: 5 }] })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(AvserverApiError);
    expect(failed).toMatchObject({ status: 422, code: 'invalid_edit', problems: body.errors });
  });

  it('refuses an answer that does not match the description', async () => {
    await expect(clientAnswering(200, { revisionId: ID }).api.mint({ clips: [{ source: 'a.mp4' }] })).rejects.toThrow(
      /does not match the API description/,
    );
  });

  it('encodes the revision id as one path segment', async () => {
    const { api, seen } = clientAnswering(404, { error: { code: 'revision_not_found', message: 'no revision' } });
    await expect(api.getRevision('../x?y')).rejects.toMatchObject({ status: 404 });
    expect(seen[0]!.url).toBe('http://origin.test/v1/revisions/..%2Fx%3Fy');
  });
});
