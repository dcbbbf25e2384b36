import { z } from 'zod';
import {
  errorBodySchema,
  fieldProblemSchema,
  imageInfoSchema,
  mintedSchema,
  revisionViewSchema,
  sourceInfoSchema,
} from '../core/api/responses.js';
import { API_ROUTES } from '../core/api/routes.js';
import { editsSchema } from '../core/edits/edits-schema.js';
import { LIMITS } from '../core/edits/limits.js';
import { ARTIFACT_KINDS, artifactPathTemplate, type ArtifactKind } from '../core/manifests/playback-urls.js';
import { STILL_WIDTH } from '../core/picture/stills.js';
import { CONTENT_TYPES } from '../services/artifact.js';

/**
 * The API description, OpenAPI 3.1, made from the zod schemas that validate the requests and type the client
 * (`src/core/edits/edits-schema.ts`, `src/core/api/`), the mint API's route table and the playback URL grammar.
 * Served at `GET /v1/openapi.json` and checked in as `docs/openapi.json` (`npm run openapi` writes it; a test
 * fails when the two drift).
 */

/** The JSON Schemas of the API's bodies, under `#/components/schemas/<name>`, each defined once. */
function componentSchemas(): Record<string, object> {
  const registry = z.registry<{ id: string }>();
  const named = {
    Edits: editsSchema,
    Minted: mintedSchema,
    Revision: revisionViewSchema,
    SourceInfo: sourceInfoSchema,
    ImageInfo: imageInfoSchema,
    FieldProblem: fieldProblemSchema,
    Error: errorBodySchema,
  };
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  // `input`: what a client may send, and response objects left open (a field added later is no break).
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  // A component is named by its key; a fragment-only `$id` is not allowed by JSON Schema 2020-12.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $id: _id, $schema: _dialect, ...rest } = schema;
      return [id, rest];
    }),
  );
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const headerOf = (description: string, schema: object = { type: 'string' }) => ({ description, schema });

const NO_STORE = headerOf('`no-store`: errors and API answers are never cached.');
const CACHED_BRIEFLY = headerOf(
  '`public, max-age=<NOT_FOUND_MAX_AGE>`: revisions are immutable, so this answer is stable.',
);
const RETRY_AFTER = headerOf('Seconds to wait before retrying.', { type: 'integer' });

/** An error answer: the Error body, with what a client needs to know about the status in `description`. */
const error = (description: string, headers: Record<string, object> = {}) => ({
  description,
  headers: { 'Cache-Control': NO_STORE, ...headers },
  content: json(ref('Error')),
});
/** An error answer a CDN may keep briefly (a 4xx of an immutable revision's path). */
const cachedError = (description: string) => ({
  description,
  headers: { 'Cache-Control': CACHED_BRIEFLY },
  content: json(ref('Error')),
});

/** Answers several operations share, under `#/components/responses/<name>`. */
const SHARED_RESPONSES = {
  Transient: error(
    'A transient failure (overloaded, timeout, Redis or S3 unavailable): retry after `Retry-After`. Never cached.',
    { 'Retry-After': RETRY_AFTER },
  ),
  Unauthorized: error('No or wrong bearer token (when the origin has `AVSERVER_API_TOKEN`).', {
    'WWW-Authenticate': headerOf('`Bearer realm="avserver"`'),
  }),
  BadPath: cachedError('`bad_path`: a segment name that is not a canonical index (`012.m4s`, `1.5.m4s`, `0.ts`).'),
  Forbidden: error("`forbidden`: without the CDN's `X-Origin-Verify`, when `ORIGIN_VERIFY_SECRET` is set."),
  PlaybackNotFound: cachedError('`revision_not_found` or `not_found` (an unknown rendition, an index out of range).'),
  SourceChanged: error('`source_changed`: a source changed after mint; mint again.'),
  RangeNotSatisfiable: error('`range_not_satisfiable`.'),
  Internal: error('`internal`: making the artifact failed; the failure is remembered for 5 s.'),
};
const shared = (name: keyof typeof SHARED_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

/** Path parameters, under `#/components/parameters/<name>`. */
const PARAMETERS = {
  revisionId: {
    name: 'revisionId',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' },
    description: 'The id mint answered with.',
  },
  rendition: {
    name: 'rendition',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[a-z0-9]{1,16}$' },
    description: 'A rendition id from the master playlist: `720p`, `480p`, …, `audio`.',
  },
  index: {
    name: 'index',
    in: 'path',
    required: true,
    schema: { type: 'integer', minimum: 0 },
    description: 'The segment number, written without leading zeros.',
  },
  width: {
    name: 'width',
    in: 'path',
    required: true,
    schema: { type: 'integer', minimum: STILL_WIDTH.min, maximum: STILL_WIDTH.max, multipleOf: STILL_WIDTH.step },
    description: `The picture's width in pixels: a multiple of ${STILL_WIDTH.step} from ${STILL_WIDTH.min} to ${STILL_WIDTH.max}; the height follows the revision's canvas.`,
  },
  time: {
    name: 'time',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,5})(\\.[0-9]{0,2}[1-9])?$' },
    description: 'Output seconds to the millisecond, written one way (`1.5`, not `1.50`): the frame shown then.',
  },
};
const parameter = (name: keyof typeof PARAMETERS) => ({ $ref: `#/components/parameters/${name}` });

