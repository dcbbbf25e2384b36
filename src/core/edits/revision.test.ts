import { describe, expect, it } from 'vitest';
import { OriginError } from '../../errors.js';
import { objectKeyProblem } from './object-key.js';
import { canonicalEdits, canonicalJson, isRevisionId, parseEdits, revisionId } from './revision.js';

const failure = (body: unknown) => {
  try {
    parseEdits(body);
  } catch (err) {
    if (err instanceof OriginError) return { code: err.code, field: err.field };
    throw err;
  }
  return undefined;
};

describe('parseEdits', () => {
  it('accepts one clip and fills the defaults', () => {
    expect(parseEdits({ clips: [{ source: 'rec/a.mp4' }] })).toEqual({
      clips: [{ source: 'rec/a.mp4' }],
      noiseSuppression: false,
      overlays: [],
    });
  });

  it.each([
    ['not an object', 'nope', 'invalid_field', '(body)'],
    ['no clips', {}, 'invalid_field', 'clips'],
    ['empty clips', { clips: [] }, 'invalid_field', 'clips'],
    ['clip without source', { clips: [{}] }, 'invalid_field', 'clips[0].source'],
    ['source not a string', { clips: [{ source: 42 }] }, 'invalid_field', 'clips[0].source'],
    ['.. in key', { clips: [{ source: '../etc/passwd' }] }, 'invalid_field', 'clips[0].source'],
    ['absolute key', { clips: [{ source: '/etc/passwd' }] }, 'invalid_field', 'clips[0].source'],
    ['control character', { clips: [{ source: 'a\u0000b.mp4' }] }, 'invalid_field', 'clips[0].source'],
    ['unknown clip field', { clips: [{ source: 'a.mp4', speed: 2 }] }, 'invalid_field', 'clips[0].speed'],
    ['unknown top field', { clips: [{ source: 'a.mp4' }], watermark: true }, 'invalid_field', 'watermark'],
    ['negative start', { clips: [{ source: 'a.mp4', start: -1 }] }, 'invalid_field', 'clips[0].start'],
    ['start not a number', { clips: [{ source: 'a.mp4', start: '1' }] }, 'invalid_field', 'clips[0].start'],
    ['cut not a pair', { clips: [{ source: 'a.mp4', cuts: [[1]] }] }, 'invalid_field', 'clips[0].cuts[0]'],
    [
      'noiseSuppression not boolean',
      { clips: [{ source: 'a.mp4' }], noiseSuppression: 'yes' },
      'invalid_field',
      'noiseSuppression',
    ],
    [
      'overlay of unknown kind',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'video' }] },
      'invalid_field',
      'overlays[0].kind',
    ],
    ['too many clips', { clips: Array.from({ length: 21 }, () => ({ source: 'a.mp4' })) }, 'invalid_field', 'clips'],
    [
      "a clip's noiseSuppression not boolean",
      { clips: [{ source: 'a.mp4', noiseSuppression: 1 }] },
      'invalid_field',
      'clips[0].noiseSuppression',
    ],
    // Everything the body alone shows to be wrong is invalid_field (400), named by its path; what needs the sources
    // to judge is invalid_edit (422) at mint (docs/errors.md).
    [
      'a text overlay without its position',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'hi' }] },
      'invalid_field',
      'overlays[0].x',
    ],
    [
      'an unknown overlay field',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'image', source: 'l.png', x: 0, y: 0, width: 0.2, blend: 'add' }],
      },
      'invalid_field',
      'overlays[0].blend',
    ],
    [
      'a point that is not a pair',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'drawing', strokes: [{ points: [[0.1, 0.1], [0.2]], color: '#fff000', width: 0.01 }] }],
      },
      'invalid_field',
      'overlays[0].strokes[0].points[1]',
    ],
    [
      'an image key with ..',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'image', source: '../x.png', x: 0, y: 0, width: 0.2 }] },
      'invalid_field',
      'overlays[0].source',
    ],
    [
      'x past the canvas',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'hi', x: 1.5, y: 0, size: 0.1 }] },
      'invalid_field',
      'overlays[0].x',
    ],
    [
      'a zero size',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'hi', x: 0, y: 0, size: 0 }] },
      'invalid_field',
      'overlays[0].size',
    ],
    [
      'an empty text',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: '', x: 0, y: 0, size: 0.1 }] },
      'invalid_field',
      'overlays[0].text',
    ],
    [
      '501 characters',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'é'.repeat(501), x: 0, y: 0, size: 0.1 }] },
      'invalid_field',
      'overlays[0].text',
    ],
    [
      'a colour name',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1, color: 'red' }] },
      'invalid_field',
      'overlays[0].color',
    ],
    [
      'a background of 7 digits',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1, background: '#0000000' }],
      },
      'invalid_field',
      'overlays[0].background',
    ],
    [
      'an opacity over 1',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'image', source: 'l.png', x: 0, y: 0, width: 0.2, opacity: 2 }],
      },
      'invalid_field',
      'overlays[0].opacity',
    ],
    [
      'a stroke of one point',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'drawing', strokes: [{ points: [[0.1, 0.1]], color: '#fff000', width: 0.01 }] }],
      },
      'invalid_field',
      'overlays[0].strokes[0].points',
    ],
    [
      'a point off the canvas',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [
          {
            kind: 'drawing',
            strokes: [
              {
                points: [
                  [0.1, 0.1],
                  [0.2, -0.1],
                ],
                color: '#fff000',
                width: 0.01,
              },
            ],
          },
        ],
      },
      'invalid_field',
      'overlays[0].strokes[0].points[1][1]',
    ],
    [
      'a stroke colour',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [
          {
            kind: 'drawing',
            strokes: [
              {
                points: [
                  [0, 0],
                  [1, 1],
                ],
                color: '#ff',
                width: 0.01,
              },
              {
                points: [
                  [0, 0],
                  [1, 1],
                ],
                color: 'blue',
                width: 0.01,
              },
            ],
          },
        ],
      },
      'invalid_field',
      'overlays[0].strokes[0].color',
    ],
    [
      'no strokes',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'drawing', strokes: [] }] },
      'invalid_field',
      'overlays[0].strokes',
    ],
    [
      'an end before the start',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: [{ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1, start: 3, end: 2 }],
      },
      'invalid_field',
      'overlays[0].end',
    ],
    [
      'a negative start',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1, start: -1 }] },
      'invalid_field',
      'overlays[0].start',
    ],
    [
      '51 overlays',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: Array.from({ length: 51 }, () => ({ kind: 'text', text: 'hi', x: 0, y: 0, size: 0.1 })),
      },
      'invalid_field',
      'overlays',
    ],
  ])('%s → %s on %s', (_name, body, code, field) => {
    expect(failure(body)).toEqual({ code, field });
  });
});

