import { ErrorCode, OriginError } from '../errors.js';

/** Who a job is for: a player waiting on it now, or lookahead nobody waits on yet. */
export type JobClass = 'player' | 'lookahead';

/** How long a job waited for a slot and how long it ran (paused time excluded), in milliseconds. */
export interface JobTiming {
  queueMs: number;
  runMs: number;
}

/** What a running job is given: an abort signal, and a way to be paused while a player's job runs. */
export interface JobHandle {
  /** Aborted when a lookahead job nobody wants any more is dropped while paused. */
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
  /** Lookahead: when a player will need it (scheduler clock, ms). The earliest runs first. */
  needAt?: number;
  /** Lookahead: asked before the job starts or resumes; false drops it (its player has moved on). */
  wanted?: () => boolean;
  /** The job registers pause/resume handlers for its work (a video job's ffmpeg); audio jobs cannot be paused. */
  preemptible?: boolean;
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

interface Job {
  key?: string;
  class: JobClass;
  needAt: number;
  enqueuedAt: number;
  wanted?: () => boolean;
  preemptible: boolean;
  start: () => void;
  fail: (err: unknown) => void;
  /** Set while running. */
  state: 'queued' | 'running' | 'paused' | 'done';
  pausers: Array<{ pause: () => void; resume: () => void }>;
  abort: AbortController;
  pausedAt?: number;
  pausedMs: number;
}

const shuttingDown = () => new OriginError(ErrorCode.Unavailable, 'the server is shutting down');
/**
 * A player's job counts as needed this much sooner than its deadline: a player asking now comes
 * before lookahead needed about as soon, but lookahead needed in 2 s comes before a player filling a
 * buffer it will need in 20 s.
 */
const PLAYER_PRECEDENCE_MS = 2000;
const priority = (j: Job) => j.needAt - (j.class === 'player' ? PLAYER_PRECEDENCE_MS : 0);
/** By priority, then the one asked for first. */
const byPriority = (a: Job, b: Job) => priority(a) - priority(b) || a.enqueuedAt - b.enqueuedAt;
/** A running job is paused for a waiting one only when it is needed this much later. */
const PREEMPT_MARGIN_MS = 2000;

/** Lookahead whose stream nobody watches any more (`ScheduleOptions.wanted`). */
const isUnwanted = (job: Job) => job.class === 'lookahead' && job.wanted !== undefined && !job.wanted();
const unwanted = () => new OriginError(ErrorCode.Overloaded, 'lookahead nobody wants any more');

/**
 * Runs media jobs on a fixed number of slots, earliest deadline first, so that a player about to need
 * a segment never waits behind work nobody needs sooner (docs/architecture.md, "Scheduling"):
 * - every job has a deadline (`needAt`: when a player will need it, as Lookahead estimates), and a
 *   player's job counts as needed PLAYER_PRECEDENCE_MS sooner than lookahead;
 * - the job with the earliest such priority starts when a slot is free; when none is, it pauses the
 *   running job needed last (SIGSTOP), if that one is needed well after it, and takes its slot;
 * - lookahead nobody wants any more (its players moved on) is dropped instead of started or resumed,
 *   and stopped if it is running (its ffmpeg is killed through the job's signal);
 * - lookahead that cannot be paused never takes the last slot, so a player's job always finds one
 *   that is free or can be freed at once;
 * - a player asking for a queued or paused lookahead job promotes it to a player's job.
 */
export class Scheduler {
  readonly #jobs = new Set<Job>();
  readonly #now: () => number;
  #closed = false;