const bearer = [{ bearer: [] }];

function mintApi(): Record<string, object> {
  const minted = (description: string) => ({
    description,
    headers: { Location: headerOf('`/v1/revisions/{revisionId}`'), 'Cache-Control': NO_STORE },
    content: json(ref('Minted')),
  });
  return {
    [API_ROUTES.mint.path]: {
      [API_ROUTES.mint.method]: {
        operationId: 'mint',
        summary: 'Mint a revision',
        description:
          'Validates the edits, probes each source (shared by key and ETag) and stores the revision under an id derived from the canonical edits: the same edits always mint the same id. ' +
          `A body may hold up to ${LIMITS.mintBodyBytes} bytes, which a body at every edit limit at once fits in (written compactly).`,
        security: bearer,
        requestBody: { required: true, content: json(ref('Edits')) },
        responses: {
          '200': minted('The same edits were minted before: the same id.'),
          '201': minted('A new revision.'),
          '400': error(
            'The request is wrong whatever the sources are (`bad_json`, `invalid_field`): `errors` lists every problem of the body.',
          ),
          '401': shared('Unauthorized'),
          '413': error(`\`body_too_large\`: over ${LIMITS.mintBodyBytes} bytes.`),
          '422': error(
            'Well-formed, but not possible with these sources (`source_missing`, `source_unusable`, `invalid_edit`): `errors` lists every problem found.',
          ),
          '503': shared('Transient'),
        },
      },
    },
    [API_ROUTES.getRevision.path]: {
      [API_ROUTES.getRevision.method]: {
        operationId: 'getRevision',
        summary: 'Get a revision',
        description:
          'Where the revision plays (HLS and DASH paths) and how long it is, as mint answers, then what is stored: the canonical edits and the probe data of each source.',
        security: bearer,
        parameters: [parameter('revisionId')],
        responses: {
          '200': {
            description: 'The revision.',
            headers: { 'Cache-Control': NO_STORE },
            content: json(ref('Revision')),
          },
          '401': shared('Unauthorized'),
          '404': error('`revision_not_found`: never minted, or expired.'),
          '503': shared('Transient'),
        },
      },
    },
    [API_ROUTES.openApi.path]: {
      [API_ROUTES.openApi.method]: {
        operationId: 'openApi',
        summary: 'This API description',
        description: 'Public: it needs no token.',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) } },
      },
    },
  };
}

