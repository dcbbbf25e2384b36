import { planRevision, type Plan } from '../core/plan.js';
import { isRevisionId } from '../core/edits/revision.js';
import type { RevisionRecord } from '../core/types.js';
import { Lru } from '../util/lru.js';
import { ErrorCode, OriginError } from '../errors.js';
import { mintRevision, type MintDeps, type MintResult } from './mint.js';

/**
 * Memory for plans. A plan costs about 4 KB and 250 bytes a segment (measured: 7.6 KB for a minute,
 * 2.1 MB for ten hours): counted by entries, 2,000 plans of 10-hour revisions would have been 4 GB.
 */
const PLAN_CACHE_BYTES = 64 * 1024 * 1024;
/** A plan's weight in the cache: an estimate of its bytes, from its segment count. */
export const planBytes = (plan: Plan) => 4096 + 256 * plan.grid.segments.length;

export interface RevisionsHooks {
  /**
   * Called after every successful mint, new or not, whoever minted (the API, the demo revision at
   * start-up): someone is about to watch, so the first segments start at once (prewarm).
   */
  onMinted?: (revisionId: string) => void;
}

/**
 * Revisions: minted from edits (the main application, after every edit), looked up by id, and
 * planned. The one place a revision id is resolved, for the API and for playback alike.
 */
export class Revisions {
  readonly #plans = new Lru<Plan>(PLAN_CACHE_BYTES);

  constructor(
    private readonly deps: MintDeps,
    private readonly hooks: RevisionsHooks = {},
  ) {}

  /** Validates edits, probes the sources and stores the revision (see mintRevision), then calls `onMinted`. */
  async mint(body: unknown): Promise<MintResult> {
    const result = await mintRevision(this.deps, body);
    this.hooks.onMinted?.(result.record.id);
    return result;
  }

  /** The stored revision; `revision_not_found` for unknown or malformed ids. */
  async get(revisionId: string): Promise<RevisionRecord> {
    const record = isRevisionId(revisionId) ? await this.deps.store.getRevision(revisionId) : undefined;
    if (!record) throw new OriginError(ErrorCode.RevisionNotFound, `no revision ${JSON.stringify(revisionId)}`);
    return record;
  }

  /** The plan of a revision (pure, so kept: a revision never changes). */
  async plan(revisionId: string): Promise<Plan> {
    const cached = this.#plans.get(revisionId);
    if (cached) return cached;
    const plan = planRevision(await this.get(revisionId), this.deps.planOptions);
    this.#plans.set(revisionId, plan, planBytes(plan));
    return plan;
  }

  /** Estimated bytes of the plans kept (see planBytes). */
  get planCacheBytes(): number {
    return this.#plans.total;
  }
}
