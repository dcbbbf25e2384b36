/**
 * The errors that cross layers. Code below the HTTP edge throws `OriginError` with a stable `code`;
 * only `http/error-response.ts` maps codes to status codes and cache headers. `UnusableSourceError`
 * says what is wrong with a source, and mint names the field it came from. (A failed ffmpeg run is
 * a `ProcessError` of src/media/process-runner.ts, classified by cause in src/media/process-failure.ts.)
 */
export const ErrorCode = {
  /** The request body is not JSON (the message says where it stops being JSON). */
  BadJson: 'bad_json',
  /**
   * The request is wrong whatever the sources are: a field missing, of the wrong type, unknown, or a value no
   * source could satisfy (a negative start, an end before its start, a colour that is no colour, a count over a
   * limit); `field` names it. 400 (docs/errors.md).
   */
  InvalidField: 'invalid_field',
  /** The request body is larger than the API accepts. */
  BodyTooLarge: 'body_too_large',
  /**
   * Well-formed edits these sources cannot make: a start or end past the source's end, a cut past it, a clip cut to
   * less than a frame, an overlay past the video's end. 422 (docs/errors.md).
   */
  InvalidEdit: 'invalid_edit',
  /** A clip's source object does not exist. */
  SourceMissing: 'source_missing',
  /** A clip's source exists but is not media ffprobe can read, or has no video stream. */
  SourceUnusable: 'source_unusable',
  /** Missing or wrong bearer token. */
  Unauthorized: 'unauthorized',
  /** A playback request that did not come through the CDN (no or wrong `X-Origin-Verify`). */
  Forbidden: 'forbidden',
  /** No revision under this id (never minted, or expired). */
  RevisionNotFound: 'revision_not_found',
  /** A playback path that names no artifact: unknown rendition, index out of range, unknown file. */
  NotFound: 'not_found',
  /** A path segment of the wrong shape (non-numeric index, leading zeros, malformed id). */
  BadPath: 'bad_path',
  /** A Range header no byte of the artifact satisfies; `Content-Range: bytes *\/size` says its size. */
  RangeNotSatisfiable: 'range_not_satisfiable',
  /**
   * A source changed (ETag, or size and mtime) after the revision was minted: its segments would not be what was
   * minted.
   */
  SourceChanged: 'source_changed',
  /** The job queue is full; try again shortly. */
  Overloaded: 'overloaded',
  /** A job did not finish within its time limit. */
  Timeout: 'timeout',
  /** Redis or the object store did not answer, or a job's process was killed (out of memory, say): retry. */
  Unavailable: 'unavailable',
  /** ffmpeg or another internal step failed; the message is safe, details go to the log. */
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One thing wrong with a field of a request: its path (`clips[0].cuts[1]`) and, in plain words, what. */
export interface FieldProblem {
  field: string;
  message: string;
  /** The code of this problem, when a request has problems of several codes (a missing and an unusable source). */
  code?: ErrorCode;
}

export class OriginError extends Error {
  override readonly name = 'OriginError';
  /** Every problem found in the request's fields, when there were several to report at once (first: `field`). */
  readonly problems?: readonly FieldProblem[];
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; problems?: readonly FieldProblem[] },
  ) {
    super(message, options);
    if (options?.problems) this.problems = options.problems;
  }
}

/**
 * All the problems of a request's fields as one error: the first names `field` and the message (for clients that
 * read only those), and `problems` carries them all. A single problem is an error like any other.
 */
export function fieldErrors(code: ErrorCode, problems: readonly FieldProblem[]): OriginError {
  const [first, ...rest] = problems;
  if (!first) throw new Error('fieldErrors needs at least one problem');
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: see errors)`;
  const all = problems.map((p) => ({ ...p, code: p.code ?? code }));
  return new OriginError(first.code ?? code, `${first.field}: ${first.message}${more}`, first.field, { problems: all });
}

/**
 * The field problems an error reports: all of them when it collected several, else its own when it names a field
 * (its message without the field's name in front), else none.
 */
export function problemsOf(err: OriginError): readonly FieldProblem[] {
  if (err.problems) return err.problems;
  if (!err.field) return [];
  const prefix = `${err.field}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return [{ field: err.field, message, code: err.code }];
}

/**
 * Why a source cannot be used, thrown where that is found out (a store, a probe, a manifest); the
 * message is safe to show a client and reads after the source's field name ("clips[0].source: is not
 * a regular file"). Mint turns it into `source_unusable` naming the field.
 */
export class UnusableSourceError extends Error {
  override readonly name = 'UnusableSourceError';
}

/** True for failures that may succeed on retry (the HTTP edge answers 503 + no-store). */
export function isTransient(code: ErrorCode): boolean {
  return code === ErrorCode.Overloaded || code === ErrorCode.Timeout || code === ErrorCode.Unavailable;
}

/**
 * A write that failed for want of space (`ENOSPC`, or `noSpace` where the caller knows better: ffmpeg
 * says so on stderr) as a retryable
 * `unavailable`: nothing is wrong with the request or the source, and it works again once space is
 * freed. Undefined for any other error.
 */
export function diskFull(
  err: unknown,
  noSpace = (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC',
): OriginError | undefined {
  if (!noSpace) return undefined;
  return new OriginError(ErrorCode.Unavailable, "the origin's work disk is full; retry shortly", undefined, {
    cause: err,
  });
}
