import { describe, expect, it } from 'vitest';
import type { VideoRendition } from '../core/picture/ladder.js';
import { planRevision, type Plan } from '../core/plan.js';
import { Lookahead } from '../engine/lookahead.js';
import type { JobHandle } from '../engine/job.js';
import { Scheduler } from '../engine/scheduler.js';
import { silentLogger } from '../logger.js';
import { box } from '../media/mp4/writer.js';
import { ProcessError } from '../media/process-runner.js';
import { MemoryRevisionStore } from '../stores/memory-revision-store.js';
import { PlaybackService } from './playback-service.js';
import type { SegmentMaker } from './segment-maker.js';
import { revisionRecord, sourceInfo } from '../../test/helpers/records.js';

/**
 * The scheduling rules through the playback service, with a fake segment maker on a fake clock: jobs
 * take a fixed amount of running time, and the test moves time on. No ffmpeg, no wall-clock timing.
 */
const record = (id: string) =>
  revisionRecord([sourceInfo({ key: `${id}.mp4`, duration: 60, width: 1920, height: 1080 })], { id });
const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBB';

/** Just enough of an init segment for the codec check: a moov holding an avcC for High at the rendition's level. */
const fakeInit = (r: VideoRendition) =>
  box('moov', Buffer.from('avcC', 'latin1'), Buffer.from([1, 100, 0, r.levelIdc]));

interface FakeJob {
  name: string;
  left: number;
  paused: boolean;
  finish: () => void;
}

/** A segment maker whose jobs each need `cost(name)` ms of running (not paused) fake time. */
function harness(options: { lookahead?: number; cost?: (name: string) => number; failWithAudio?: boolean } = {}) {
  const clock = { now: 0 };
  const log: string[] = [];
  const running = new Set<FakeJob>();
  const cost = options.cost ?? (() => 1000);
  const job = (name: string, handle: JobHandle, pausable: boolean) =>
    new Promise<void>((resolve) => {
      const j: FakeJob = { name, left: cost(name), paused: false, finish: resolve };
      log.push(`start ${name}`);
      running.add(j);
      if (pausable) {
        handle.onPause(
          () => ((j.paused = true), log.push(`pause ${name}`)),
          () => ((j.paused = false), log.push(`resume ${name}`)),
        );
      }
    });
  const name = (plan: Plan, rendition: string, index: number) => `${plan.revisionId[0]}/${rendition}/${index}`;
  const maker: SegmentMaker = {
    async video(plan, rendition, index, handle, withAudio) {
      const made = name(plan, rendition.id, index);
      await job(withAudio ? `${made}+audio` : made, handle, true);
      if (withAudio && options.failWithAudio) throw new ProcessError('ffmpeg exited with 1', 'exit', '');
      const audio = withAudio ? { audio: Buffer.from(name(plan, 'audio', index)) } : {};
      return { init: fakeInit(rendition), media: Buffer.from(made), ...audio };
    },
    async audio(plan, index, handle) {
      await job(name(plan, 'audio', index), handle, false);
      return Buffer.from(name(plan, 'audio', index));
    },
    async init(rendition: VideoRendition) {
      log.push(`init ${rendition.id}`);
      return fakeInit(rendition);
    },
    async iframe(plan, rendition, index, handle) {
      const made = `${name(plan, rendition.id, index)}/iframe`;
      await job(made, handle, false);
      return Buffer.from(made);
    },
    async sheet(plan, _board, sheet, handle) {
      const made = `${plan.revisionId[0]}/sheet/${sheet}`;
      await job(made, handle, false);
      return Buffer.from(made);
    },
    async still(plan, frame, size, format, handle) {
      const made = `${plan.revisionId[0]}/still/${frame}/${size.width}x${size.height}.${format}`;
      await job(made, handle, false);
      return Buffer.from(made);
    },
  };
  const store = new MemoryRevisionStore();
  const scheduler = new Scheduler({ concurrency: 2, queueLimit: 50, now: () => clock.now });
  const lookahead = new Lookahead({ segments: options.lookahead ?? 2, idleMs: 60_000, now: () => clock.now });
  const plans = { plan: async (id: string) => planRevision((await store.getRevision(id))!, { segmentDuration: 4 }) };
  const playback = new PlaybackService({
    revisions: plans,
    scheduler,
    maker,
    lookahead,
    logger: silentLogger,
    requestWaitMs: 600_000,
    artifactCacheBytes: 1 << 30,
  });
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  /** Moves the fake clock on, finishing jobs as their running time runs out. */
  const advance = async (ms: number) => {
    for (let step = 0; step < ms; step += 10) {
      // Whatever the last step set off (a job starting, a request resolving) happens first.
      await settle();
      clock.now += 10;
      for (const j of [...running]) {
        if (j.paused) continue;
        j.left -= 10;
        if (j.left <= 0) {
          running.delete(j);
          log.push(`end ${j.name}`);
          j.finish();
        }
      }
    }
    await settle();
  };
  return {
    clock,
    log,
    playback,
    plans,
    scheduler,
    advance,
    settle,
    save: (id: string) => store.saveRevision(record(id), 3600),
  };
}

