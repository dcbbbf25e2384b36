import type { ArtifactKind } from '../core/manifests/playback-urls.js';
import type { ErrorCode } from '../errors.js';
import type { CacheStatus } from '../engine/cached-jobs.js';
import type { ArtifactTiming } from '../services/artifact.js';

/** An artifact response as sent: its kind, cache status, where its time went and its body bytes. */
export interface SentArtifact {
  kind: ArtifactKind;
  cacheStatus: CacheStatus;
  timing: ArtifactTiming;
  /** Bytes of body in the response: none for HEAD or 304, the range for 206. */
  bytes: number;
}

/** Server-Timing parts in milliseconds: the artifact's (resolve, queue, ffmpeg), then the whole request. */
export type TimingParts = Partial<ArtifactTiming> & { total: number };

/**
 * What the code that answers a request tells the middleware around it, as typed context values
 * (`c.set`, `c.get`): headers, metrics and log lines are written from these, never parsed back out of
 * the response.
 */
export interface EdgeVariables {
  /** Set by sendArtifact for an artifact's bytes (or its 304), not for an error answer. */
  sent?: SentArtifact;
  /** The Server-Timing parts as sent (to 0.1 ms), set by the serverTiming middleware. */
  serverTiming?: TimingParts;
  /** The code of an error answer, set by errorResponse. */
  errorCode?: ErrorCode;
  /** The message of an error answer (why a 503 was sent goes into its log line), set by errorResponse. */
  errorMessage?: string;
}

/** The Hono environment of the app, its routes and its middleware. */
export interface Edge {
  Variables: EdgeVariables;
}
