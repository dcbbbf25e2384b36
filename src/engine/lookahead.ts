/** A segment to make ahead of a player, and when that player will need it at the earliest. */
export interface Ahead {
  rendition: string;
  index: number;
  /** Lookahead clock, ms. */
  needAt: number;
}

/** The part of a plan lookahead reads: each rendition's segment start times. */
export interface LookaheadPlan {
  revisionId: string;
  /** Segment starts in seconds, shared by every rendition (the grid). */
  starts: readonly number[];
  /** Video renditions, highest first. */
  video: readonly string[];
  /** The audio rendition's id, if the revision has audio. */
  audio?: string;
  /** The start-up ramp's segments (shorter than the target). */
  rampSegments: number;
}

export interface LookaheadOptions {
  /** Segments made ahead of the one a player asked for (0: no lookahead). */
  segments: number;
  /** A stream nobody has asked for this long is no longer watched: its queued lookahead is dropped. */
  idleMs: number;
  now: () => number;
}

interface Stream {
  lastAt: number;
  /** The segment a player asked for last. */
  current: number;
}

/** Where a revision's players are: at media time `position` (s) at `at` (ms), playing at 1×. */
interface Anchor {
  at: number;
  position: number;
}

/**
 * A request this far behind the estimated playhead, or this far ahead of it, is a seek: the estimate restarts there.
 */
const SEEK_BACK_SECONDS = 10;
const SEEK_AHEAD_SECONDS = 45;

/** How many streams to remember before forgetting the stalest. */
const MAX_STREAMS = 20_000;

/**
 * Lookahead that follows what players fetch (docs/architecture.md, "Scheduling"). A stream is one
 * rendition of one revision, as the origin sees it behind a CDN (which coalesces viewers). For each
 * request it plans the next segments of that stream, each needed at the earliest when a player
 * playing from the requested segment right now reaches it; and it says whether a queued lookahead job
 * is still wanted:
 * - not once nobody has asked for its stream for `idleMs`;
 * - not once players have moved on: another video rendition of the same revision was asked for,
 *   later and further along (an ABR switch) — until its own stream is asked for again.
 */
export class Lookahead {
  readonly #streams = new Map<string, Stream>();
  readonly #anchors = new Map<string, Anchor>();

  constructor(private readonly options: LookaheadOptions) {}

  #key(revisionId: string, rendition: string): string {
    return `${revisionId}/${rendition}`;
  }

  /**
   * Records a player's request for segment `index` of `rendition`. Returns when the player will need it
   * (its deadline, estimated from where the revision's players are) and what to make ahead of it.
   */
  onRequest(plan: LookaheadPlan, rendition: string, index: number): { needAt: number; ahead: Ahead[] } {
    const now = this.options.now();
    this.#touch(plan.revisionId, rendition, index, now);
    const at = this.#deadlines(plan, index, now);
    return { needAt: at(index), ahead: this.#ahead(plan, rendition, index, now, at) };
  }

  /**
   * Deadlines of a revision's segments: when a player playing in real time from the anchor reaches
   * each. The anchor is the first request (a player starts where it first asks), moved by seeks. A
   * player is never ahead of this estimate (it starts playing only once its first segment arrives, and
   * a stall puts it behind), so the deadlines are never late.
   */
  #deadlines(plan: LookaheadPlan, index: number, now: number): (j: number) => number {
    const start = plan.starts[index]!;
    let anchor = this.#anchors.get(plan.revisionId);
    const position = anchor ? anchor.position + (now - anchor.at) / 1000 : start;
    if (!anchor || start < position - SEEK_BACK_SECONDS || start > position + SEEK_AHEAD_SECONDS) {
      anchor = { at: now, position: start };
      this.#anchors.delete(plan.revisionId);
      this.#anchors.set(plan.revisionId, anchor);
      if (this.#anchors.size > MAX_STREAMS) this.#anchors.delete(this.#anchors.keys().next().value!);
    }
    const { at, position: from } = anchor;
    return (j) => at + (plan.starts[j]! - from) * 1000;
  }

  #ahead(plan: LookaheadPlan, rendition: string, index: number, now: number, at: (j: number) => number): Ahead[] {
    if (this.options.segments === 0) return [];
    const last = Math.min(index + this.options.segments, plan.starts.length - 1);
    const ahead: Ahead[] = [];
    for (let j = index + 1; j <= last; j++) ahead.push({ rendition, index: j, needAt: at(j) });
    // During the start-up ramp a player's buffer is thinnest and its ABR switches up at once on a
    // good connection (hls.js measures its bandwidth on the first segment): the next segment of the
    // rendition above comes first, the player's own next one right after it. Measured with simulated
    // viewers: queued second, the upswitch waited a second for a slot and the viewer stalled.
    const position = plan.video.indexOf(rendition);
    const up = position > 0 ? plan.video[position - 1] : undefined;
    if (up && index < plan.rampSegments && index + 1 < plan.starts.length) {
      ahead.unshift({ rendition: up, index: index + 1, needAt: at(index + 1) });
      // Nobody has asked for that stream yet: it is expected, from here.
      if (!this.#streams.has(this.#key(plan.revisionId, up))) this.#touch(plan.revisionId, up, index, now);
    }
    return ahead;
  }

  /** Marks a stream as about to be watched from `index` on, without a request (the first segments made at mint). */
  expect(revisionId: string, rendition: string, index: number): void {
    this.#touch(revisionId, rendition, index, this.options.now());
  }

  #touch(revisionId: string, rendition: string, index: number, now: number): void {
    const key = this.#key(revisionId, rendition);
    const stream = this.#streams.get(key);
    this.#streams.delete(key);
    // A player that asks again for an earlier segment (a seek back) moves the stream back too.
    this.#streams.set(key, {
      lastAt: now,
      current: stream && now === stream.lastAt ? Math.max(index, stream.current) : index,
    });
    if (this.#streams.size > MAX_STREAMS) this.#streams.delete(this.#streams.keys().next().value!);
  }

  /** Whether a lookahead job for segment `index` of a stream is still worth making. */
  wanted(plan: Pick<LookaheadPlan, 'revisionId' | 'video'>, rendition: string, index: number): boolean {
    const stream = this.#streams.get(this.#key(plan.revisionId, rendition));
    if (!stream || this.options.now() - stream.lastAt > this.options.idleMs) return false;
    // Behind where players are now (they sought past it).
    if (index <= stream.current) return false;
    if (!plan.video.includes(rendition)) return true;
    // Left behind by a switch: a sibling asked for later and further along.
    return !plan.video.some((other) => {
      if (other === rendition) return false;
      const sibling = this.#streams.get(this.#key(plan.revisionId, other));
      return sibling !== undefined && sibling.lastAt > stream.lastAt && sibling.current > stream.current;
    });
  }
}
