/** A kind of job and what its run time is proportional to (output frames, AAC frames). */
export interface JobSize {
  /** Jobs of one kind cost alike per unit: `video/720p`, `audio`. */
  kind: string;
  units: number;
  /** A first guess in ms per unit, used until jobs of this kind have run alone here. */
  seedMsPerUnit: number;
}

/** Every job pays this before its first unit: starting ffmpeg and opening the source (measured 0.15–0.2 s). */
const FIXED_MS = 150;
/** Weight of the newest run in the running average. */
const NEW_RUN_WEIGHT = 0.3;

/**
 * How long jobs take on this machine with the machine to themselves, learned from the jobs that ran
 * alone (a job sharing the cores takes longer and says nothing about the machine). The scheduler
 * uses it to tell when a player's job must start to be ready in time.
 */
export class RunTimes {
  readonly #msPerUnit = new Map<string, number>();

  /** Expected run time (ms) of a job of this size, alone. */
  estimate(size: JobSize): number {
    return FIXED_MS + size.units * (this.#msPerUnit.get(size.kind) ?? size.seedMsPerUnit);
  }

  /** Learns from a finished job; runs that shared the machine are ignored. */
  record(size: JobSize, runMs: number, alone: boolean): void {
    if (!alone || size.units <= 0) return;
    const rate = Math.max(0, runMs - FIXED_MS) / size.units;
    const known = this.#msPerUnit.get(size.kind);
    this.#msPerUnit.set(size.kind, known === undefined ? rate : known + NEW_RUN_WEIGHT * (rate - known));
  }
}
