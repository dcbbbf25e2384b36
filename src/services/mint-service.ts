import { planRevision, type PlanOptions } from '../core/plan.js';
import { canonicalEdits, parseEdits, revisionId } from '../core/revision.js';
import { outputFrameRate } from '../core/segment-grid.js';
import { compileTimeline } from '../core/timeline.js';
import type { RevisionRecord, SourceInfo } from '../core/types.js';
import { ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import type { SourceCache } from '../engine/source-cache.js';
import type { ProbeTarget } from '../media/probe.js';
import type { ObjectStore } from '../stores/object-store.js';
import type { RevisionStore } from '../stores/revision-store.js';

export interface MintDeps {
  store: RevisionStore;
  objects: ObjectStore;
  /** Says what to probe for a source (a file, or a chunked recording's first chunks). */
  sources: SourceCache;
  probe: (target: ProbeTarget, identity: { key: string; etag: string; size: number }) => Promise<SourceInfo>;
  secret: string;
  ttlSeconds: number;
  planOptions: PlanOptions;
  now: () => Date;
}

export interface MintResult {
  created: boolean;
  record: RevisionRecord;
  /** Output duration in seconds. */
  duration: number;
}

/** Probe results outlive revisions: a source's content under one ETag never changes. */
const PROBE_TTL_SECONDS = 90 * 86400;

/**
 * Validates edits, checks and probes every source, and stores the revision under its id. Minting the
 * same edits again returns the stored revision (and refreshes its TTL) without probing anything.
 */
export async function mintRevision(deps: MintDeps, body: unknown): Promise<MintResult> {
  const requested = parseEdits(body);
  const edits = canonicalEdits(requested);
  const id = revisionId(edits, deps.secret);
  const existing = await deps.store.getRevision(id);
  if (existing) {
    await deps.store.saveRevision(existing, deps.ttlSeconds);
    return { created: false, record: existing, duration: planRevision(existing, deps.planOptions).duration };
  }
  // A Map, not an object: a source named `constructor` or `__proto__` is a key like any other.
  const sources = new Map<string, SourceInfo>();
  for (const [i, clip] of requested.clips.entries()) {
    if (!sources.has(clip.source)) sources.set(clip.source, await sourceInfo(deps, clip.source, `clips[${i}].source`));
  }
  // Validate the timeline as the client listed it, so an error's field names its own positions.
  const first = sources.get(requested.clips[0]!.source)!;
  compileTimeline(requested.clips, sources, outputFrameRate(first.video.frameRate));
  const record: RevisionRecord = { id, version: 1, createdAt: deps.now().toISOString(), edits, sources: Object.fromEntries(sources) };
  const plan = planRevision(record, deps.planOptions);
  const created = await deps.store.saveRevision(record, deps.ttlSeconds);
  return { created, record, duration: plan.duration };
}

async function sourceInfo(deps: MintDeps, key: string, field: string): Promise<SourceInfo> {
  let info: SourceInfo;
  try {
    const stat = await deps.objects.stat(key);
    if (!stat) throw new OriginError(ErrorCode.SourceMissing, `${field}: no object ${JSON.stringify(key)}`, field);
    const cached = await deps.store.getProbe(key, stat.etag);
    if (cached) return cached;
    info = await deps.probe(await deps.sources.probeTarget(key, stat.etag), { key, etag: stat.etag, size: stat.size });
  } catch (err) {
    if (err instanceof OriginError && err.field) throw err;
    if (err instanceof UnusableSourceError) throw new OriginError(ErrorCode.SourceUnusable, `${field}: ${err.message}`, field);
    // A manifest's chunk that is not there.
    if (err instanceof OriginError && err.code === ErrorCode.SourceMissing) throw new OriginError(ErrorCode.SourceUnusable, `${field}: ${err.message}`, field);
    throw err;
  }
  await deps.store.saveProbe(info, PROBE_TTL_SECONDS);
  return info;
}
