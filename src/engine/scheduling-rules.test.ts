import { describe, expect, it } from 'vitest';
import { newJob, type Job, type ScheduleOptions } from './job.js';
import { nextStep } from './scheduling-rules.js';

/** A job in a given state, made as the scheduler makes it. */
function job(name: string, state: Job['state'], options: ScheduleOptions = {}): Job {
  const made = newJob({ key: name, ...options }, 0);
  return { ...made, state, start: () => {}, fail: () => {}, settle: () => {} };
}

const slots = { concurrency: 2, pausedLimit: 2 };
const step = (jobs: Job[], now = 0, limits = slots) => {
  const next = nextStep(jobs, now, limits);
  return next && `${next.action} ${next.job.key}`;
};

describe('nextStep', () => {
  it.each<[string, Job[], string | undefined]>([
    ['nothing to do', [], undefined],
    [
      'a free slot: the earliest deadline starts',
      [job('late', 'queued', { needAt: 9000 }), job('soon', 'queued', { needAt: 100 })],
      'start soon',
    ],
    [
      'a player comes before lookahead needed as soon',
      [job('ahead', 'queued', { class: 'lookahead', needAt: 1000 }), job('player', 'queued', { needAt: 1000 })],
      'start player',
    ],
    [
      'lookahead needed in 2 s comes before a player needing it in 20 s',
      [job('player', 'queued', { needAt: 20_000 }), job('ahead', 'queued', { class: 'lookahead', needAt: 2000 })],
      'start ahead',
    ],
    [
      'lookahead nobody wants is dropped, even running',
      [job('gone', 'running', { class: 'lookahead', wanted: () => false }), job('p', 'queued')],
      'drop gone',
    ],
    [
      'an urgent player makes running lookahead that can pause step aside',
      [
        job('ahead', 'running', { class: 'lookahead', needAt: 5000, preemptible: true }),
        job('start', 'queued', { needAt: 1000, estimateMs: 1000 }),
      ],
      'pause ahead',
    ],
    [
      'while a player is urgent, lookahead does not start in the free slot',
      [job('start', 'running', { needAt: 1000, estimateMs: 1000 }), job('ahead', 'queued', { class: 'lookahead' })],
      undefined,
    ],
    [
      'lookahead that cannot pause never takes the last slot',
      [
        job('audio', 'running', { class: 'lookahead', needAt: 9000 }),
        job('audio2', 'queued', { class: 'lookahead', needAt: 9000 }),
      ],
      undefined,
    ],
    [
      'lookahead a queued video run will take along waits for it',
      [job('audio', 'queued', { class: 'lookahead', deferWhile: () => true })],
      undefined,
    ],
    [
      'no slot: the running job needed well after the head is paused',
      [
        job('a', 'running', { class: 'lookahead', needAt: 30_000, preemptible: true }),
        job('b', 'running', { needAt: 500, estimateMs: 0 }),
        job('p', 'queued', { needAt: 8000 }),
      ],
      'pause a',
    ],
    [
      'no slot, and nothing needed well after: the head waits',
      [
        job('a', 'running', { class: 'lookahead', needAt: 7000, preemptible: true }),
        job('b', 'running', { needAt: 500 }),
        job('p', 'queued', { needAt: 8000 }),
      ],
      undefined,
    ],
    ['a paused job resumes when a slot is free', [job('p', 'paused', { needAt: 5000 })], 'resume p'],
  ])('%s', (_name, jobs, expected) => {
    expect(step(jobs)).toBe(expected);
  });

  it('drops the lookahead needed last when an urgent player needs the machine and no more jobs may pause', () => {
    const urgent = job('start', 'queued', { needAt: 1000, estimateMs: 1000 });
    const running = job('a', 'running', { class: 'lookahead', needAt: 9000, preemptible: true });
    const held = [
      job('p1', 'paused', { class: 'lookahead', needAt: 20_000, preemptible: true }),
      job('p2', 'paused', { class: 'lookahead', needAt: 5000, preemptible: true }),
    ];
    // The paused one needed last makes room; then the running one can step aside.
    expect(step([running, ...held, urgent])).toBe('drop p1');
    expect(step([running, held[1]!, urgent], 0, { concurrency: 2, pausedLimit: 2 })).toBe('pause a');
    // The running one is itself needed last: it is the one dropped.
    const late = job('late', 'running', { class: 'lookahead', needAt: 30_000, preemptible: true });
    expect(step([late, ...held, urgent])).toBe('drop late');
    // A paused player's job is never dropped: the lookahead is.
    const player = job('other', 'paused', { needAt: 40_000, preemptible: true });
    expect(step([running, player, held[1]!, urgent], 0, { concurrency: 2, pausedLimit: 2 })).toBe('drop a');
  });

  it('pauses no more jobs than the limit allows', () => {
    const jobs = [
      job('held', 'paused', { class: 'lookahead', needAt: 40_000, preemptible: true }),
      job('a', 'running', { class: 'lookahead', needAt: 30_000, preemptible: true }),
      job('b', 'running', { needAt: 500 }),
      job('p', 'queued', { needAt: 8000 }),
    ];
    expect(step(jobs, 0, { concurrency: 2, pausedLimit: 1 })).toBeUndefined();
    expect(step(jobs, 0, { concurrency: 2, pausedLimit: 2 })).toBe('pause a');
  });
});
