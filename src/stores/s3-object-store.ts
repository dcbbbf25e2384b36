import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ErrorCode, OriginError } from '../errors.js';
import type { ObjectStat, ObjectStore } from './object-store.js';

/** How long the URL handed to ffmpeg stays valid; longer than any job's timeout. */
const URL_TTL_SECONDS = 3600;

/**
 * Sources in an S3 bucket. ffmpeg reads them through a presigned URL, by HTTP range requests, so a
 * segment of a long recording fetches only the bytes it needs instead of the whole object.
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * A client for AWS or an S3-compatible endpoint (path style for the latter). Without explicit
   * credentials the SDK's default chain applies (environment, then the ECS task role).
   */
  static client(options: { region: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } }): S3Client {
    return new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      forcePathStyle: options.endpoint !== undefined,
      // Plain PUT/GET without flexible checksums: works with every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? `${head.LastModified?.getTime() ?? 0}` };
    } catch (err) {
      if (err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound')) return undefined;
      throw new OriginError(ErrorCode.Unavailable, 'the object store did not answer', undefined, { cause: err });
    }
  }

  async read(key: string): Promise<Buffer> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey')) {
        throw new OriginError(ErrorCode.SourceMissing, `no such source: ${key}`);
      }
      throw new OriginError(ErrorCode.Unavailable, 'the object store did not answer', undefined, { cause: err });
    }
  }

  async input(key: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: URL_TTL_SECONDS });
  }
}
