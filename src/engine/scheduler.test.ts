import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import type { JobHandle } from './job.js';
import { Scheduler } from './scheduler.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** A job whose work is a gate the test opens, recording what happens to it. */
function gated(log: string[], name: string, { pausable = false } = {}) {
  const gate = deferred();
  const work = async (handle: JobHandle) => {
    log.push(`start ${name}`);
    if (pausable)
      handle.onPause(
        () => log.push(`pause ${name}`),
        () => log.push(`resume ${name}`),
      );
    await gate.promise;
    log.push(`end ${name}`);
    return name;
  };
  return { work, open: () => gate.resolve() };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Scheduler', () => {
  it('runs at most `concurrency` jobs at once', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10 });
    const log: string[] = [];
    const jobs = ['a', 'b', 'c'].map((n) => gated(log, n));
    const runs = jobs.map((j) => scheduler.run(j.work));
    expect([scheduler.active, scheduler.queued]).toEqual([2, 1]);
    jobs[0]!.open();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end a', 'start c']);
    jobs.forEach((j) => j.open());
    await Promise.all(runs);
  });

  it('starts a waiting player’s job before any lookahead, of its revision or another', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10 });
    const log: string[] = [];
    const blocker = gated(log, 'blocker');
    const other = gated(log, 'other revision lookahead');
    const own = gated(log, 'own lookahead');
    const player = gated(log, 'player');
    const runs = [
      scheduler.run(blocker.work),
      scheduler.run(other.work, { class: 'lookahead', needAt: 0 }),
      scheduler.run(own.work, { class: 'lookahead', needAt: 1 }),
      scheduler.run(player.work, { class: 'player' }),
    ];
    [blocker, player, other, own].forEach((j) => j.open());
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start blocker',
      'start player',
      'start other revision lookahead',
      'start own lookahead',
    ]);
  });

  it('gives a player waiting now the machine: running lookahead is paused, even with a slot free, and resumed after', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const soon = gated(log, 'needed soon', { pausable: true });
    const later = gated(log, 'needed later', { pausable: true });
    const player = gated(log, 'player');
    const runs = [
      scheduler.run(soon.work, { class: 'lookahead', needAt: 10_000, preemptible: true }),
      scheduler.run(later.work, { class: 'lookahead', needAt: 20_000, preemptible: true }),
    ];
    await settle();
    runs.push(scheduler.run(player.work));
    await settle();
    // Both step aside: the player's job decodes on every core, and nothing slows it.
    expect(log).toEqual([
      'start needed soon',
      'start needed later',
      'pause needed later',
      'pause needed soon',
      'start player',
    ]);
    expect([scheduler.active, scheduler.paused]).toEqual([1, 2]);
    player.open();
    await settle();
    expect(log.slice(-2)).toEqual(['resume needed soon', 'resume needed later']);
    soon.open();
    later.open();
    await Promise.all(runs);
  });

  it('starts no lookahead while a player’s job is urgent, and no player’s job that can wait', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const starting = gated(log, 'first segment');
    const nextSegment = gated(log, 'next-segment lookahead');
    const audio = gated(log, 'audio lookahead');
    const buffering = gated(log, 'buffering player');
    const runs = [
      scheduler.run(starting.work, { needAt: 0, estimateMs: 700 }),
      scheduler.run(nextSegment.work, { class: 'lookahead', needAt: 2133, estimateMs: 1600, preemptible: true }),
      scheduler.run(audio.work, { class: 'lookahead', needAt: 2133, estimateMs: 300 }),
      scheduler.run(buffering.work, { needAt: 20_000, estimateMs: 1600 }),
    ];
    await settle();
    expect(log).toEqual(['start first segment']);
    starting.open();
    await settle();
    // Nothing urgent any more: the rest shares the slots, earliest deadline first.
    expect(log.slice(1)).toEqual(['end first segment', 'start next-segment lookahead', 'start audio lookahead']);
    [nextSegment, audio, buffering].forEach((j) => j.open());
    await Promise.all(runs);
  });

  it('makes a player’s job urgent once sharing the machine would make it late, and runs it beside another urgent one', async () => {
    let clock = 0;
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10, now: () => clock });
    const log: string[] = [];
    const seeking = gated(log, 'seeking player');
    const next = gated(log, 'next segment', { pausable: true });
    const runs = [
      scheduler.run(seeking.work, { needAt: 0, estimateMs: 1600 }),
      // Needed in 3 s; takes 1.6 s alone, 2.4 s beside another: it can wait until 0.6 s, less the margin.
      scheduler.run(next.work, { needAt: 3000, estimateMs: 1600, preemptible: true }),
    ];
    await settle();
    expect(log).toEqual(['start seeking player']);
    clock = 300;
    scheduler.tick();
    expect(log).toEqual(['start seeking player']);
    clock = 400;
    scheduler.tick();
    expect(log).toEqual(['start seeking player', 'start next segment']);
    [seeking, next].forEach((j) => j.open());
    const [first, second] = await Promise.all(runs);
    // Neither had the machine to itself from start to end.
    expect([first!.timing.alone, second!.timing.alone]).toEqual([false, false]);
  });

  it('moves a queued lookahead job’s deadline when its players’ position changes', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const blocker = gated(log, 'blocker');
    const a = gated(log, 'seg/3');
    const b = gated(log, 'seg/9');
    const runs = [
      scheduler.run(blocker.work),
      scheduler.run(a.work, { class: 'lookahead', needAt: 1000, key: 'seg/3' }),
      scheduler.run(b.work, { class: 'lookahead', needAt: 2000, key: 'seg/9' }),
    ];
    scheduler.retime('seg/3', 5000);
    [blocker, a, b].forEach((j) => j.open());
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start blocker', 'start seg/9', 'start seg/3']);
  });

  it('pauses a player’s job needed much later for one needed now', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const buffering = gated(log, 'buffering player', { pausable: true });
    const starting = gated(log, 'starting player');
    const runs = [scheduler.run(buffering.work, { needAt: 20_000, preemptible: true })];
    await settle();
    runs.push(scheduler.run(starting.work, { needAt: 0 }));
    await settle();
    expect(log).toEqual(['start buffering player', 'pause buffering player', 'start starting player']);
    // Not for one needed about as soon.
    const soon = gated(log, 'another');
    runs.push(scheduler.run(soon.work, { needAt: 1000 }));
    await settle();
    expect(log.at(-1)).toBe('start starting player');
    [starting, soon, buffering].forEach((j) => j.open());
    await Promise.all(runs);
  });

  it('runs lookahead needed in 2 s before a player’s job needed in 20 s', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const blocker = gated(log, 'blocker');
    const buffering = gated(log, 'buffering player');
    const nextSegment = gated(log, 'next-segment lookahead');
    const runs = [
      scheduler.run(blocker.work),
      scheduler.run(buffering.work, { needAt: 20_000 }),
      scheduler.run(nextSegment.work, { class: 'lookahead', needAt: 2000 }),
    ];
    [blocker, buffering, nextSegment].forEach((j) => j.open());
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start blocker',
      'start next-segment lookahead',
      'start buffering player',
    ]);
  });

  it('never lets lookahead that cannot be paused take the last slot', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10 });
    const log: string[] = [];
    const audio = [gated(log, 'audio 1'), gated(log, 'audio 2')];
    const runs = audio.map((j, i) => scheduler.run(j.work, { class: 'lookahead', needAt: i }));
    await settle();
    expect(log).toEqual(['start audio 1']);
    const player = gated(log, 'player');
    runs.push(scheduler.run(player.work));
    await settle();
    expect(log).toEqual(['start audio 1', 'start player']);
    [...audio, player].forEach((j) => j.open());
    await Promise.all(runs);
  });

  it('runs lookahead in the order players will need it, and drops what nobody wants any more', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10 });
    const log: string[] = [];
    const blocker = gated(log, 'blocker');
    const late = gated(log, 'late');
    const early = gated(log, 'early');
    const abandoned = gated(log, 'abandoned');
    const runs = [
      scheduler.run(blocker.work),
      scheduler.run(late.work, { class: 'lookahead', needAt: 30 }),
      scheduler.run(early.work, { class: 'lookahead', needAt: 10 }),
      scheduler.run(abandoned.work, { class: 'lookahead', needAt: 5, wanted: () => false }),
    ];
    [blocker, late, early, abandoned].forEach((j) => j.open());
    const results = await Promise.allSettled(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start blocker', 'start early', 'start late']);
    expect(results[3]).toMatchObject({ status: 'rejected' });
  });

  it('stops running lookahead once nobody wants it, and gives its slot to a player', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10 });
    const log: string[] = [];
    let watched = true;
    // A segment of the rendition a player is leaving: its work ends only when its signal aborts.
    const leaving = scheduler
      .run(
        (handle) =>
          new Promise<string>((_, reject) => {
            log.push('start leaving');
            handle.signal.addEventListener('abort', () => {
              log.push('killed leaving');
              reject(handle.signal.reason);
            });
          }),
        { class: 'lookahead', needAt: 100, wanted: () => watched },
      )
      .catch((err: unknown) => err);
    const player = gated(log, 'player');
    // While it is still wanted, a player needing something 1 s sooner waits (no pause: it cannot be paused).
    const run = scheduler.run(player.work, { needAt: 0 });
    await settle();
    expect(log).toEqual(['start leaving']);
    // The player switched away: the next decision stops it.
    watched = false;
    scheduler.promote('nothing');
    await settle();
    expect(log).toEqual(['start leaving', 'killed leaving', 'start player']);
    player.open();
    await expect(run).resolves.toMatchObject({ value: 'player' });
    expect(await leaving).toMatchObject({ code: ErrorCode.Overloaded });
  });

  it('promotes queued and paused lookahead when a player asks for it', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const running = gated(log, 'running lookahead', { pausable: true });
    const wanted = gated(log, 'seg/5', { pausable: true });
    const other = gated(log, 'other lookahead');
    const runs = [
      scheduler.run(running.work, { class: 'lookahead', needAt: 5000, key: 'seg/4', preemptible: true }),
      scheduler.run(other.work, { class: 'lookahead', needAt: 6000 }),
      scheduler.run(wanted.work, { class: 'lookahead', needAt: 7000, key: 'seg/5', preemptible: true }),
    ];
    await settle();
    scheduler.promote('seg/5');
    await settle();
    // Promoted ahead of the lookahead needed sooner, and the running lookahead paused for it.
    expect(log).toEqual(['start running lookahead', 'pause running lookahead', 'start seg/5']);
    [running, wanted, other].forEach((j) => j.open());
    await Promise.all(runs);
  });

  it('demotes a player’s job whose requests have gone to lookahead: it steps aside for an urgent one, and is dropped once unwanted', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    let wanted = true;
    const left = gated(log, '720p/3', { pausable: true });
    const taken = gated(log, '1080p/3', { pausable: true });
    const leftRun = scheduler
      .run(left.work, { key: '720p/3', needAt: 1000, estimateMs: 1800, preemptible: true, wanted: () => wanted })
      .catch((err: unknown) => err);
    await settle();
    // The player switched to 1080p: it cancelled its request for 720p/3 and asks for 1080p/3.
    scheduler.demote('720p/3');
    const takenRun = scheduler.run(taken.work, { key: '1080p/3', needAt: 1000, estimateMs: 1800, preemptible: true });
    await settle();
    // A player's job would have shared the machine with it (both urgent); as lookahead it steps aside.
    expect(log).toEqual(['start 720p/3', 'pause 720p/3', 'start 1080p/3']);
    wanted = false;
    scheduler.tick();
    await settle();
    expect(await leftRun).toMatchObject({ code: ErrorCode.Overloaded });
    taken.open();
    await takenRun;
  });

  it('keeps a job a player’s while it carries a player’s lent job', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const video = gated(log, 'video/3');
    const runs = [
      scheduler.run(video.work, { key: 'video/3', wanted: () => false }),
      scheduler.run(async () => 'alone', { key: 'audio/3' }),
    ];
    await settle();
    const audio = deferred<string>();
    expect(scheduler.lend('audio/3', 'video/3', audio.promise)).toBe(true);
    scheduler.demote('video/3');
    await settle();
    // Not dropped as unwanted lookahead: the audio's player still waits on its run.
    video.open();
    audio.resolve('audio/3 from the video run');
    expect(await Promise.all(runs)).toMatchObject([{ value: 'video/3' }, { value: 'audio/3 from the video run' }]);
  });

  it('lends a queued job to a running one that makes its value too, and queues it again if that run fails', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    const video = gated(log, 'video/3');
    const audio = gated(log, 'audio/3');
    const runs = [
      scheduler.run(video.work, { key: 'video/3' }),
      scheduler.run(audio.work, { key: 'audio/3', class: 'lookahead', needAt: 100 }),
    ];
    await settle();
    let made!: (value: string) => void;
    expect(scheduler.lend('audio/3', 'video/3', new Promise((r) => (made = r)))).toBe(true);
    expect(scheduler.queued).toBe(0);
    made('audio/3 from the video run');
    video.open();
    const [, lent] = await Promise.all(runs);
    expect(lent).toMatchObject({ value: 'audio/3 from the video run', timing: { carried: true } });
    expect(log).toEqual(['start video/3', 'end video/3']);

    // A run that cannot make it after all gives it back: it runs on its own.
    const again = [gated(log, 'video/4'), gated(log, 'audio/4')];
    const more = [scheduler.run(again[0]!.work, { key: 'video/4' }), scheduler.run(again[1]!.work, { key: 'audio/4' })];
    await settle();
    expect(scheduler.lend('audio/4', 'video/4', Promise.reject(new Error('no audio')))).toBe(true);
    again[0]!.open();
    await settle();
    again[1]!.open();
    await Promise.all(more);
    expect(log.slice(2)).toEqual(['start video/4', 'end video/4', 'start audio/4', 'end audio/4']);
  });

  it('keeps lookahead waiting while a run that will take it along is still to start', async () => {
    const scheduler = new Scheduler({ concurrency: 2, queueLimit: 10, now: () => 0 });
    const log: string[] = [];
    let videoQueued = true;
    const audio = gated(log, 'audio/5');
    const run = scheduler.run(audio.work, { class: 'lookahead', needAt: 100, deferWhile: () => videoQueued });
    await settle();
    expect(log).toEqual([]);
    // The video run was dropped (its rendition left): the audio runs on its own.
    videoQueued = false;
    scheduler.tick();
    expect(log).toEqual(['start audio/5']);
    audio.open();
    await run;
  });

  it('refuses lookahead when the queue is full, and makes room for a player by dropping the lookahead needed last', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 2 });
    const log: string[] = [];
    const blocker = gated(log, 'blocker');
    const jobs = [gated(log, 'l1'), gated(log, 'l2'), gated(log, 'l3'), gated(log, 'p')];
    const runs = [
      scheduler.run(blocker.work),
      scheduler.run(jobs[0]!.work, { class: 'lookahead', needAt: 1 }),
      scheduler.run(jobs[1]!.work, { class: 'lookahead', needAt: 2 }),
      scheduler.run(jobs[2]!.work, { class: 'lookahead', needAt: 3 }),
      scheduler.run(jobs[3]!.work),
    ];
    [blocker, ...jobs].forEach((j) => j.open());
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(results[2]).toMatchObject({ reason: { code: ErrorCode.Overloaded } });
  });

  it('reports queue and run time, not counting time paused', async () => {
    let clock = 0;
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 10, now: () => clock });
    const log: string[] = [];
    const lookahead = gated(log, 'lookahead', { pausable: true });
    const player = gated(log, 'player');
    const done = scheduler.run(lookahead.work, { class: 'lookahead', needAt: 10_000, preemptible: true });
    clock = 100;
    const urgent = scheduler.run(player.work);
    clock = 400;
    player.open();
    await urgent;
    await settle();
    clock = 450;
    lookahead.open();
    expect((await done).timing).toEqual({ queueMs: 0, runMs: 150, alone: true });
  });

  it('fails waiting and paused jobs and refuses new ones after close', async () => {
    const scheduler = new Scheduler({ concurrency: 1, queueLimit: 5 });
    const log: string[] = [];
    const running = gated(log, 'running');
    const runs = [scheduler.run(running.work), scheduler.run(async () => 1)];
    scheduler.close();
    await expect(runs[1]).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    await expect(scheduler.run(async () => 1)).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    running.open();
    await runs[0];
  });
});
