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

/** What lookahead knows of a revision's players. */
interface Audience {
  /** Unset until the first request. */
  anchor?: Anchor;
  /** The furthest segment any of its streams asked for. */
  furthest: number;
  /** Requests being answered now. */
  pending: number;
}

/**
 * A request this far behind the estimated playhead, or this far ahead of it, is a seek: the estimate restarts there.
 */
const SEEK_BACK_SECONDS = 10;
const SEEK_AHEAD_SECONDS = 45;

/** How many streams to remember before forgetting the stalest. */
const MAX_STREAMS = 20_000;
/**
 * A revision's players have left when nothing is being answered and nobody asked for the segment
 * after the furthest one this long after the estimated playhead reached it: a player asks for it as
 * soon as it has room in its buffer, and at the latest when it needs it.
 */
const GONE_GRACE_MS = 1000;

/**
 * Lookahead that follows what players fetch (docs/architecture.md, "Scheduling"). A stream is one
 * rendition of one revision, as the origin sees it behind a CDN (which coalesces viewers). For each
 * request it plans the next segments of that stream, each needed at the earliest when a player
 * playing from the requested segment right now reaches it; and it says whether a queued lookahead job
 * is still wanted:
 * - not once nobody has asked for its stream for `idleMs`;
 * - not once players have moved on: another video rendition of the same revision was asked for,
 *   later and further along (an ABR switch) — until its own stream is asked for again;
 * - not once the revision's players have left (the next segment was not asked for in time).
 */
export class Lookahead {
  readonly #streams = new Map<string, Stream>();
  readonly #audiences = new Map<string, Audience>();

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
    const audience = this.#audience(plan.revisionId);
    audience.pending += 1;
    audience.furthest = Math.max(audience.furthest, index);
    const at = this.#deadlines(plan, index, now);
    return { needAt: at(index), ahead: this.#ahead(plan, rendition, index, at) };
  }

  /**
   * Records that a request `onRequest` saw has been answered (or failed). A segment answered after its
   * estimated need kept its player waiting: the player is at its start now, so the estimate restarts
   * there and the deadlines after it move with it.
   */
  onAnswered(plan: LookaheadPlan, index: number): void {
    const audience = this.#audiences.get(plan.revisionId);
    if (!audience) return;
    audience.pending = Math.max(0, audience.pending - 1);
    const { anchor } = audience;
    const now = this.options.now();
    const start = plan.starts[index]!;
    if (anchor && anchor.position + (now - anchor.at) / 1000 > start) audience.anchor = { at: now, position: start };
  }

  #audience(revisionId: string): Audience {
    let audience = this.#audiences.get(revisionId);
    this.#audiences.delete(revisionId);
    audience ??= { furthest: -1, pending: 0 };
    this.#audiences.set(revisionId, audience);
    if (this.#audiences.size > MAX_STREAMS) this.#audiences.delete(this.#audiences.keys().next().value!);
    return audience;
  }

  /**
   * Deadlines of a revision's segments: when a player playing in real time from the anchor reaches
   * each. The anchor is the first request (a player starts where it first asks), moved by seeks. A
   * player is never ahead of this estimate (it starts playing only once its first segment arrives, and
   * a stall puts it behind), so the deadlines are never late.
   */
  #deadlines(plan: LookaheadPlan, index: number, now: number): (j: number) => number {
    const start = plan.starts[index]!;
    const audience = this.#audience(plan.revisionId);
    let anchor = audience.anchor;
    const position = anchor ? anchor.position + (now - anchor.at) / 1000 : start;
    if (!anchor || start < position - SEEK_BACK_SECONDS || start > position + SEEK_AHEAD_SECONDS) {
      anchor = { at: now, position: start };
      audience.anchor = anchor;
      // A seek: what was asked for before it says nothing of where the players are now.
      audience.furthest = index;
    }
    return deadlines(plan, anchor);
  }

  /**
   * The next segments of the stream asked for. Not those of another rendition a player might switch
   * to: after a cold first segment hls.js switched up on one machine and down on another (the segment's
   * making counts in its bandwidth estimate), and a player that does switch asks for its segment as soon
   * as it has the one before — that request is urgent and gets the machine to itself.
   */
  #ahead(plan: LookaheadPlan, rendition: string, index: number, at: (j: number) => number): Ahead[] {
    if (this.options.segments === 0) return [];
    const last = Math.min(index + this.options.segments, plan.starts.length - 1);
    const ahead: Ahead[] = [];
    for (let j = index + 1; j <= last; j++) ahead.push({ rendition, index: j, needAt: at(j) });
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
  wanted(plan: LookaheadPlan, rendition: string, index: number): boolean {
    const stream = this.#streams.get(this.#key(plan.revisionId, rendition));
    const now = this.options.now();
    if (!stream || now - stream.lastAt > this.options.idleMs) return false;
    if (this.#gone(plan, now)) return false;
    // Behind where players are now (they sought past it). The segment asked for last is not behind: its
    // job is lookahead again when its request went away (Scheduler.demote), and a sibling's rule decides.
    if (index < stream.current) return false;
    if (!plan.video.includes(rendition)) return true;
    // Left behind by a switch: a sibling asked for later and further along.
    return !plan.video.some((other) => {
      if (other === rendition) return false;
      const sibling = this.#streams.get(this.#key(plan.revisionId, other));
      return sibling !== undefined && sibling.lastAt > stream.lastAt && sibling.current > stream.current;
    });
  }

  /**
   * Whether a revision's players have left (closed the page after the first segment, as a main application
   * that mints after every edit shows each revision): nothing is being answered, and the segment after the
   * furthest one asked for was not asked for by the time the estimated playhead reached it.
   */
  #gone(plan: LookaheadPlan, now: number): boolean {
    const audience = this.#audiences.get(plan.revisionId);
    if (!audience?.anchor || audience.pending > 0) return false;
    const next = audience.furthest + 1;
    return next < plan.starts.length && now > deadlines(plan, audience.anchor)(next) + GONE_GRACE_MS;
  }
}

/** When a player playing in real time from the anchor reaches each segment (lookahead clock, ms). */
function deadlines(plan: LookaheadPlan, anchor: Anchor): (j: number) => number {
  return (j) => anchor.at + (plan.starts[j]! - anchor.position) * 1000;
}
