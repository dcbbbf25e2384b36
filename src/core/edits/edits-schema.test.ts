import { describe, expect, it } from 'vitest';
import { OriginError, type FieldProblem } from '../../errors.js';
import { LIMITS } from './limits.js';
import { parseEdits } from './revision.js';

/** What parseEdits refuses a body with: its code and every problem, or undefined when it passes. */
const refusal = (body: unknown) => {
  try {
    parseEdits(body);
  } catch (err) {
    if (err instanceof OriginError)
      return { code: err.code, problems: err.problems?.map(({ field, message }) => ({ field, message })) };
    throw err;
  }
  return undefined;
};
const problemsOf = (body: unknown): FieldProblem[] | undefined => refusal(body)?.problems;

const clip = (extra: Record<string, unknown>) => ({ clips: [{ source: 'a.mp4', ...extra }] });
const URL_WORDS = 'a source is an object key relative to MEDIA_ROOT or the bucket, not a URL';
const CUT_WORDS = 'a cut is [from, to] in source seconds';
const POINT_WORDS = 'a point is [x, y], fractions of the canvas width and height in [0, 1]';
const drawing = (points: unknown[]) => ({
  clips: [{ source: 'a.mp4' }],
  overlays: [{ kind: 'drawing', strokes: [{ points, color: '#00ff00', width: 0.01 }] }],
});

describe('the mint body in plain words', () => {
  it.each([
    ['a JSON array', [1], '(body)', 'must be a JSON object like {"clips": [{"source": "landscape.mp4"}]}, not a list'],
    ['no clips', {}, 'clips', 'is required'],
    ['an empty clip list', { clips: [] }, 'clips', 'must list at least one clip, like [{"source": "landscape.mp4"}]'],
    ['a number as a string', clip({ start: '1' }), 'clips[0].start', 'must be a number, not the string "1"'],
    ['a negative start', clip({ start: -1 }), 'clips[0].start', 'must be at least 0 (source seconds)'],
    [
      'an s3:// URL',
      { clips: [{ source: 's3://b/rec/a.mp4' }] },
      'clips[0].source',
      `${URL_WORDS} (for s3://b/rec/a.mp4, send "rec/a.mp4")`,
    ],
    ['an https URL', { clips: [{ source: 'https://cdn.example/a.mp4' }] }, 'clips[0].source', URL_WORDS],
    [
      'a layout of an unknown name',
      clip({ camera: { source: 'cam.webm' }, layouts: [{ at: 0, layout: 'grid' }] }),
      'clips[0].layouts[0].layout',
      'must be one of "bubble", "camera", "screen", "split"',
    ],
    [
      'a bubble without a camera',
      clip({ layouts: [{ at: 0, layout: 'bubble' }] }),
      'clips[0].layouts[0].layout',
      'needs the clip to have a camera',
    ],
    ['camera audio without a camera', clip({ audio: 'camera' }), 'clips[0].audio', 'needs the clip to have a camera'],
    [
      'layouts out of order',
      clip({
        camera: { source: 'cam.webm' },
        layouts: [
          { at: 5, layout: 'camera' },
          { at: 5, layout: 'split' },
        ],
      }),
      'clips[0].layouts[1].at',
      'must be after layouts[0].at (5 s)',
    ],
    [
      'a bubble larger than the canvas',
      clip({ camera: { source: 'cam.webm' }, layouts: [{ at: 0, layout: 'bubble', size: 1.5 }] }),
      'clips[0].layouts[0].size',
      'must be a fraction of the canvas height in (0, 1]',
    ],
    [
      'a layout field another layout has',
      clip({ camera: { source: 'cam.webm' }, layouts: [{ at: 0, layout: 'screen', mirror: true }] }),
      'clips[0].layouts[0].mirror',
      'is not a field the API knows; the fields here are at, layout',
    ],
    ['a cut of one number', clip({ cuts: [1] }), 'clips[0].cuts[0]', CUT_WORDS],
    ['a cut of three numbers', clip({ cuts: [[1, 2, 3]] }), 'clips[0].cuts[0]', CUT_WORDS],
    ['a cut backwards', clip({ cuts: [[2, 1]] }), 'clips[0].cuts[0]', `${CUT_WORDS}, from before to`],
    ['a point of one number', drawing([[0, 0], [0.5]]), 'overlays[0].strokes[0].points[1]', POINT_WORDS],
    ['a point as an object', drawing([[0, 0], { x: 1, y: 1 }]), 'overlays[0].strokes[0].points[1]', POINT_WORDS],
    [
      'a point off the canvas',
      drawing([
        [0, 0],
        [0.5, 1.5],
      ]),
      'overlays[0].strokes[0].points[1][1]',
      'must be a fraction of the canvas height in [0, 1]',
    ],
    [
      'an unknown field',
      clip({ speed: 2 }),
      'clips[0].speed',
      'is not a field the API knows; the fields here are source, start, end, cuts, noiseSuppression, camera, layouts, audio',
    ],
    [
      'an overlay of an unknown kind',
      { clips: [{ source: 'a.mp4' }], overlays: [{ kind: 'video' }] },
      'overlays[0].kind',
      'must be one of "text", "image", "drawing"',
    ],
    [
      'a boolean as a string',
      { clips: [{ source: 'a.mp4' }], noiseSuppression: 'yes' },
      'noiseSuppression',
      'must be true or false, not the string "yes"',
    ],
  ])('%s: %s says %j', (_name, body, field, message) => {
    expect(problemsOf(body)).toEqual([{ field, message }]);
  });
});

