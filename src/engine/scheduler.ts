import { ErrorCode, OriginError } from '../errors.js';
import {
  handleOf,
  newJob,
  type Job,
  type JobClass,
  type JobHandle,
  type JobTiming,
  type ScheduleOptions,
  type SchedulerOptions,
} from './job.js';
import { countProgress, isUrgent, latestQueuedLookahead, nextStep, urgentFrom } from './scheduling-rules.js';

const shuttingDown = () => new OriginError(ErrorCode.Unavailable, 'the server is shutting down');
/** While lookahead exists, how often the rules are applied again (a stream's players may have left). */
const WANTED_POLL_MS = 250;
const unwanted = () => new OriginError(ErrorCode.Overloaded, 'lookahead nobody wants any more');

/**
 * Runs media jobs on a fixed number of slots, earliest deadline first, so that a player about to need
 * a segment never waits behind work nobody needs sooner (docs/architecture.md, "Scheduling"). Every
 * job has a deadline (`needAt`: when a player will need it, as Lookahead estimates) and an estimate;
 * the rules (scheduling-rules.ts, `nextStep`) decide what starts, pauses (SIGSTOP of its ffmpeg),
 * resumes or is dropped, and run whenever a job arrives, ends, or may have turned urgent. Besides:
 * - a player asking for a queued or paused lookahead job promotes it to a player's job, and a player's
 *   job whose requests have all gone is demoted to lookahead;
 * - a job whose value another job's run makes too is lent to that run (`lend`), and lookahead that
 *   such a run will take along waits for it (`deferWhile`);
 * - a queue over its limit drops the lookahead needed last for a player's job, and refuses lookahead.
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
    const now = this.#now();
    return new Promise((resolve, reject) => {
      const job: Job = {
        ...newJob(options, now),
        fail: reject,
        settle: (value, timing) => resolve({ value: value as T, timing }),
        start: () => {
          job.state = 'running';
          const started = this.#now();
          job.startedAt = started;
          job.countedTo = started;
          const handle = handleOf(job, () => this.active <= 1);
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
              countProgress(this.#jobs, this.#now());
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
    const latest = latestQueuedLookahead(this.#jobs);
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

  /**
   * Lowers a player's job back to lookahead: every request waiting for it has gone (its player switched
   * rendition, sought, or left). It goes on where lookahead would, beside or behind what players ask
   * for now, until the rules say nobody wants it. A job carrying a player's lent job stays a player's.
   */
  demote(key: string): void {
    const carriesPlayer = (job: Job) =>
      [...this.#jobs].some((j) => j.state === 'lent' && j.carrier === job && j.class === 'player');
    for (const job of this.#jobs) {
      if (job.key !== key || job.class !== 'player' || job.state === 'lent' || carriesPlayer(job)) continue;
      job.class = 'lookahead';
      job.urgent = false;
    }
    this.#dispatch();
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

  /** Starts, resumes and pauses jobs until no rule can make progress. */
  #dispatch(): void {
    if (this.#dispatching) {
      this.#again = true;
      return;
    }
    countProgress(this.#jobs, this.#now());
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
    const slots = {
      concurrency: this.options.concurrency,
      pausedLimit: this.options.pausedLimit ?? this.options.concurrency,
    };
    for (let step = nextStep(this.#jobs, this.#now(), slots); step; step = nextStep(this.#jobs, this.#now(), slots)) {
      if (step.action === 'drop') this.#drop(step.job, unwanted());
      else if (step.action === 'pause') this.#pause(step.job);
      else if (step.action === 'resume') this.#resume(step.job);
      else step.job.start();
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
      else if (!isUrgent(job, now)) at = Math.min(at, urgentFrom(job, now));
    }
    if (at === Infinity) return;
    this.#timer = setTimeout(() => this.#dispatch(), Math.max(1, at - now));
    this.#timer.unref();
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