  constructor(readonly options: SchedulerOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  #count(state: Job['state'], cls?: JobClass): number {
    let n = 0;
    for (const j of this.#jobs) if (j.state === state && (!cls || j.class === cls)) n++;
    return n;
  }

  /** Jobs holding a slot. */
  get active(): number {
    return this.#count('running');
  }
  get queued(): number {
    return this.#count('queued');
  }
  get paused(): number {
    return this.#count('paused');
  }
  /** Queued jobs by class (for metrics). */
  queuedOf(cls: JobClass): number {
    return this.#count('queued', cls);
  }
  /** Jobs holding a slot or paused, by class (for metrics). */
  runningOf(cls: JobClass): number {
    return this.#count('running', cls) + this.#count('paused', cls);
  }

  /** Runs `work` when the scheduler gives it a slot; resolves with its value and timing. */
  run<T>(
    work: (handle: JobHandle) => Promise<T>,
    options: ScheduleOptions = {},
  ): Promise<{ value: T; timing: JobTiming }> {
    if (this.#closed) return Promise.reject(shuttingDown());
    const cls = options.class ?? 'player';
    const now = this.#now();
    return new Promise((resolve, reject) => {
      const job: Job = {
        key: options.key,
        class: cls,
        needAt: options.needAt ?? now,
        enqueuedAt: now,
        wanted: options.wanted,
        preemptible: options.preemptible ?? false,
        state: 'queued',
        pausers: [],
        abort: new AbortController(),
        pausedMs: 0,
        fail: reject,
        start: () => {
          job.state = 'running';
          const started = this.#now();
          const handle: JobHandle = {
            signal: job.abort.signal,
            alone: () => this.active <= 1,
            onPause: (pause, resume) => {
              const entry = { pause, resume };
              job.pausers.push(entry);
              // Paused before its work began (it was still resolving its inputs): pause that work too.
              if (job.state === 'paused') pause();
              return () => void job.pausers.splice(job.pausers.indexOf(entry), 1);
            },
          };
          let result: Promise<T>;
          try {
            result = work(handle);
          } catch (err) {
            result = Promise.reject(err);
          }
          result
            .then(
              (value) =>
                resolve({
                  value,
                  timing: { queueMs: started - job.enqueuedAt, runMs: this.#now() - started - job.pausedMs },
                }),
              reject,
            )
            .finally(() => {
              job.state = 'done';
              this.#jobs.delete(job);
              this.#dispatch();
            });
        },
      };
      this.#jobs.add(job);
      this.#dispatch();
      if (job.state === 'queued' && this.queued > this.options.queueLimit) this.#overflow(job);
    });
  }

  /**
   * The queue is over its limit because of `job`: a player's job evicts the lookahead needed last; lookahead is
   * refused.
   */
  #overflow(job: Job): void {
    const latest = [...this.#jobs]
      .filter((j) => j.state === 'queued' && j.class === 'lookahead')
      .sort((a, b) => b.needAt - a.needAt)[0];
    if (job.class === 'player' && latest) {
      this.#drop(latest, new OriginError(ErrorCode.Overloaded, 'dropped to make room for a waiting player'));
      return;
    }
    const message = job.class === 'player' ? 'too many jobs are waiting; retry shortly' : 'the lookahead queue is full';
    this.#drop(job, new OriginError(ErrorCode.Overloaded, message));
  }

  #drop(job: Job, err: unknown): void {
    this.#jobs.delete(job);
    job.abort.abort(err);
    if (job.state === 'paused') for (const p of job.pausers) p.resume();
    job.state = 'done';
    job.fail(err);
  }

  /** Lifts a lookahead job to a player's job (a player asked for the same thing), needed by `needAt` at the latest. */
  promote(key: string, needAt = this.#now()): void {
    for (const job of this.#jobs) {
      if (job.key === key) {
        job.class = 'player';
        job.needAt = Math.min(job.needAt, needAt);
      }
    }
    this.#dispatch();
  }

  #pause(job: Job): void {
    job.state = 'paused';
    job.pausedAt = this.#now();
    for (const p of job.pausers) p.pause();
  }

  #resume(job: Job): void {
    job.state = 'running';
    job.pausedMs += this.#now() - (job.pausedAt ?? this.#now());
    for (const p of job.pausers) p.resume();
  }

  /** Starts, resumes and pauses jobs until no rule can make progress. */
  #dispatch(): void {
    // Running lookahead nobody wants any more (its players switched rendition or sought away) is
    // stopped: its slot goes to work someone will watch.
    for (const job of [...this.#jobs]) {
      if (job.state === 'running' && isUnwanted(job)) this.#drop(job, unwanted());
    }
    for (;;) {
      const running = [...this.#jobs].filter((j) => j.state === 'running');
      const waiting = [...this.#jobs].filter((j) => j.state === 'queued' || j.state === 'paused').sort(byPriority);
      const head = waiting[0];
      if (!head) return;
      if (isUnwanted(head)) {
        this.#drop(head, unwanted());
        continue;
      }
      if (running.length < this.options.concurrency) {
        const next = waiting.find((j) => this.#mayTakeSlot(j, running));
        if (!next) return;
        if (isUnwanted(next)) {
          this.#drop(next, unwanted());
        } else if (next.state === 'paused') {
          this.#resume(next);
        } else {
          next.start();
        }
        continue;
      }
      // No slot: pause the running job that can be paused and is needed last, if it is needed well
      // after the head of the queue.
      const victim = running
        .filter((j) => j.preemptible && priority(j) > priority(head) + PREEMPT_MARGIN_MS)
        .sort((a, b) => priority(b) - priority(a))[0];
      if (!victim || this.paused >= (this.options.pausedLimit ?? this.options.concurrency)) return;
      this.#pause(victim);
    }
  }

  /**
   * Lookahead that cannot be paused must not take the last slot that is free or could be freed: a
   * player's job must always find one.
   */
  #mayTakeSlot(job: Job, running: Job[]): boolean {
    if (job.class === 'player' || job.preemptible || this.options.concurrency === 1) return true;
    const held = running.filter((j) => j.class === 'lookahead' && !j.preemptible).length;
    return held + 1 < this.options.concurrency;
  }

  /** Refuses new jobs and fails every waiting and paused one; running jobs finish (or their runner kills them). */
  close(): void {
    this.#closed = true;
    for (const job of [...this.#jobs])
      if (job.state === 'queued' || job.state === 'paused') this.#drop(job, shuttingDown());
  }
}