describe('scheduling, through the playback service', () => {
  it('gives players waiting now the machine: no lookahead starts, their own revision’s or another’s', async () => {
    const h = harness();
    await Promise.all([h.save(A), h.save(B)]);
    const a0 = h.playback.mediaSegment(A, '480p', 0);
    await h.settle();
    // A's player job alone: its lookahead waits.
    expect(h.log).toEqual(['start A/480p/0']);
    const b0 = h.playback.mediaSegment(B, '480p', 0);
    await h.settle();
    // B's player is waiting too: it takes the other slot.
    expect(h.log).toEqual(['start A/480p/0', 'start B/480p/0']);
    await h.advance(1000);
    expect((await a0).cacheStatus).toBe('miss');
    expect((await b0).cacheStatus).toBe('miss');
    // Then lookahead, the segments needed first.
    expect(h.log.slice(2, 6).sort()).toEqual(['end A/480p/0', 'end B/480p/0', 'start A/480p/1', 'start B/480p/1']);
    await h.advance(5000);
  });

  it('pauses lookahead for a player who starts, and resumes it after', async () => {
    const h = harness();
    await Promise.all([h.save(A), h.save(B)]);
    const a0 = h.playback.mediaSegment(A, '480p', 0);
    await h.advance(1000);
    await a0;
    expect(h.log).toEqual(['start A/480p/0', 'end A/480p/0', 'start A/480p/1', 'start A/480p/2']);
    const b0 = h.playback.mediaSegment(B, '480p', 0);
    await h.settle();
    expect(h.log.slice(4)).toEqual(['pause A/480p/2', 'pause A/480p/1', 'start B/480p/0']);
    await h.advance(1000);
    expect((await b0).cacheStatus).toBe('miss');
    // Then the rest, earliest deadline first: A's next segment, B's own lookahead, A's later one.
    expect(h.log.slice(7, 10)).toEqual(['end B/480p/0', 'resume A/480p/1', 'start B/480p/1']);
    await h.advance(5000);
    expect(h.log).toContain('resume A/480p/2');
  });

  it('drops lookahead of a rendition the player has left, and promotes what it asks for', async () => {
    // The first segment is half a full one.
    const h = harness({ cost: (name) => (name.endsWith('/0') ? 500 : 1000) });
    await h.save(A);
    const first = h.playback.mediaSegment(A, '480p', 0);
    await h.advance(500);
    await first;
    // Lookahead once the player has its segment: 480p/1 and 480p/2 running.
    expect(h.log).toEqual(['start A/480p/0', 'end A/480p/0', 'start A/480p/1', 'start A/480p/2']);
    // The player moves to 720p: its segment is made when asked, and 480p's lookahead stops.
    const up = h.playback.mediaSegment(A, '720p', 1);
    await h.advance(6000);
    expect((await up).cacheStatus).toBe('miss');
    const started = h.log.filter((l) => l.startsWith('start')).map((l) => l.slice(6));
    expect(started).toContain('A/720p/2');
    expect(started).not.toContain('A/480p/3');
  });

  it('lets a segment whose request was cancelled step aside for the one its player asks for instead', async () => {
    const h = harness({ lookahead: 0, cost: (name) => (name.includes('1080p') ? 2000 : 1500) });
    await h.save(A);
    const first = h.playback.mediaSegment(A, '480p', 0);
    await h.advance(1500);
    await first;
    // Needed in 2.5 s, and 1.5 s of work: urgent before long.
    h.clock.now = 2500;
    const cancel = new AbortController();
    const left = h.playback.mediaSegment(A, '720p', 1, cancel.signal).catch((err: unknown) => err);
    await h.advance(200);
    // The player switches to 1080p: it cancels the 720p load and asks for 1080p's.
    cancel.abort();
    const up = h.playback.mediaSegment(A, '1080p', 1);
    await h.settle();
    expect(h.log.slice(-2)).toEqual(['pause A/720p/1', 'start A/1080p/1']);
    await h.advance(2000);
    expect((await up).cacheStatus).toBe('miss');
    // The request that went away is answered all the same once its job ends (or fails as unwanted).
    await h.advance(2000);
    await left;
  });

  it('makes a segment’s audio in its video run when players will want it, and its init from that run too', async () => {
    const h = harness();
    await h.save(A);
    await h.playback.prewarm(A);
    await h.settle();
    expect(h.log).toEqual(['start A/480p/0+audio']);
    // The player asks for the init, the segment and the audio: all come out of the one run.
    const asked = [
      h.playback.initSegment(A, '480p'),
      h.playback.mediaSegment(A, '480p', 0),
      h.playback.mediaSegment(A, 'audio', 0),
    ];
    await h.advance(1000);
    const [init, video, audio] = await Promise.all(asked);
    expect([init!.cacheStatus, video!.cacheStatus, audio!.cacheStatus]).toEqual([
      'coalesced',
      'coalesced',
      'coalesced',
    ]);
    expect(audio!.body.toString()).toBe('A/audio/0');
    expect(h.log.slice(0, 2)).toEqual(['start A/480p/0+audio', 'end A/480p/0+audio']);
    expect(h.log.filter((l) => l.startsWith('init') || l === 'start A/audio/0')).toEqual([]);
    await h.advance(5000);
  });

  it('makes the picture and the audio apart when a run with both fails: a broken audio track keeps its picture', async () => {
    const h = harness({ failWithAudio: true });
    await h.save(A);
    await h.playback.prewarm(A);
    const asked = [h.playback.mediaSegment(A, '480p', 0), h.playback.mediaSegment(A, 'audio', 0)];
    await h.advance(3000);
    const [video, audio] = await Promise.all(asked);
    expect([video!.body.toString(), audio!.body.toString()]).toEqual(['A/480p/0', 'A/audio/0']);
    expect(h.log.filter((l) => l.startsWith('start')).slice(0, 3)).toEqual([
      'start A/480p/0+audio',
      'start A/480p/0',
      'start A/audio/0',
    ]);
  });

  it('keeps ahead of a 1× player, which never waits after its first segment', async () => {
    // A 720p job takes a quarter of a full segment's length; 480p a sixth.
    const h = harness({ cost: (name) => (name.includes('720p') ? 1100 : 700) });
    await h.save(A);
    const plan = await h.plans.plan(A);
    const starts = plan.grid.segments.map((s) => s.start * 1000);
    const answered: Array<{ status: string; at: number }> = [];
    const first = h.playback.mediaSegment(A, '480p', 0);
    await h.advance(800);
    await first;
    const playStart = h.clock.now;
    // It switches to 720p at once, as hls.js does after its first segment: that one is made when asked,
    // with the machine to itself. Then each is asked for as late as a player can — a second before it
    // plays — and lookahead has made it already.
    for (let i = 1; i < plan.grid.segments.length; i++) {
      const due = i === 1 ? h.clock.now : playStart + starts[i]! - 1000;
      if (h.clock.now < due) await h.advance(due - h.clock.now);
      const request = h.playback.mediaSegment(A, '720p', i);
      while (!answered[i]) {
        const done = await Promise.race([
          request.then((r) => r.cacheStatus),
          new Promise<undefined>((r) => setImmediate(() => r(undefined))),
        ]);
        if (done) answered[i] = { status: done, at: h.clock.now };
        else await h.advance(10);
      }
    }
    expect(answered[1]!.at).toBeLessThan(playStart + starts[1]!);
    expect(answered.slice(2).filter((a) => a.status !== 'hit')).toEqual([]);
  });

  it('promotes a queued lookahead job a player asks for: joined, not run twice, and no longer dropped', async () => {
    const h = harness({ lookahead: 4 });
    await h.save(A);
    const first = h.playback.mediaSegment(A, '720p', 5);
    await h.settle();
    expect(h.log).toEqual(['start A/720p/5']);
    // A player asks for 720p/9, queued as lookahead behind 6, 7 and 8…
    const asked = h.playback.mediaSegment(A, '720p', 9);
    // …then players move to 1080p: 720p's lookahead is no longer wanted, but 9 has a player now.
    h.clock.now += 100;
    const other = h.playback.mediaSegment(A, '1080p', 6);
    await h.advance(6000);
    expect((await asked).cacheStatus).toBe('coalesced');
    const started = h.log.filter((l) => l.startsWith('start')).map((l) => l.slice(6));
    expect(started.filter((n) => n === 'A/720p/9')).toHaveLength(1);
    expect(started).not.toContain('A/720p/7');
    await Promise.all([first, other]);
  });

  it("makes a thumbnail as a player's job, once however many ask, at the frame and size asked for", async () => {
    const h = harness({ cost: () => 200 });
    await h.save(A);
    const asks = Promise.all([
      h.playback.thumbnail(A, 'thumbnail', 320, 12.5),
      h.playback.thumbnail(A, 'thumbnail', 320, 12.5),
    ]);
    await h.advance(300);
    const [first, second] = await asks;
    // 12.5 s at 30 fps is frame 375; a 16:9 canvas 320 wide is 180 high.
    expect(first.body.toString()).toBe('A/still/375/320x180.jpg');
    expect(first.contentType).toBe('image/jpeg');
    expect([first.cacheStatus, second.cacheStatus].sort()).toEqual(['coalesced', 'miss']);
    expect(h.log.filter((l) => l.startsWith('start'))).toEqual(['start A/still/375/320x180.jpg']);
    const poster = h.playback.poster(A, 'posterWebp');
    await h.advance(300);
    // The middle of 60 s, 1280 wide.
    expect((await poster).body.toString()).toBe('A/still/900/1280x720.webp');
  });

  it.each([
    [320, 60.001, 'not_found'],
    [320, 61, 'not_found'],
    [100, 1, 'bad_path'],
    [48, 1, 'bad_path'],
    [1936, 1, 'bad_path'],
  ])('refuses a thumbnail %i wide at %d s (%s)', async (width, time, code) => {
    const h = harness();
    await h.save(A);
    await expect(h.playback.thumbnail(A, 'thumbnail', width, time)).rejects.toMatchObject({ code });
  });
});
