import { describe, expect, it } from 'vitest';
import { Lookahead, type LookaheadPlan } from './lookahead.js';

const plan: LookaheadPlan = {
  revisionId: 'r',
  // A 2.133 s ramp segment, then 4.267 s ones.
  starts: [0, 2.133, 6.4, 10.667, 14.933, 19.2],
  video: ['1080p', '720p', '480p', '360p'],
  audio: 'audio',
};

function lookahead(segments = 2, idleMs = 12_000) {
  const clock = { now: 0 };
  return { clock, ahead: new Lookahead({ segments, idleMs, now: () => clock.now }) };
}

describe('Lookahead', () => {
  it('plans the next segments of the stream, each needed when a player playing from the request reaches it', () => {
    const { clock, ahead } = lookahead();
    clock.now = 1000;
    expect(ahead.onRequest(plan, '720p', 2)).toEqual({
      needAt: 1000,
      ahead: [
        { rendition: '720p', index: 3, needAt: 1000 + (10.667 - 6.4) * 1000 },
        { rendition: '720p', index: 4, needAt: 1000 + (14.933 - 6.4) * 1000 },
      ],
    });
    expect(ahead.onRequest(plan, '720p', 5).ahead).toEqual([]);
  });

  it('plans the stream asked for, not renditions a player might switch to', () => {
    const { ahead } = lookahead();
    expect(ahead.onRequest(plan, '480p', 0).ahead.map((a) => `${a.rendition}/${a.index}`)).toEqual([
      '480p/1',
      '480p/2',
    ]);
    expect(ahead.onRequest(plan, 'audio', 0).ahead.map((a) => `${a.rendition}/${a.index}`)).toEqual([
      'audio/1',
      'audio/2',
    ]);
  });

  it('wants lookahead while its stream is watched, and not after nobody asked for idleMs', () => {
    const { clock, ahead } = lookahead(2, 12_000);
    ahead.onRequest(plan, '720p', 2);
    expect(ahead.wanted(plan, '720p', 3)).toBe(true);
    // Behind the player: it sought past it.
    expect(ahead.wanted(plan, '720p', 1)).toBe(false);
    // The segment asked for, once its request has gone: still wanted, until a sibling's is asked for.
    expect(ahead.wanted(plan, '720p', 2)).toBe(true);
    clock.now = 12_001;
    expect(ahead.wanted(plan, '720p', 3)).toBe(false);
    ahead.onRequest(plan, '720p', 2);
    expect(ahead.wanted(plan, '720p', 3)).toBe(true);
  });

  it('drops the rendition a player has left for another, until someone asks for it again', () => {
    const { clock, ahead } = lookahead();
    ahead.onRequest(plan, '480p', 0);
    ahead.onRequest(plan, 'audio', 0);
    clock.now = 900;
    ahead.onRequest(plan, '720p', 1);
    expect(ahead.wanted(plan, '480p', 1)).toBe(false);
    expect(ahead.wanted(plan, '720p', 2)).toBe(true);
    // Audio is not a video rendition: no switch leaves it behind.
    expect(ahead.wanted(plan, 'audio', 1)).toBe(true);
    // Another viewer, further along at 480p.
    clock.now = 1800;
    ahead.onRequest(plan, '480p', 3);
    expect(ahead.wanted(plan, '480p', 4)).toBe(true);
  });

  it('gives each request a deadline from where the revision’s players are, restarting at a seek', () => {
    const { clock, ahead } = lookahead();
    // The first request anchors the estimate: segment 0, now.
    expect(ahead.onRequest(plan, '480p', 0).needAt).toBe(0);
    // Three seconds later a player buffering ahead asks for segment 3 (10.667 s): needed in 7.667 s.
    clock.now = 3000;
    expect(ahead.onRequest(plan, '720p', 3).needAt).toBeCloseTo(10_667, 6);
    expect(ahead.onRequest(plan, 'audio', 3).needAt).toBeCloseTo(10_667, 6);
    // A segment the estimated playhead has passed is needed now or earlier: it is overdue.
    clock.now = 12_000;
    expect(ahead.onRequest(plan, '720p', 2).needAt).toBeLessThan(12_000);
    // A seek far back restarts the estimate there.
    const long = { ...plan, starts: Array.from({ length: 100 }, (_, i) => i * 4) };
    clock.now = 100_000;
    expect(ahead.onRequest(long, '720p', 90).needAt).toBe(100_000);
    expect(ahead.onRequest(long, '720p', 91).needAt).toBe(104_000);
  });

  it('restarts the estimate at a segment answered after it was needed: its player waited there', () => {
    const { clock, ahead } = lookahead();
    ahead.onRequest(plan, '480p', 0);
    // The first segment arrives 0.8 s after it was asked for: playback starts then, not at the request.
    clock.now = 800;
    ahead.onAnswered(plan, 0);
    expect(ahead.onRequest(plan, '720p', 1).needAt).toBeCloseTo(800 + 2133, 6);
    ahead.onAnswered(plan, 1);
    // Answered in time: the estimate stays.
    clock.now = 1500;
    expect(ahead.onRequest(plan, '720p', 2).needAt).toBeCloseTo(800 + 6400, 6);
    ahead.onAnswered(plan, 2);
  });

  it('wants nothing more once a revision’s players have left: the next segment was not asked for in time', () => {
    const { clock, ahead } = lookahead();
    ahead.onRequest(plan, '480p', 0);
    ahead.onRequest(plan, 'audio', 0);
    clock.now = 700;
    ahead.onAnswered(plan, 0);
    ahead.onAnswered(plan, 0);
    // Until segment 1 is due (0.7 + 2.133 s) and a second of grace, a player may still ask for it.
    clock.now = 3800;
    expect(ahead.wanted(plan, '480p', 1)).toBe(true);
    expect(ahead.wanted(plan, 'audio', 2)).toBe(true);
    clock.now = 3900;
    expect(ahead.wanted(plan, '480p', 1)).toBe(false);
    expect(ahead.wanted(plan, 'audio', 2)).toBe(false);
  });

  it('never takes a player waiting for a slow segment for one that left', () => {
    const { clock, ahead } = lookahead();
    ahead.onRequest(plan, '720p', 0);
    // The segment takes 10 s to make: its player is still there, waiting.
    clock.now = 10_000;
    expect(ahead.wanted(plan, '720p', 1)).toBe(true);
  });

  it('wants nothing for a stream nobody asked for, and what mint expects', () => {
    const { ahead } = lookahead();
    expect(ahead.wanted(plan, '480p', 0)).toBe(false);
    ahead.expect('r', '480p', -1);
    expect(ahead.wanted(plan, '480p', 0)).toBe(true);
  });

  it('plans nothing with no lookahead configured, but still tracks what players watch', () => {
    const { ahead } = lookahead(0);
    expect(ahead.onRequest(plan, '720p', 1).ahead).toEqual([]);
    expect(ahead.wanted(plan, '720p', 2)).toBe(true);
  });
});
