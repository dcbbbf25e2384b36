import { describe, expect, it } from 'vitest';
import { planRevision } from '../../core/plan.js';
import { sourceTime } from '../../core/timeline/source-time.js';
import { piecesOf } from '../../core/timeline/timeline.js';
import { videoSegmentArgs, type VideoSegmentJob } from './video-args.js';
import { revisionRecord, sourceInfo } from '../../../test/helpers/records.js';

const record = revisionRecord([sourceInfo({ duration: 4, audio: null })], { id: 'r' });
const plan = planRevision(record, { segmentDuration: 4 });

function job(index: number, overlays?: VideoSegmentJob['overlays']): VideoSegmentJob {
  const segment = plan.grid.segments[index]!;
  const pieces = piecesOf(plan.spans, segment.startFrame, segment.frameCount).map((p) => ({
    ...p,
    input: '/media/a.mp4',
  }));
  return {
    pieces,
    segment,
    rendition: plan.video[0]!,
    fps: 30,
    encoder: { preset: 'veryfast', threads: 1, crf: 21 },
    overlays,
  };
}
const graph = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;

describe('video segment arguments with overlays', () => {
  it('are the arguments without overlays when none is visible', () => {
    expect(videoSegmentArgs(job(1, []))).toEqual(videoSegmentArgs(job(1)));
    expect(graph(videoSegmentArgs(job(1)))).toMatch(/setpts=PTS\+2\.1333333333333333\/TB\[v\]$/);
  });

  it('read each picture from a file only, by its own demuxer, after the sources, and composite them in order', () => {
    // Segment 1 is frames 64–119: the first overlay covers all of it, the second frames 70–89.
    const args = videoSegmentArgs(
      job(1, [
        { input: '/w/a.png', demuxer: 'png_pipe', filters: [], x: 10, y: 20, first: 0, end: 120 },
        {
          input: '/w/b.jpg',
          demuxer: 'jpeg_pipe',
          filters: ['format=rgba', 'scale=20:10'],
          x: 30,
          y: 40,
          first: 70,
          end: 90,
        },
      ]),
    );
    const inputs = args.flatMap((a, i) => (a === '-i' ? [args[i + 1]] : []));
    expect(inputs).toEqual(['/media/a.mp4', '/w/a.png', '/w/b.jpg']);
    expect(args.slice(args.indexOf('/w/a.png') - 5, args.indexOf('/w/a.png') + 1)).toEqual([
      '-protocol_whitelist',
      'file',
      '-f',
      'png_pipe',
      '-i',
      '/w/a.png',
    ]);
    expect(args.slice(args.indexOf('/w/b.jpg') - 5, args.indexOf('/w/b.jpg') + 1)).toEqual([
      '-protocol_whitelist',
      'file',
      '-f',
      'jpeg_pipe',
      '-i',
      '/w/b.jpg',
    ]);
    const chains = graph(args).split(';');
    expect(chains).toContain('[1:v:0]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[o0]');
    expect(chains).toContain(
      '[2:v:0]format=rgba,scale=20:10,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[o1]',
    );
    expect(chains).toContain('[c0][o0]overlay=x=10:y=20:format=yuv420:eof_action=repeat[c1]');
    // Enabled from half a frame before its first frame to half a frame after its last.
    expect(chains).toContain(
      `[c1][o1]overlay=x=30:y=40:format=yuv420:eof_action=repeat:enable='between(t,2.3166666666666669,2.9833333333333334)'[v]`,
    );
  });
});

describe('video segment seeks', () => {
  it.each([
    ['mov,mp4,m4a,3gp,3g2,mj2', 0.1],
    ['matroska,webm', 0.25],
    ['mpegts', 0.25],
  ])('in %s, land the preroll before each piece, inside the source the job reads', (format, preroll) => {
    // A source whose first frame is at 1.4 s (an MPEG-TS recording's usual start), trimmed and cut.
    const source = { ...sourceInfo({ duration: 20, startTime: 1.4, audio: null }), format };
    const clips = [{ source: source.key, start: 3, cuts: [[9, 10]] as Array<[number, number]> }];
    const p = planRevision(revisionRecord([source], { id: 'r', clips }), { segmentDuration: 4 });
    for (const segment of p.grid.segments) {
      const pieces = piecesOf(p.spans, segment.startFrame, segment.frameCount);
      const args = videoSegmentArgs({
        pieces: pieces.map((piece) => ({ ...piece, input: '/media/a' })),
        segment,
        rendition: p.video[0]!,
        fps: p.fps,
        encoder: { preset: 'veryfast', threads: 1, crf: 21 },
      });
      // -ss counts from the source's first frame.
      const seeks = args.flatMap((a, i) => (a === '-ss' ? [Number(args[i + 1]) + 1.4] : []));
      expect(seeks).toHaveLength(pieces.length);
      pieces.forEach((piece, i) => {
        const at = sourceTime(piece.span, p.fps, { frame: piece.startFrame, frames: piece.frameCount });
        expect(seeks[i]).toBeCloseTo(at.seconds - preroll, 9);
        expect(seeks[i]).toBeGreaterThanOrEqual(at.read.from);
      });
    }
  });
});