describe('revision ids', () => {
  const edits = parseEdits({ clips: [{ source: 'a.mp4' }] });

  it('are the same whatever the order cuts are listed in', () => {
    const a = canonicalEdits(
      parseEdits({
        clips: [
          {
            source: 'a.mp4',
            cuts: [
              [5, 6],
              [1, 2],
            ],
          },
        ],
      }),
    );
    const b = canonicalEdits(
      parseEdits({
        clips: [
          {
            source: 'a.mp4',
            cuts: [
              [1, 2],
              [5, 6],
            ],
          },
        ],
      }),
    );
    expect(revisionId(a, 'secret-secret-secret')).toBe(revisionId(b, 'secret-secret-secret'));
  });

  it.each([
    [
      'set on the revision or on its only clip',
      { noiseSuppression: true, clips: [{ source: 'a.mp4' }] },
      { clips: [{ source: 'a.mp4', noiseSuppression: true }] },
    ],
    [
      'a clip override equal to the revision setting',
      { noiseSuppression: true, clips: [{ source: 'a.mp4', noiseSuppression: true }, { source: 'b.mp4' }] },
      { noiseSuppression: true, clips: [{ source: 'a.mp4' }, { source: 'b.mp4' }] },
    ],
    [
      'the setting moved to whichever the first clip has',
      { noiseSuppression: false, clips: [{ source: 'a.mp4', noiseSuppression: true }, { source: 'b.mp4' }] },
      { noiseSuppression: true, clips: [{ source: 'a.mp4' }, { source: 'b.mp4', noiseSuppression: false }] },
    ],
  ])('are the same for noise suppression %s', (_name, a, b) => {
    const id = (body: unknown) => revisionId(canonicalEdits(parseEdits(body)), 'secret-secret-secret');
    expect(id(a)).toBe(id(b));
    expect(id(a)).not.toBe(id({ clips: [{ source: 'a.mp4' }, { source: 'b.mp4' }] }));
  });

  it('keep a clip override only where it differs from the first clip', () => {
    const edits = canonicalEdits(
      parseEdits({
        noiseSuppression: true,
        clips: [
          { source: 'intro.mp4', noiseSuppression: false },
          { source: 'talk.mp4' },
          { source: 'outro.mp4', noiseSuppression: false },
        ],
      }),
    );
    expect(edits.noiseSuppression).toBe(false);
    expect(edits.clips).toEqual([
      { source: 'intro.mp4' },
      { source: 'talk.mp4', noiseSuppression: true },
      { source: 'outro.mp4' },
    ]);
  });

  it('are the same for the same edits, whatever the key order or defaults', () => {
    const again = parseEdits(JSON.parse('{"noiseSuppression":false,"clips":[{"source":"a.mp4"}],"overlays":[]}'));
    expect(revisionId(again, 'secret-secret-secret')).toBe(revisionId(edits, 'secret-secret-secret'));
  });

  it('differ for different edits or a different secret', () => {
    const other = parseEdits({ clips: [{ source: 'b.mp4' }] });
    expect(revisionId(other, 'secret-secret-secret')).not.toBe(revisionId(edits, 'secret-secret-secret'));
    expect(revisionId(edits, 'another-secret-here')).not.toBe(revisionId(edits, 'secret-secret-secret'));
  });

  it('are 22 url-safe characters', () => {
    const id = revisionId(edits, 'secret-secret-secret');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(isRevisionId(id)).toBe(true);
    expect(isRevisionId('../../x')).toBe(false);
  });

  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[2,{"x":0,"z":1}]},"b":1}',
    );
  });
});

describe('objectKeyProblem', () => {
  it.each([
    ['recordings/2026/a.webm', undefined],
    ['a b (1).mp4', undefined],
    ['', 'must not be empty'],
    ['a/../b', 'must not contain . or .. segments'],
    ['./a', 'must not contain . or .. segments'],
    ['a//b', 'must not contain empty segments'],
    ['C:/x', 'must be a relative key, not an absolute path'],
    ['a\\b', 'must use / as the separator'],
    ['a\nb', 'must not contain control characters'],
    [
      's3://my-bucket/rec/a.mp4',
      'a source is an object key relative to MEDIA_ROOT or the bucket, not a URL (for s3://my-bucket/rec/a.mp4, send "rec/a.mp4")',
    ],
    ['https://cdn.example/a.mp4', 'a source is an object key relative to MEDIA_ROOT or the bucket, not a URL'],
    ['file:///srv/media/a.mp4', 'a source is an object key relative to MEDIA_ROOT or the bucket, not a URL'],
  ])('%j → %s', (key, problem) => expect(objectKeyProblem(key)).toBe(problem));
});
