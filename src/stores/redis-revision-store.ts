import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RevisionRecord, SourceInfo } from '../core/types.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { RevisionStore } from './revision-store.js';

const REVISION_PREFIX = 'avserver:revision:';
const PROBE_PREFIX = 'avserver:probe:';

/**
 * Revisions and probe results in Redis, as JSON strings with a TTL. The client fails fast when Redis
 * is down (no offline queue), so a request gets a 503 instead of hanging.
 */
export class RedisRevisionStore implements RevisionStore {
  private constructor(private readonly redis: Redis) {}

  /**
   * Connects and waits until Redis answers; throws if it cannot be reached. Every command has a
   * deadline (`commandTimeoutMs`): a Redis that hangs (a frozen process, a dead link) is a 503, not a
   * request that waits for the TCP stack to notice.
   */
  static async connect(
    url: string,
    options: { commandTimeoutMs: number; password?: string },
  ): Promise<RedisRevisionStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      commandTimeout: options.commandTimeoutMs,
      ...(options.password ? { password: options.password } : {}),
    });
    // ioredis reports connection errors as events too; they surface through the commands.
    redis.on('error', () => {});
    await redis.connect();
    return new RedisRevisionStore(redis);
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new OriginError(ErrorCode.Unavailable, `the revision store did not answer (${what})`, undefined, {
        cause: err,
      });
    }
  }

  async getRevision(id: string): Promise<RevisionRecord | undefined> {
    const json = await this.#call('get', () => this.redis.get(REVISION_PREFIX + id));
    return json ? (JSON.parse(json) as RevisionRecord) : undefined;
  }

  async saveRevision(record: RevisionRecord, ttlSeconds: number): Promise<boolean> {
    const key = REVISION_PREFIX + record.id;
    const created = await this.#call('set', () => this.redis.set(key, JSON.stringify(record), 'EX', ttlSeconds, 'NX'));
    if (created === 'OK') return true;
    await this.#call('expire', () => this.redis.expire(key, ttlSeconds));
    return false;
  }

  #probeKey(key: string, etag: string): string {
    return PROBE_PREFIX + createHash('sha256').update(`${key}\n${etag}`).digest('base64url');
  }

  async getProbe(key: string, etag: string): Promise<SourceInfo | undefined> {
    const json = await this.#call('get', () => this.redis.get(this.#probeKey(key, etag)));
    return json ? (JSON.parse(json) as SourceInfo) : undefined;
  }

  async saveProbe(info: SourceInfo, ttlSeconds: number): Promise<void> {
    await this.#call('set', () =>
      this.redis.set(this.#probeKey(info.key, info.etag), JSON.stringify(info), 'EX', ttlSeconds),
    );
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
