import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The page's pure helpers (a browser module without types: imported by a path TypeScript does not resolve). */
interface EditsModule {
  clipBody(clip: unknown, duration: number | undefined): unknown;
  editsBody(state: unknown, durations: Record<string, number>): unknown;
  stateFromEdits(edits: unknown): unknown;
  keptParts(clip: unknown, duration: number | undefined): { parts: Array<[number, number]>; seconds: number };
  curlCommand(origin: string, body: unknown, tokenRequired: boolean): string;
}
const edits = (await import('./edits.js' as string)) as EditsModule;

const clip = (more: object = {}) => ({ source: 'a.mp4', cuts: [], ...more });

describe('the playground form → the mint body', () => {
  it.each([
    ['untouched: the source alone', clip(), { source: 'a.mp4' }],
    ['an end at the duration is no trim', clip({ start: 0, end: 5 }), { source: 'a.mp4' }],
    ['a trim', clip({ start: 1.23456, end: 4 }), { source: 'a.mp4', start: 1.235, end: 4 }],
    [
      'cuts, half-filled ones left out',
      clip({
        cuts: [
          [1, 2],
          [3, undefined],
        ],
      }),
      { source: 'a.mp4', cuts: [[1, 2]] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(edits.clipBody(input, 5)).toEqual(expected);
  });

  it('adds the overlays that are on, and noise suppression when asked', () => {
    const state = {
      clips: [clip()],
      noiseSuppression: true,
      caption: { on: true, text: 'Hi', start: 0, end: 2 },
      logo: { on: false, source: 'brand/logo.png' },
      drawing: {
        on: true,
        strokes: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      },
    };
    expect(edits.editsBody(state, { 'a.mp4': 5 })).toEqual({
      clips: [{ source: 'a.mp4' }],
      noiseSuppression: true,
      overlays: [
        { kind: 'text', text: 'Hi', x: 0.05, y: 0.8, size: 0.07, color: '#ffffff', background: '#000000b3', end: 2 },
        {
          kind: 'drawing',
          strokes: [
            {
              points: [
                [0, 0],
                [1, 1],
              ],
              color: '#ff3b30',
              width: 0.012,
            },
          ],
        },
      ],
    });
    // And back: a revision's edits fill the form that makes them again.
    expect(edits.editsBody(edits.stateFromEdits(edits.editsBody(state, {})), {})).toEqual(edits.editsBody(state, {}));
  });

  it.each([
    ['the whole clip', clip(), [[0, 1]], 10],
    ['a trim', clip({ start: 2, end: 8 }), [[0.2, 0.8]], 6],
    [
      'a cut inside it',
      clip({ start: 2, end: 8, cuts: [[4, 5]] }),
      [
        [0.2, 0.4],
        [0.5, 0.8],
      ],
      5,
    ],
    [
      'overlapping cuts, one past the end',
      clip({
        cuts: [
          [5, 7],
          [1, 3],
          [2, 4],
          [9, 12],
        ],
      }),
      [
        [0, 0.1],
        [0.4, 0.5],
        [0.7, 0.9],
      ],
      4,
    ],
  ])('the timeline bar of %s', (_name, input, parts, seconds) => {
    const kept = edits.keptParts(input, 10);
    expect(kept.parts.map(([a, b]) => [+a.toFixed(6), +b.toFixed(6)])).toEqual(parts);
    expect(kept.seconds).toBeCloseTo(seconds, 9);
  });

  it('writes a curl line whose body survives the shell, quotes and all', () => {
    const body = { clips: [{ source: "it's.mp4" }], overlays: [{ kind: 'text', text: `a 'b' "c" $HOME \\n` }] };
    const line = edits.curlCommand('http://127.0.0.1:8080', body, true);
    expect(line).toContain('-H "Authorization: Bearer $AVSERVER_API_TOKEN"');
    const data = /-d ('.*')$/s.exec(line)![1]!;
    expect(JSON.parse(execFileSync('bash', ['-c', `printf %s ${data}`], { encoding: 'utf8' }))).toEqual(body);
  });
});