describe("a clip's rules that need no source (400 invalid_field)", () => {
  it.each([
    ['an end before its start', clip({ start: 2, end: 1 }), 'clips[0].end', 'must be after start (2 s)'],
    ['an end at its start', clip({ start: 2, end: 2 }), 'clips[0].end', 'must be after start (2 s)'],
    [
      'a cut before the start',
      clip({ start: 2, cuts: [[1, 3]] }),
      'clips[0].cuts[0]',
      'must lie within the clip (from 2 s on)',
    ],
    [
      'a cut past the given end',
      clip({ end: 2, cuts: [[1.5, 3]] }),
      'clips[0].cuts[0]',
      'must lie within the clip (0–2 s)',
    ],
    [
      'overlapping cuts, named as listed',
      clip({
        cuts: [
          [3, 3.5],
          [1.5, 2.5],
          [1, 2],
        ],
      }),
      'clips[0].cuts[1]',
      'overlaps cuts[2]',
    ],
  ])('%s', (_name, body, field, message) => {
    expect(refusal(body)).toEqual({ code: 'invalid_field', problems: [{ field, message }] });
  });

  it.each([
    [
      'cuts in any order that touch',
      clip({
        cuts: [
          [2, 3],
          [1, 2],
        ],
      }),
    ],
    ['a cut past the end of a source whose end the body does not say (mint judges it)', clip({ cuts: [[3, 9000]] })],
    ['a start past the end of a source (mint judges it)', clip({ start: 9000 })],
  ])('passes %s', (_name, body) => {
    expect(refusal(body)).toBeUndefined();
  });
});

describe('every problem of a body at once', () => {
  it('lists them in body order, the first also as the error', () => {
    const body = {
      clips: [
        { source: 's3://b/a.mp4', start: -1, speed: 2 },
        { source: 'b.mp4', start: 3, end: 1 },
      ],
      overlays: [{ kind: 'text', text: 'hi', x: 1.5, y: 0, size: 0.1, color: 'red' }],
      watermark: true,
    };
    try {
      parseEdits(body);
      expect.unreachable();
    } catch (err) {
      const e = err as OriginError;
      expect(e.code).toBe('invalid_field');
      expect(e.problems?.map((p) => p.field)).toEqual([
        'clips[0].source',
        'clips[0].start',
        'clips[0].speed',
        'clips[1].end',
        'overlays[0].x',
        'overlays[0].color',
        'watermark',
      ]);
      expect(e.field).toBe('clips[0].source');
      expect(e.message).toBe(`clips[0].source: ${URL_WORDS} (for s3://b/a.mp4, send "a.mp4") (and 6 more: see errors)`);
    }
  });
});

describe('limits (400 invalid_field)', () => {
  const stroke = (n: number) => ({
    points: Array.from({ length: n }, (_, i) => [i / n, 0.5]),
    color: '#00ff00',
    width: 0.01,
  });
  const strokes = (total: number) =>
    Array.from({ length: total / LIMITS.pointsPerStroke }, () => stroke(LIMITS.pointsPerStroke));

  it(`takes ${LIMITS.pointsPerRevision} drawing points, and names one more`, () => {
    const overlays = [{ kind: 'drawing', strokes: strokes(LIMITS.pointsPerRevision) }];
    expect(refusal({ clips: [{ source: 'a.mp4' }], overlays })).toBeUndefined();
    overlays.push({ kind: 'drawing', strokes: [stroke(2)] });
    expect(problemsOf({ clips: [{ source: 'a.mp4' }], overlays })).toEqual([
      {
        field: 'overlays',
        message: `at most ${LIMITS.pointsPerRevision} drawing points per revision, got ${LIMITS.pointsPerRevision + 2}`,
      },
    ]);
  });

  it.each([
    [
      'clips',
      { clips: Array.from({ length: LIMITS.clips + 1 }, () => ({ source: 'a.mp4' })) },
      'clips',
      `at most ${LIMITS.clips} clips per revision`,
    ],
    [
      'cuts',
      clip({ cuts: Array.from({ length: LIMITS.cutsPerClip + 1 }, (_, i) => [i, i + 0.5]) }),
      'clips[0].cuts',
      `at most ${LIMITS.cutsPerClip} cuts per clip`,
    ],
    [
      'overlays',
      {
        clips: [{ source: 'a.mp4' }],
        overlays: Array.from({ length: LIMITS.overlays + 1 }, () => ({
          kind: 'text',
          text: 'hi',
          x: 0,
          y: 0,
          size: 0.1,
        })),
      },
      'overlays',
      `at most ${LIMITS.overlays} overlays per revision`,
    ],
  ])('one more than the limit of %s', (_name, body, field, message) => {
    expect(problemsOf(body)).toEqual([{ field, message }]);
  });
});
