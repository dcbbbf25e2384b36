import { ErrorCode, OriginError } from '../errors.js';

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

interface Job {
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
/**
 * How much longer a job takes beside another than alone (measured on 2 cores: a 720p segment 1.8 s
 * alone, 2.4 s beside another; the decoder's threads lose a core). A player's job that would be late
 * at that pace is urgent: it gets the machine to itself.
 */
const SHARED_SLOWDOWN = 1.5;
/** Room for an estimate that is a little short. */
const URGENCY_MARGIN_MS = 250;
/** While lookahead exists, how often the rules are applied again (a stream's players may have left). */
const WANTED_POLL_MS = 250;

/** Lookahead whose stream nobody watches any more (`ScheduleOptions.wanted`). */
const isUnwanted = (job: Job) => job.class === 'lookahead' && job.wanted !== undefined && !job.wanted();
const unwanted = () => new OriginError(ErrorCode.Overloaded, 'lookahead nobody wants any more');

/**
 * Runs media jobs on a fixed number of slots, earliest deadline first, so that a player about to need
 * a segment never waits behind work nobody needs sooner (docs/architecture.md, "Scheduling"):
 * - every job has a deadline (`needAt`: when a player will need it, as Lookahead estimates), and a
 *   player's job counts as needed PLAYER_PRECEDENCE_MS sooner than lookahead;
 * - a player's job is **urgent** once it would be late sharing the machine (its estimate, slowed by
 *   SHARED_SLOWDOWN, reaches its deadline). While one is, only urgent jobs run: other work that can be
 *   paused is paused and nothing else starts, so the urgent job has every core (a job alone decodes on
 *   all of them). A viewer starting or seeking gets its segment in the time one job takes alone, and
 *   speculative work never slows it;
 * - otherwise the job with the earliest priority starts when a slot is free; when none is, it pauses
 *   the running job needed last (SIGSTOP), if that one is needed well after it, and takes its slot;
 * - lookahead nobody wants any more (its players moved on or left) is dropped instead of started or
 *   resumed, and stopped if it is running (its ffmpeg is killed through the job's signal);
 * - lookahead that cannot be paused never takes the last slot, so a player's job always finds one
 *   that is free or can be freed at once;
 * - a player asking for a queued or paused lookahead job promotes it to a player's job;
 * - a job whose value another job's run makes too is lent to that run (`lend`), and lookahead that
 *   such a run will take along waits for it (`deferWhile`).
 */
export class Scheduler {
  readonly #jobs = new Set<Job>();
  readonly #now: () => number;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /** Set while the rules are being applied: a job's work that schedules more work asks for another pass. */
  #dispatching = false;
  #again = false;

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
        fail: reject,
        settle: (value, timing) => resolve({ value: value as T, timing }),
        start: () => {
          job.state = 'running';
          const started = this.#now();
          job.startedAt = started;
          job.countedTo = started;
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
                  timing: {
                    queueMs: started - job.enqueuedAt,
                    runMs: this.#now() - started - job.pausedMs,
                    alone: !job.shared,
                  },
                }),
              reject,
            )
            .finally(() => {
              this.#countProgress();
              job.state = 'done';
              this.#jobs.delete(job);
              this.#dispatch();
            });
        },
      };
      this.#jobs.add(job);
      const carrier = options.lentTo && this.#carrier(options.lentTo.carrierKey);
      if (carrier) this.#lend(job, carrier, options.lentTo!.value);
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

  /**
   * Lifts a lookahead job to a player's job (a player asked for the same thing), needed by `needAt` at
   * the latest. A lent job lifts the job that carries it.
   */
  promote(key: string, needAt = this.#now()): void {
    for (const job of this.#jobs) {
      if (job.key === key) {
        for (const lifted of [job, ...(job.state === 'lent' ? [job.carrier!] : [])]) {
          lifted.class = 'player';
          lifted.needAt = Math.min(lifted.needAt, needAt);
        }
      }
    }
    this.#dispatch();
  }

  /**
   * Lends the queued job `key` to the running job `carrierKey`, which makes its value too (a video
   * segment's run makes the audio segment of the same index): it leaves the queue, settles with
   * `value` and the carrier's timing, and comes back to the queue if `value` fails. False (nothing
   * lent) when `key` is not queued or `carrierKey` is not running.
   */
  lend(key: string, carrierKey: string, value: Promise<unknown>): boolean {
    const job = [...this.#jobs].find((j) => j.key === key && j.state === 'queued');
    const carrier = this.#carrier(carrierKey);
    if (!job || !carrier) return false;
    this.#lend(job, carrier, value);
    this.#dispatch();
    return true;
  }

  #carrier(key: string): Job | undefined {
    return [...this.#jobs].find((j) => j.key === key && (j.state === 'running' || j.state === 'paused'));
  }

  #lend(job: Job, carrier: Job, value: Promise<unknown>): void {
    job.state = 'lent';
    job.carrier = carrier;
    if (job.class === 'player') {
      carrier.class = 'player';
      carrier.needAt = Math.min(carrier.needAt, job.needAt);
    }
    value.then(
      (v) => {
        if (job.state !== 'lent') return;
        const now = this.#now();
        const started = carrier.startedAt ?? now;
        job.state = 'done';
        this.#jobs.delete(job);
        job.settle(v, {
          queueMs: Math.max(0, started - job.enqueuedAt),
          runMs: now - Math.max(started, job.enqueuedAt),
          alone: false,
          carried: true,
        });
      },
      () => {
        if (job.state !== 'lent') return;
        job.carrier = undefined;
        if (this.#closed) return this.#drop(job, shuttingDown());
        job.state = 'queued';
        this.#dispatch();
      },
    );
  }

  /** Moves a lookahead job's deadline (its players' estimated position changed: they stalled, or sought). */
  retime(key: string, needAt: number): void {
    for (const job of this.#jobs) if (job.key === key && job.class === 'lookahead') job.needAt = needAt;
    this.#dispatch();
  }

  /** Applies the rules again now (the scheduler's own timer calls this; a test does after moving its clock). */
  tick(): void {
    this.#dispatch();
  }

  #pause(job: Job): void {
    job.state = 'paused';
    job.pausedAt = this.#now();
    for (const p of job.pausers) p.pause();
  }

  #resume(job: Job): void {
    job.state = 'running';
    job.countedTo = this.#now();
    job.pausedMs += this.#now() - (job.pausedAt ?? this.#now());
    for (const p of job.pausers) p.resume();
  }

  /** Counts the work running jobs have done since they were last counted. */
  #countProgress(): void {
    const now = this.#now();
    const running = [...this.#jobs].filter((j) => j.state === 'running');
    for (const job of running) {
      job.progress += (now - (job.countedTo ?? now)) / (running.length > 1 ? SHARED_SLOWDOWN : 1);
      job.countedTo = now;
    }
  }

  /** Run time a job still needs alone, by its estimate and the work it has done. */
  #remaining(job: Job, now: number): number {
    const since = job.state === 'running' ? now - (job.countedTo ?? now) : 0;
    return Math.max(0, job.estimateMs - job.progress - since);
  }

  /** A player's job that would be late if it shared the machine from now on (and stays urgent once it is). */
  #urgent(job: Job, now: number): boolean {
    if (!job.urgent) job.urgent = job.class === 'player' && this.#urgentFrom(job, now) <= now;
    return job.urgent;
  }

  /** When a player's job turns urgent (see #urgent). */
  #urgentFrom(job: Job, now: number): number {
    return job.needAt - this.#remaining(job, now) * SHARED_SLOWDOWN - URGENCY_MARGIN_MS;
  }

  /** Starts, resumes and pauses jobs until no rule can make progress. */
  #dispatch(): void {
    if (this.#dispatching) {
      this.#again = true;
      return;
    }
    this.#countProgress();
    this.#dispatching = true;
    try {
      do {
        this.#again = false;
        this.#apply();
      } while (this.#again);
    } finally {
      this.#dispatching = false;
    }
    this.#wake();
  }

  #apply(): void {
    // Running lookahead nobody wants any more (its players switched rendition, sought away or left)
    // is stopped: its slot goes to work someone will watch.
    for (const job of [...this.#jobs]) {
      if (job.state === 'running' && isUnwanted(job)) this.#drop(job, unwanted());
    }
    for (;;) {
      const now = this.#now();
      const running = [...this.#jobs].filter((j) => j.state === 'running');
      const waiting = [...this.#jobs].filter((j) => j.state === 'queued' || j.state === 'paused').sort(byPriority);
      const dropped = waiting.find(isUnwanted);
      if (dropped) {
        this.#drop(dropped, unwanted());
        continue;
      }
      const focus = [...running, ...waiting].some((j) => this.#urgent(j, now));
      if (focus) {
        // An urgent job gets the machine: what is not urgent and can wait steps aside, needed last first.
        const aside = running
          .filter((j) => j.preemptible && !this.#urgent(j, now))
          .sort((a, b) => priority(b) - priority(a))[0];
        if (aside && this.paused < (this.options.pausedLimit ?? this.options.concurrency)) {
          this.#pause(aside);
          continue;
        }
      }
      const candidates = (focus ? waiting.filter((j) => this.#urgent(j, now)) : waiting).filter(
        (j) => j.state === 'paused' || j.class === 'player' || !j.deferWhile?.(),
      );
      const head = candidates[0];
      if (!head) break;
      if (running.length < this.options.concurrency) {
        const next = candidates.find((j) => this.#mayTakeSlot(j, running));
        if (!next) break;
        if (next.state === 'paused') this.#resume(next);
        else next.start();
        continue;
      }
      // No slot: pause the running job that can be paused and is needed last, if it is needed well
      // after the head of the queue.
      const victim = running
        .filter((j) => j.preemptible && priority(j) > priority(head) + PREEMPT_MARGIN_MS)
        .sort((a, b) => priority(b) - priority(a))[0];
      if (!victim || this.paused >= (this.options.pausedLimit ?? this.options.concurrency)) break;
      this.#pause(victim);
    }
    const running = [...this.#jobs].filter((j) => j.state === 'running');
    if (running.length > 1) for (const j of running) j.shared = true;
  }

  /**
   * Sets the timer for the next moment the rules may decide otherwise with no job arriving or ending:
   * a waiting player's job turning urgent, or lookahead that may have lost its players.
   */
  #wake(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    let at = Infinity;
    for (const job of this.#jobs) {
      if (job.class === 'lookahead') at = Math.min(at, now + WANTED_POLL_MS);
      else if (!this.#urgent(job, now)) at = Math.min(at, this.#urgentFrom(job, now));
    }
    if (at === Infinity) return;
    this.#timer = setTimeout(() => this.#dispatch(), Math.max(1, at - now));
    this.#timer.unref();
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

  /**
   * Refuses new jobs and fails every waiting and paused one; running jobs finish (or their runner
   * kills them), and so do the jobs lent to them.
   */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const job of [...this.#jobs])
      if (job.state === 'queued' || job.state === 'paused') this.#drop(job, shuttingDown());
  }
}
