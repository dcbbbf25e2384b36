/**
 * A job on the scheduler: what a caller gives (`ScheduleOptions`) and gets (`JobHandle`, `JobTiming`),
 * and what the scheduler keeps of it (`Job`), which its rules read (scheduling-rules.ts).
 */

/** Who a job is for: a player waiting on it now, or lookahead nobody waits on yet. */
export type JobClass = 'player' | 'lookahead';

/** How long a job waited for a slot and how long it ran (paused time excluded), in milliseconds. */
export interface JobTiming {
  queueMs: number;
  runMs: number;
  /** Whether the job had the machine to itself for its whole run (no other job running beside it). */
  alone: boolean;
  /** Made by the run of the job it was lent to (see `Scheduler.lend`), not by a run of its own. */
  carried?: boolean;
}

/** What a running job is given: an abort signal, and a way to be paused while a player's job runs. */
export interface JobHandle {
  /** Aborted when a lookahead job nobody wants any more is dropped. */
  readonly signal: AbortSignal;
  /** Whether this job has the machine to itself right now (no other job running). */
  alone(): boolean;
  /**
   * Makes the job preemptible: `pause` and `resume` stop and continue its work (SIGSTOP/SIGCONT of
   * its ffmpeg). Returns a function that unregisters them (the process exited).
   */
  onPause(pause: () => void, resume: () => void): () => void;
}

export interface ScheduleOptions {
  /** Names the job (its artifact key), so a player asking for a queued lookahead job promotes it. */
  key?: string;
  class?: JobClass;
  /** When a player will need it (scheduler clock, ms). The earliest runs first. */
  needAt?: number;
  /**
   * How long the job takes with the machine to itself (ms): a player's job becomes urgent once
   * starting it any later would miss `needAt`. Unknown: 0 (urgent only once it is due).
   */
  estimateMs?: number;
  /** Lookahead: asked before the job starts or resumes, and while it runs; false drops it (its player has moved on). */
  wanted?: () => boolean;
  /** The job registers pause/resume handlers for its work (a video job's ffmpeg); audio jobs cannot be paused. */
  preemptible?: boolean;
  /** Created lent to a running job that makes its value too (see `Scheduler.lend`). */
  lentTo?: { carrierKey: string; value: Promise<unknown> };
  /**
   * Lookahead: asked before the job starts; true keeps it waiting, because a job still to start will
   * make its value too and take it along (see `lend`).
   */
  deferWhile?: () => boolean;
}

export interface SchedulerOptions {
  /** Jobs running at once: one per core (a job is one x264 thread plus its decoder). */
  concurrency: number;
  /** Jobs allowed to wait; beyond it a player's job gets `overloaded` and lookahead is not queued. */
  queueLimit: number;
  /** Jobs paused at once (each keeps its ffmpeg's memory). */
  pausedLimit?: number;
  now?: () => number;
}

/** A job as the scheduler keeps it. */
export interface Job {
  key?: string;
  class: JobClass;
  needAt: number;
  estimateMs: number;
  enqueuedAt: number;
  wanted?: () => boolean;
  deferWhile?: () => boolean;
  preemptible: boolean;
  start: () => void;
  fail: (err: unknown) => void;
  /** Settles the job with a value made elsewhere (see `lend`). */
  settle: (value: unknown, timing: JobTiming) => void;
  /** lent: waiting outside the queue for a running job that makes its value too (see `lend`). */
  state: 'queued' | 'running' | 'paused' | 'lent' | 'done';
  /** The running job a lent job waits for. */
  carrier?: Job;
  pausers: Array<{ pause: () => void; resume: () => void }>;
  abort: AbortController;
  startedAt?: number;
  pausedAt?: number;
  pausedMs: number;
  /** Ran beside another job at some point. */
  shared: boolean;
  /** Work done, in ms of running alone (time beside another job counts 1 / SHARED_SLOWDOWN). */
  progress: number;
  /** Until when `progress` is counted. */
  countedTo?: number;
  /** Once urgent, a job stays so: it is never paused for being ahead of its pace. */
  urgent: boolean;
}

/** A new job's state, queued now, without the callbacks that settle it. */
export function newJob(options: ScheduleOptions, now: number): Omit<Job, 'start' | 'fail' | 'settle'> {
  return {
    key: options.key,
    class: options.class ?? 'player',
    needAt: options.needAt ?? now,
    estimateMs: options.estimateMs ?? 0,
    enqueuedAt: now,
    wanted: options.wanted,
    deferWhile: options.deferWhile,
    preemptible: options.preemptible ?? false,
    state: 'queued',
    pausers: [],
    abort: new AbortController(),
    pausedMs: 0,
    shared: false,
    progress: 0,
    urgent: false,
  };
}

/** What a job's work is given when it starts: its abort signal, and a way to register pause/resume. */
export function handleOf(job: Job, alone: () => boolean): JobHandle {
  return {
    signal: job.abort.signal,
    alone,
    onPause: (pause, resume) => {
      const entry = { pause, resume };
      job.pausers.push(entry);
      // Paused before its work began (it was still resolving its inputs): pause that work too.
      if (job.state === 'paused') pause();
      return () => void job.pausers.splice(job.pausers.indexOf(entry), 1);
    },
  };
}
