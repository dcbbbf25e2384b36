import { planRevision, type PlanOptions } from '../core/plan.js';
import { canonicalEdits, parseEdits, revisionId } from '../core/edits/revision.js';
import { outputFrameRate } from '../core/timeline/segment-grid.js';
import { checkOverlayTimes } from '../core/edits/overlays.js';
import { compileTimeline } from '../core/timeline/timeline.js';
import type { ImageInfo } from '../core/picture/image-header.js';
import type { RevisionRecord, SourceInfo } from '../core/types.js';
import {
  ErrorCode,
  OriginError,
  UnusableSourceError,
  fieldErrors,
  isTransient,
  problemsOf,
  type FieldProblem,
} from '../errors.js';
import type { Sources } from '../engine/sources.js';
import type { ProbeTarget } from '../media/sources/probe.js';
import type { ObjectStore } from '../stores/object-store.js';
import type { RevisionStore } from '../stores/revision-store.js';

export interface MintDeps {
  store: RevisionStore;
  objects: ObjectStore;
  /** Says what to probe for a source (a file, or a chunked recording's first chunks). */
  sources: Sources;
  probe: (target: ProbeTarget, identity: { key: string; etag: string; size: number }) => Promise<SourceInfo>;
  /** Checks an image overlay's picture (see checkImage). */
  image: (key: string) => Promise<ImageInfo>;
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
  await eachReported(
    requested.clips.flatMap((clip, i) => [
      [clip.source, `clips[${i}].source`] as const,
      ...(clip.camera ? [[clip.camera.source, `clips[${i}].camera.source`] as const] : []),
    ]),
    async (key, field) => sources.set(key, await sourceInfo(deps, key, field)),
  );
  // Validate the timeline as the client listed it, so an error's field names its own positions.
  const first = sources.get(requested.clips[0]!.source)!;
  const fps = outputFrameRate(first.video.frameRate);
  const spans = compileTimeline(requested.clips, sources, fps);
  checkOverlayTimes(requested.overlays, spans.reduce((n, s) => n + s.frameCount, 0) / fps);
  const images = new Map<string, ImageInfo>();
  await eachReported(
    requested.overlays.flatMap((o, i) => (o.kind === 'image' ? [[o.source, `overlays[${i}].source`] as const] : [])),
    async (key, field) => images.set(key, await imageInfo(deps, key, field)),
  );
  const record: RevisionRecord = {
    id,
    version: 1,
    createdAt: deps.now().toISOString(),
    edits,
    sources: Object.fromEntries(sources),
    ...(images.size > 0 ? { images: Object.fromEntries(images) } : {}),
  };
  const plan = planRevision(record, deps.planOptions);
  const created = await deps.store.saveRevision(record, deps.ttlSeconds);
  return { created, record, duration: plan.duration };
}

/**
 * Runs `check` on each distinct key, in order, and reports the problems of all of them at once (a missing source
 * and an unusable one in one answer); anything else (a transient failure) is thrown as it comes.
 */
async function eachReported(
  keys: ReadonlyArray<readonly [key: string, field: string]>,
  check: (key: string, field: string) => Promise<unknown>,
): Promise<void> {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const [key, field] of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      await check(key, field);
    } catch (err) {
      if (!(err instanceof OriginError) || !err.field || isTransient(err.code)) throw err;
      problems.push(...problemsOf(err));
    }
  }
  if (problems.length > 0) throw fieldErrors(problems[0]!.code ?? ErrorCode.SourceUnusable, problems);
}

async function imageInfo(deps: MintDeps, key: string, field: string): Promise<ImageInfo> {
  try {
    return await deps.image(key);
  } catch (err) {
    throw named(err, field, ErrorCode.SourceMissing);
  }
}

/**
 * A source's problem as a client error naming the field; transient failures pass through as they
 * are. An object missing behind the field is `missing` (a chunked recording's absent chunk makes the
 * recording unusable rather than missing).
 */
function named(err: unknown, field: string, missing: ErrorCode): unknown {
  if (err instanceof OriginError && err.field) return err;
  if (err instanceof UnusableSourceError)
    return new OriginError(ErrorCode.SourceUnusable, `${field}: ${err.message}`, field);
  if (err instanceof OriginError && err.code === ErrorCode.SourceMissing)
    return new OriginError(missing, `${field}: ${err.message}`, field);
  return err;
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
    throw named(err, field, ErrorCode.SourceUnusable);
  }
  await deps.store.saveProbe(info, PROBE_TTL_SECONDS);
  return info;
}
