import { describe, expect, it } from 'vitest';
import { OriginError } from '../../errors.js';
import { outputFrameRate } from './segment-grid.js';
import { compileTimeline, keptRanges, piecesOf } from './timeline.js';
import type { Clip } from '../types.js';
import { sourceInfo } from '../../../test/helpers/records.js';

const source = (duration: number, startTime = 0) =>
  sourceInfo({ duration, width: 640, height: 360, startTime, audio: null });

const spans = (clip: Omit<Clip, 'source'>, duration = 10, fps = 30, startTime = 0) =>
  compileTimeline([{ source: 'a.mp4', ...clip }], new Map([['a.mp4', source(duration, startTime)]]), fps).map((s) => [
    s.sourceStart,
    s.outputFrame,
    s.frameCount,
  ]);

const problem = (clip: Omit<Clip, 'source'>, duration = 10) => {
  try {
    compileTimeline([{ source: 'a.mp4', ...clip }], new Map([['a.mp4', source(duration)]]), 30);
  } catch (err) {
    if (err instanceof OriginError) return [err.code, err.field];
    throw err;
  }
  return undefined;
};

describe('compileTimeline', () => {
  it.each([
    ['the whole source', {}, [[0, 0, 300]]],
    ['a trim', { start: 2, end: 5 }, [[2, 0, 90]]],
    ['a trim to the end', { start: 8.5 }, [[8.5, 0, 45]]],
    [
      'a cut in the middle',
      { cuts: [[2, 3]] },
      [
        [0, 0, 60],
        [3, 60, 210],
      ],
    ],
    ['a cut at 0', { cuts: [[0, 1]] }, [[1, 0, 270]]],
    ['a cut at the end', { cuts: [[9, 10]] }, [[0, 0, 270]]],
    [
      'adjacent cuts',
      {
        cuts: [
          [2, 3],
          [3, 4],
        ],
      },
      [
        [0, 0, 60],
        [4, 60, 180],
      ],
    ],
    [
      'cuts given out of order',
      {
        cuts: [
          [6, 7],
          [2, 3],
        ],
      },
      [
        [0, 0, 60],
        [3, 60, 90],
        [7, 150, 90],
      ],
    ],
    [
      'a cut between frames (rounds to the nearest frame)',
      { cuts: [[2.01, 3.02]] },
      [
        [0, 0, 60],
        [3.02, 60, 209],
      ],
    ],
    [
      'a trim with a cut',
      { start: 1, end: 9, cuts: [[4, 5]] },
      [
        [1, 0, 90],
        [5, 90, 120],
      ],
    ],
    [
      'a kept sliver shorter than half a frame is dropped',
      {
        cuts: [
          [0, 4.99],
          [5.005, 10],
        ],
      },
      [[4.99, 0, 0]].slice(1),
    ],
  ] as const)('%s', (_name, clip, expected) => {
    if (expected.length === 0) {
      expect(problem(clip as Omit<Clip, 'source'>)).toEqual(['invalid_edit', 'clips[0]']);
      return;
    }
    expect(spans(clip as Omit<Clip, 'source'>)).toEqual(expected);
  });

  it('places spans on the source clock when the first frame is not at 0', () => {
    expect(spans({ start: 1 }, 5, 30, 0.007)).toEqual([[1.007, 0, 120]]);
  });

  it('cuts a variable-frame-rate recording on the output grid (its nominal 28.6 fps plays at 30)', () => {
    const vfr = { ...source(10, 0.007), video: { ...source(10, 0.007).video, frameRate: 28.6 } };
    const s = compileTimeline(
      [{ source: 'a.mp4', cuts: [[1.01, 2]] }],
      new Map([['a.mp4', vfr]]),
      outputFrameRate(vfr.video.frameRate),
    );
    expect(s.map((x) => [x.sourceStart, x.outputFrame, x.frameCount])).toEqual([
      [0.007, 0, 30],
      [2.007, 30, 240],
    ]);
  });

  it('keeps output time continuous at 25 and 24 fps', () => {
    expect(spans({ cuts: [[1, 2]] }, 4, 25)).toEqual([
      [0, 0, 25],
      [2, 25, 50],
    ]);
    expect(spans({ cuts: [[1, 2]] }, 4, 24)).toEqual([
      [0, 0, 24],
      [2, 24, 48],
    ]);
  });

  it.each([
    ['end before start', { start: 5, end: 4 }, 'clips[0].end'],
    ['end equal to start', { start: 5, end: 5 }, 'clips[0].end'],
    ['end past the source', { end: 11 }, 'clips[0].end'],
    ['start past the source', { start: 10 }, 'clips[0].start'],
    ['cut outside the clip', { start: 2, cuts: [[1, 3]] }, 'clips[0].cuts[0]'],
    ['cut past the end', { end: 5, cuts: [[4, 6]] }, 'clips[0].cuts[0]'],
    ['backwards cut', { cuts: [[3, 2]] }, 'clips[0].cuts[0]'],
    [
      'overlapping cuts',
      {
        cuts: [
          [2, 4],
          [3, 5],
        ],
      },
      'clips[0].cuts[1]',
    ],
    ['cut to nothing', { cuts: [[0, 10]] }, 'clips[0]'],
    ['shorter than one frame', { start: 1, end: 1.01 }, 'clips[0]'],
  ] as const)('refuses %s, naming %s', (_name, clip, field) => {
    expect(problem(clip as Omit<Clip, 'source'>)).toEqual(['invalid_edit', field]);
  });
});