/** What each playback artifact is; keyed by the URL grammar's kinds, so a new kind needs its line here. */
const ARTIFACTS: Record<ArtifactKind, { summary: string; types: string[] }> = {
  master: { summary: 'HLS multivariant playlist', types: [CONTENT_TYPES.playlist] },
  manifest: { summary: 'DASH manifest over the same segments', types: [CONTENT_TYPES.dash] },
  playlist: { summary: "A rendition's HLS media playlist", types: [CONTENT_TYPES.playlist] },
  init: { summary: "A rendition's CMAF init segment", types: [CONTENT_TYPES.video, CONTENT_TYPES.audio] },
  segment: {
    summary: 'A media segment (H.264 or AAC-LC, fragmented MP4)',
    types: [CONTENT_TYPES.video, CONTENT_TYPES.audio],
  },
  iframes: { summary: "A video rendition's I-frame playlist (trick play)", types: [CONTENT_TYPES.playlist] },
  iframe: { summary: "A segment's I-frame alone (fragmented MP4)", types: [CONTENT_TYPES.video] },
  poster: { summary: 'The poster: the frame at posterTime (or the middle), as JPEG', types: [CONTENT_TYPES.jpg] },
  posterWebp: { summary: 'The poster, as WebP', types: [CONTENT_TYPES.webp] },
  thumbnail: { summary: 'The frame shown at an output time, at a width, as JPEG', types: [CONTENT_TYPES.jpg] },
  thumbnailWebp: { summary: 'The frame shown at an output time, at a width, as WebP', types: [CONTENT_TYPES.webp] },
  storyboard: { summary: 'The storyboard as WebVTT: a cue per tile, `sheet#xywh=x,y,w,h`', types: [CONTENT_TYPES.vtt] },
  storyboardJson: {
    summary: 'The storyboard as JSON (tiles with start, end, sheet, x, y)',
    types: [CONTENT_TYPES.json],
  },
  storyboardSheet: { summary: 'A storyboard sheet: 10 × 10 tiles as one JPEG', types: [CONTENT_TYPES.jpg] },
  download: {
    summary: 'The whole revision as one MP4 file (the top rendition), streamed: no Content-Length, no ranges',
    types: [CONTENT_TYPES.video],
  },
  downloadRendition: { summary: 'The whole revision as one MP4 file of a rendition', types: [CONTENT_TYPES.video] },
  downloadAudio: { summary: "The revision's sound as one M4A file", types: [CONTENT_TYPES.audio] },
};

function playback(): Record<string, object> {
  return Object.fromEntries(
    ARTIFACT_KINDS.map((kind) => {
      const path = artifactPathTemplate(kind);
      const { summary, types } = ARTIFACTS[kind];
      const parameters = (['revisionId', 'rendition', 'index', 'width', 'time'] as const)
        .filter((p) => path.includes(`{${p}}`))
        .map(parameter);
      const bytes = Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]));
      const operation = (method: 'get' | 'head') => ({
        operationId: `${method}${kind[0]!.toUpperCase()}${kind.slice(1)}`,
        summary: method === 'get' ? summary : `${summary} (headers only)`,
        parameters,
        responses: {
          '200': {
            description: 'Immutable: a revision never changes.',
            headers: {
              'Cache-Control': headerOf('`public, max-age=<CACHE_MAX_AGE>, immutable`'),
              ETag: headerOf('Strong, the same on every origin node.'),
              'X-Origin-Cache': headerOf('`hit`, `miss` or `coalesced`.'),
              'Server-Timing': headerOf('`resolve`, `queue`, `ffmpeg`, `total` (ms).'),
            },
            ...(method === 'get' ? { content: bytes } : {}),
          },
          '206': { description: 'A single byte range (`Range`).' },
          '304': { description: '`If-None-Match` matched the ETag.' },
          '400': shared('BadPath'),
          '403': shared('Forbidden'),
          '404': shared('PlaybackNotFound'),
          '409': shared('SourceChanged'),
          '416': shared('RangeNotSatisfiable'),
          '500': shared('Internal'),
          '503': shared('Transient'),
        },
      });
      return [path, { get: operation('get'), head: operation('head') }];
    }),
  );
}

/** The whole document. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'avserver',
      version: '1',
      summary: 'A just-in-time transcoding origin for a CDN: mint revisions of edits, play them over HLS or DASH.',
      description:
        'The main application mints a revision (`POST /v1/revisions`) after every edit and hands players the `hls` or `dash` path under the CDN. ' +
        'Errors: 400 when the request is wrong whatever the sources are, 422 when it is well formed but these sources cannot do it, 503 for a transient failure (retry); docs/errors.md. ' +
        'Prometheus metrics are served on their own port (`METRICS_PORT`, `GET /metrics`), never on this one, so they are not described here.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    paths: {
      ...mintApi(),
      ...playback(),
      '/healthz': {
        get: {
          operationId: 'healthz',
          summary: 'Liveness',
          security: [],
          responses: {
            '200': {
              description: 'The process answers.',
              content: json({ type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }),
            },
          },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      responses: SHARED_RESPONSES,
      parameters: PARAMETERS,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: '`AVSERVER_API_TOKEN`; without one the origin listens on loopback only.',
        },
      },
    },
  };
}

/** The document as checked in (`docs/openapi.json`): two-space JSON and a final newline. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
