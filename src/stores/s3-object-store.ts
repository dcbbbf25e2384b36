import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import type { ObjectListing, ObjectStat, ObjectStore } from './object-store.js';

/** How long the URL handed to ffmpeg stays valid; longer than any job's timeout. */
const URL_TTL_SECONDS = 3600;

const notFound = (err: unknown) =>
  err instanceof S3ServiceException &&
  (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey');
const unavailable = (err: unknown) =>
  new OriginError(ErrorCode.Unavailable, 'the object store did not answer', undefined, { cause: err });

/**
 * Sources in an S3 bucket. ffmpeg reads them through a presigned URL, by HTTP range requests, so a
 * segment of a long recording fetches only the bytes it needs instead of the whole object. Every call
 * has a deadline: one that does not answer in time is `unavailable` (a 503 the client may retry).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Deadline of one call. */
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * A client for AWS or an S3-compatible endpoint (path style for the latter). Without explicit
   * credentials the SDK's default chain applies (environment, then the ECS task role).
   */
  static client(options: {
    region: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    timeoutMs?: number;
  }): S3Client {
    return new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      forcePathStyle: options.endpoint !== undefined,
      // Plain PUT/GET without flexible checksums: works with every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A socket that connects but never answers fails instead of waiting for the OS.
      requestHandler: { connectionTimeout: 3000, requestTimeout: options.timeoutMs ?? 10_000 },
      maxAttempts: 2,
    });
  }

  #signal(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: this.#signal(),
      });
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? `${head.LastModified?.getTime() ?? 0}` };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw unavailable(err);
    }
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    return this.#get(key, undefined, maxBytes);
  }

  async readHead(key: string, bytes: number): Promise<Buffer> {
    return this.#get(key, `bytes=0-${bytes - 1}`, bytes);
  }

  async #get(key: string, range: string | undefined, maxBytes: number): Promise<Buffer> {
    const signal = this.#signal();
    let object: GetObjectCommandOutput;
    try {
      object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }), {
        abortSignal: signal,
      });
    } catch (err) {
      if (notFound(err)) throw new OriginError(ErrorCode.SourceMissing, `no such source: ${key}`);
      // An empty object asked for by range: nothing to read.
      if (range && err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) return Buffer.alloc(0);
      throw unavailable(err);
    }
    // An empty object asked for by range, from a server that answers 200 rather than 416.
    if (range && object.ContentRange?.endsWith('/0')) {
      (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return Buffer.alloc(0);
    }
    if ((object.ContentLength ?? 0) > maxBytes) {
      (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new UnusableSourceError(`has a part larger than ${maxBytes} bytes (${key})`);
    }
    try {
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** One ListObjectsV2 page (S3 returns keys in UTF-8 binary order, at most 1,000 a page). */
  async list(maxKeys: number): Promise<ObjectListing> {
    try {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: Math.min(maxKeys, 1000) }),
        { abortSignal: this.#signal() },
      );
      const keys = (page.Contents ?? [])
        .map((o) => o.Key ?? '')
        .filter((key) => key && !key.endsWith('/') && !key.split('/').some((part) => part.startsWith('.')));
      return { keys, truncated: page.IsTruncated === true };
    } catch (err) {
      throw unavailable(err);
    }
  }

  async input(key: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: URL_TTL_SECONDS,
    });
  }
}