describe('keptRanges', () => {
  it('subtracts cuts from the trimmed clip', () => {
    expect(
      keptRanges(
        {
          source: 'a',
          start: 1,
          end: 9,
          cuts: [
            [2, 3],
            [5, 6],
          ],
        },
        10,
        'c',
      ),
    ).toEqual([
      [1, 2],
      [3, 5],
      [6, 9],
    ]);
  });
});

describe('piecesOf', () => {
  const s = compileTimeline([{ source: 'a.mp4', cuts: [[2, 3]] }], new Map([['a.mp4', source(10)]]), 30);

  it('gives one piece inside a span and two across a cut', () => {
    expect(piecesOf(s, 0, 32).map((p) => [p.startFrame, p.frameCount])).toEqual([[0, 32]]);
    expect(piecesOf(s, 32, 64).map((p) => [p.span.sourceStart, p.startFrame, p.frameCount])).toEqual([
      [0, 32, 28],
      [3, 60, 36],
    ]);
  });
});

describe('stitched clips', () => {
  const intro = { ...source(3), key: 'intro.mp4' };
  const main = { ...source(10), key: 'main.webm', video: { ...source(10).video, frameRate: 25, startTime: 0.007 } };

  it('play in order on one continuous output timeline', () => {
    const s = compileTimeline(
      [{ source: 'intro.mp4' }, { source: 'main.webm', start: 2, cuts: [[4, 5]] }, { source: 'intro.mp4', end: 1 }],
      new Map([
        ['intro.mp4', intro],
        ['main.webm', main],
      ]),
      30,
    );
    expect(s.map((x) => [x.source.key, x.sourceStart, x.outputFrame, x.frameCount])).toEqual([
      ['intro.mp4', 0, 0, 90],
      ['main.webm', 2.007, 90, 60],
      ['main.webm', 5.007, 150, 150],
      ['intro.mp4', 0, 300, 30],
    ]);
  });

  it('name the clip whose edit is wrong', () => {
    expect(() =>
      compileTimeline(
        [{ source: 'intro.mp4' }, { source: 'main.webm', end: 11 }],
        new Map([
          ['intro.mp4', intro],
          ['main.webm', main],
        ]),
        30,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_edit', field: 'clips[1].end' }));
  });
});

describe('a clip with a camera', () => {
  const screen = sourceInfo({ key: 's.mp4', duration: 10, audio: null });
  const camera = (duration = 10, startTime = 0) =>
    sourceInfo({ key: 'c.webm', duration, width: 640, height: 480, frameRate: 24, startTime });
  /** The scenes of each span: [first output frame, layout] */
  const scenes = (clip: Omit<Clip, 'source' | 'camera'>, offset = 0, cam = camera()) =>
    compileTimeline(
      [{ source: 's.mp4', camera: { source: 'c.webm', offset }, ...clip }],
      new Map([
        ['s.mp4', screen],
        ['c.webm', cam],
      ]),
      30,
    ).map((s) => (s.scenes ?? []).map((c) => [c.frame, c.scene.layout]));

  it.each([
    ['no layouts: the bubble', {}, 0, camera(), [[[0, 'bubble']]]],
    [
      'changes on the frame each time rounds to',
      {
        layouts: [
          { at: 0, layout: 'bubble' },
          { at: 2.51, layout: 'camera' },
          { at: 5, layout: 'split' },
        ],
      },
      0,
      camera(),
      [
        [
          [0, 'bubble'],
          [75, 'camera'],
          [150, 'split'],
        ],
      ],
    ],
    [
      'a change kept on its moment after a trim and a cut before it',
      {
        start: 1,
        cuts: [[2, 3]] as Array<[number, number]>,
        layouts: [
          { at: 1, layout: 'bubble' },
          { at: 4, layout: 'camera' },
        ] as Clip['layouts'],
      },
      0,
      camera(),
      [
        [[0, 'bubble']],
        [
          [30, 'bubble'],
          [60, 'camera'],
        ],
      ],
    ],
    [
      'a change inside a cut: from the first kept frame after it',
      { cuts: [[2, 3]] as Array<[number, number]>, layouts: [{ at: 2.5, layout: 'split' }] as Clip['layouts'] },
      0,
      camera(),
      [[[0, 'bubble']], [[60, 'split']]],
    ],
    [
      'a camera starting 1 s late and ending 2 s early: the screen alone there',
      {},
      -1,
      camera(7),
      [
        [
          [0, 'screen'],
          [30, 'bubble'],
          [240, 'screen'],
        ],
      ],
    ],
    ['a screen layout throughout: no camera to read', { layouts: [{ at: 0, layout: 'screen' }] }, 0, camera(), [[]]],
  ] as const)('%s', (_name, clip, offset, cam, expected) => {
    expect(scenes(clip as Omit<Clip, 'source' | 'camera'>, offset, cam)).toEqual(expected);
  });

  it('puts the camera on its own clock at each span: t + offset', () => {
    const [first, second] = compileTimeline(
      [{ source: 's.mp4', camera: { source: 'c.webm', offset: 0.137 }, cuts: [[2, 3]] }],
      new Map([
        ['s.mp4', sourceInfo({ key: 's.mp4', startTime: 0.5 })],
        ['c.webm', camera(10, 2)],
      ]),
      30,
    );
    expect(first!.camera!.sourceStart).toBeCloseTo(2.137, 9);
    expect(second!.camera!.sourceStart).toBeCloseTo(5.137, 9);
    // The screen has sound: its own plays.
    expect(first!.audio).toBe('screen');
  });

  it('plays the camera’s sound when the screen has none, and names a layout outside the clip', () => {
    const [span] = compileTimeline(
      [{ source: 's.mp4', camera: { source: 'c.webm' } }],
      new Map([
        ['s.mp4', screen],
        ['c.webm', camera()],
      ]),
      30,
    );
    expect(span!.audio).toBe('camera');
    try {
      compileTimeline(
        [{ source: 's.mp4', end: 4, camera: { source: 'c.webm' }, layouts: [{ at: 4.5, layout: 'camera' }] }],
        new Map([
          ['s.mp4', screen],
          ['c.webm', camera()],
        ]),
        30,
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_edit', field: 'clips[0].layouts[0].at' });
    }
  });

  it('splits pieces at scene changes, the screen-only ones without a scene', () => {
    const spans = compileTimeline(
      [{ source: 's.mp4', camera: { source: 'c.webm', offset: -1 } }],
      new Map([
        ['s.mp4', screen],
        ['c.webm', camera()],
      ]),
      30,
    );
    expect(piecesOf(spans, 0, 64).map((p) => [p.startFrame, p.frameCount, p.scene?.layout])).toEqual([
      [0, 30, undefined],
      [30, 34, 'bubble'],
    ]);
  });
});
