import type { Job } from './job.js';

/**
 * The scheduler's rules, as pure functions of its jobs and the clock (docs/architecture.md,
 * "Scheduling"): which job comes first, when a player's job is urgent, and the next step to take.
 */

/**
 * A player's job counts as needed this much sooner than its deadline: a player asking now comes
 * before lookahead needed about as soon, but lookahead needed in 2 s comes before a player filling a
 * buffer it will need in 20 s.
 */
const PLAYER_PRECEDENCE_MS = 2000;
export const priority = (j: Job) => j.needAt - (j.class === 'player' ? PLAYER_PRECEDENCE_MS : 0);
/** By priority, then the one asked for first. */
const byPriority = (a: Job, b: Job) => priority(a) - priority(b) || a.enqueuedAt - b.enqueuedAt;
/** Needed last first. */
const byPriorityLast = (a: Job, b: Job) => priority(b) - priority(a);
/** A running job is paused for a waiting one only when it is needed this much later. */
const PREEMPT_MARGIN_MS = 2000;
/**
 * How much longer a job takes beside another than alone (measured on 2 cores: a 720p segment 1.8 s
 * alone, 2.4 s beside another; the decoder's threads lose a core). A player's job that would be late
 * at that pace is urgent: it gets the machine to itself.
 */
const SHARED_SLOWDOWN = 1.5;
/** Room for an estimate that is a little short. */
const URGENCY_MARGIN_MS = 250;

/** Lookahead whose stream nobody watches any more (`ScheduleOptions.wanted`). */
export const isUnwanted = (job: Job) => job.class === 'lookahead' && job.wanted !== undefined && !job.wanted();

/** Counts the work running jobs have done since they were last counted (beside another, at the shared pace). */
export function countProgress(jobs: Iterable<Job>, now: number): void {
  const running = [...jobs].filter((j) => j.state === 'running');
  for (const job of running) {
    job.progress += (now - (job.countedTo ?? now)) / (running.length > 1 ? SHARED_SLOWDOWN : 1);
    job.countedTo = now;
  }
}

/** Run time a job still needs alone, by its estimate and the work it has done. */
function remaining(job: Job, now: number): number {
  const since = job.state === 'running' ? now - (job.countedTo ?? now) : 0;
  return Math.max(0, job.estimateMs - job.progress - since);
}

/** When a player's job turns urgent (see isUrgent). */
export function urgentFrom(job: Job, now: number): number {
  return job.needAt - remaining(job, now) * SHARED_SLOWDOWN - URGENCY_MARGIN_MS;
}

/** A player's job that would be late if it shared the machine from now on (and stays urgent once it is). */
export function isUrgent(job: Job, now: number): boolean {
  if (!job.urgent) job.urgent = job.class === 'player' && urgentFrom(job, now) <= now;
  return job.urgent;
}

export interface Slots {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs paused at once. */
  pausedLimit: number;
}

/**
 * Lookahead that cannot be paused must not take the last slot that is free or could be freed: a
 * player's job must always find one.
 */
function mayTakeSlot(job: Job, running: Job[], slots: Slots): boolean {
  if (job.class === 'player' || job.preemptible || slots.concurrency === 1) return true;
  const held = running.filter((j) => j.class === 'lookahead' && !j.preemptible).length;
  return held + 1 < slots.concurrency;
}

export interface Step {
  action: 'drop' | 'pause' | 'resume' | 'start';
  job: Job;
}

/**
 * The next step the rules take, or none when no rule can make progress:
 * - lookahead nobody wants any more is dropped, running or waiting;
 * - while a player's job is urgent, only urgent jobs run: what is not urgent and can be paused steps
 *   aside (needed last first), and nothing else starts; when the paused jobs are at their limit, the
 *   lookahead needed last (paused, or the one to step aside) is dropped to make room;
 * - otherwise the waiting job with the earliest priority starts (or resumes) when a slot is free, and
 *   lookahead that a run still to start will take along waits (`deferWhile`);
 * - when no slot is free, the running job needed last is paused if it can be and is needed well after.
 */
export function nextStep(jobs: Iterable<Job>, now: number, slots: Slots): Step | undefined {
  const all = [...jobs];
  const running = all.filter((j) => j.state === 'running');
  const waiting = all.filter((j) => j.state === 'queued' || j.state === 'paused').sort(byPriority);
  // Its players switched rendition, sought away or left: its slot goes to work someone will watch.
  const unwanted = running.find(isUnwanted) ?? waiting.find(isUnwanted);
  if (unwanted) return { action: 'drop', job: unwanted };
  const mayPause = all.filter((j) => j.state === 'paused').length < slots.pausedLimit;
  const focus = [...running, ...waiting].some((j) => isUrgent(j, now));
  if (focus) {
    const aside = running.filter((j) => j.preemptible && !isUrgent(j, now)).sort(byPriorityLast)[0];
    if (aside && mayPause) return { action: 'pause', job: aside };
    // No room to pause it: the lookahead needed last, paused or this one, is dropped instead.
    const evicted =
      aside &&
      [aside, ...all.filter((j) => j.state === 'paused' && j.class === 'lookahead')]
        .filter((j) => j.class === 'lookahead')
        .sort(byPriorityLast)[0];
    if (evicted) return { action: 'drop', job: evicted };
  }
  const candidates = (focus ? waiting.filter((j) => isUrgent(j, now)) : waiting).filter(
    (j) => j.state === 'paused' || j.class === 'player' || !j.deferWhile?.(),
  );
  const head = candidates[0];
  if (!head) return undefined;
  if (running.length < slots.concurrency) {
    const next = candidates.find((j) => mayTakeSlot(j, running, slots));
    if (!next) return undefined;
    return { action: next.state === 'paused' ? 'resume' : 'start', job: next };
  }
  const victim = running
    .filter((j) => j.preemptible && priority(j) > priority(head) + PREEMPT_MARGIN_MS)
    .sort(byPriorityLast)[0];
  return victim && mayPause ? { action: 'pause', job: victim } : undefined;
}

/** Lookahead a queue over its limit drops first: the queued lookahead needed last. */
export function latestQueuedLookahead(jobs: Iterable<Job>): Job | undefined {
  return [...jobs]
    .filter((j) => j.state === 'queued' && j.class === 'lookahead')
    .sort((a, b) => b.needAt - a.needAt)[0];
}
