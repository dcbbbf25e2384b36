/** What the origin needs to know about a source object before reading it. */
export interface ObjectStat {
  size: number;
  /** Changes whenever the content may have changed (S3 ETag; mtime+size for files). */
  etag: string;
}

/** Some of a store's object keys. */
export interface ObjectListing {
  /** In key order. */
  keys: string[];
  /** True when the store holds more than were listed. */
  truncated: boolean;
}

/**
 * Where sources live: S3, or a directory for local use. Keys are validated by the caller
 * (`objectKeyProblem`); implementations still refuse to leave their bucket or root.
 */
export interface ObjectStore {
  /** undefined when there is no such object. */
  stat(key: string): Promise<ObjectStat | undefined>;
  /** A path or URL that ffmpeg/ffprobe can read (with seeking) for this object. */
  input(key: string): Promise<string>;
  /**
   * The whole object, for small ones (manifests and their chunks), within the store's deadline.
   * `source_missing` when absent; UnusableSourceError when it is larger than `maxBytes` or not a regular
   * file (a directory, a FIFO).
   */
  read(key: string, maxBytes: number): Promise<Buffer>;
  /** The object's first `bytes` bytes (fewer if it is shorter): enough to tell its container by its magic number. */
  readHead(key: string, bytes: number): Promise<Buffer>;
  /**
   * Up to `maxKeys` keys of regular objects, in key order, leaving out names that start with a dot (the
   * playground's source list), within the store's deadline.
   */
  list(maxKeys: number): Promise<ObjectListing>;
}
