import { createHash } from 'node:crypto';
import type { CacheStatus } from '../engine/cached-jobs.js';
import type { JobTiming } from '../engine/job.js';

/** Bytes ready to send, with what the HTTP edge needs to describe them. */
export interface Artifact {
  body: Buffer;
  etag: string;
  contentType: string;
  /** hit: served from memory; miss: this request ran the job; coalesced: joined a job under way. */
  cacheStatus: CacheStatus;
  timing: ArtifactTiming;
}

/** Where a response's time went, in milliseconds (sent as Server-Timing). */
export interface ArtifactTiming {
  /** Finding the revision and its plan. */
  resolve: number;
  /** Waiting for a job slot (the job this response waited for, if any). */
  queue?: number;
  /** Running ffmpeg. */
  ffmpeg?: number;
}

/** Bytes as kept in memory: the body and its strong ETag. */
export interface Stored {
  body: Buffer;
  etag: string;
}

export function stored(body: Buffer): Stored {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The timing a response reports for a job it waited on (none for a hit). */
export function jobTiming(resolve: number, status: CacheStatus, timing?: JobTiming): ArtifactTiming {
  return status === 'hit' || !timing ? { resolve } : { resolve, queue: timing.queueMs, ffmpeg: timing.runMs };
}

export const CONTENT_TYPES = {
  playlist: 'application/vnd.apple.mpegurl',
  dash: 'application/dash+xml',
  video: 'video/mp4',
  audio: 'audio/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
  json: 'application/json; charset=utf-8',
  webp: 'image/webp',
} as const;
