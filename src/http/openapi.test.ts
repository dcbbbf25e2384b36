import { readFileSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../core/api/routes.js';
import { ARTIFACT_KINDS, artifactPathTemplate } from '../core/manifests/playback-urls.js';
import { openApiDocument, openApiJson } from './openapi.js';

const CHECKED_IN = new URL('../../docs/openapi.json', import.meta.url);

type Operation = { operationId?: string; responses: Record<string, unknown> };
const paths = openApiDocument().paths as Record<string, Record<string, Operation>>;

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await validate(structuredClone(openApiDocument()) as never);
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
    // The validator is not vacuous: a document without its title is refused.
    const broken = { ...openApiDocument(), info: { version: '1' } };
    expect(await validate(structuredClone(broken) as never)).toMatchObject({ valid: false });
  });

  it('is checked in as generated (run `npm run openapi` after changing the API)', () => {
    expect(readFileSync(CHECKED_IN, 'utf8')).toBe(openApiJson());
  });

  it.each(Object.entries(API_ROUTES))('describes the mint API route %s', (operation, { method, path }) => {
    expect(paths[path]?.[method]?.operationId).toBe(operation);
  });

  it.each(ARTIFACT_KINDS)('describes the playback path of a %s, GET and HEAD', (kind) => {
    const path = paths[artifactPathTemplate(kind)];
    expect(Object.keys(path ?? {})).toEqual(['get', 'head']);
    expect(Object.keys(path!.get!.responses)).toEqual(expect.arrayContaining(['200', '404', '503']));
  });

  it('answers every error with the Error schema, whose problems list fields', () => {
    const doc = openApiDocument() as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas.Error!.properties)).toEqual(['error', 'errors']);
    expect(doc.components.schemas.FieldProblem!.properties).toHaveProperty('field');
    for (const [path, operations] of Object.entries(paths))
      for (const [method, { responses }] of Object.entries(operations))
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400) continue;
          const text = JSON.stringify(response);
          expect(text, `${method} ${path} ${status}`).toMatch(/#\/components\/(schemas\/Error|responses\/)/);
        }
  });
});
