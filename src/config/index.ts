import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Everything avserver reads from the environment, typed and validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Directory of local sources; used when `s3` is unset. */
  mediaRoot: string;
  /** True when neither MEDIA_ROOT nor S3_BUCKET was given: the repo's fixtures are served. */
  embeddedMedia: boolean;
  s3?: { bucket: string; region: string; endpoint?: string; timeoutMs: number };
  redisUrl?: string;
  /** AUTH password for Redis (ElastiCache's auth token), kept apart from the URL. */
  redisPassword?: string;
  /** Deadline of every Redis command. */
  redisTimeoutMs: number;
  apiToken?: string;
  /** When set, `/play/*` answers only requests whose `X-Origin-Verify` equals it (the CDN adds it). */
  originVerifySecret?: string;
  /** Port of the Prometheus endpoint (its own listener, never behind the CDN); undefined: none. */
  metricsPort?: number;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** `pretty` lines for a person, `json` lines for a collector; `auto`: pretty when stdout is a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** HMAC key for revision ids; generated per process when unset (only allowed without Redis). */
  revisionSecret: string;
  revisionSecretGenerated: boolean;
  revisionTtlSeconds: number;
  cacheMaxAge: number;
  notFoundMaxAge: number;
  segmentDuration: number;
  ffmpegPath: string;
  ffprobePath: string;
  jobConcurrency: number;
  jobQueueLimit: number;
  jobTimeoutMs: number;
  /**
   * The memory ceiling of one ffmpeg run in bytes (its data segment: what it allocates). A run that
   * needs more fails, and the source it read is refused as too large for the budget.
   */
  jobMemoryBytes: number;
  requestWaitMs: number;
  /**
   * How long an idle client connection stays open: longer than the load balancer's (an ALB keeps idle
   * connections to its targets 60 s), so the balancer always closes first and never sends a request
   * on a socket the origin is closing (an intermittent 502).
   */
  keepAliveTimeoutMs: number;
  artifactCacheBytes: number;
  lookaheadSegments: number;
  /** Start a revision's first segments when it is minted. */
  prewarmOnMint: boolean;
  sourceCacheBytes: number;
  workDir: string;
  /**
   * Serve the playground (`/`: pick sources, edit, mint, play) and its source list. On by default only
   * when the origin listens on loopback (`npm start`); off behind a load balancer unless asked for.
   */
  playground: boolean;
  /** At shutdown, how long running jobs may finish before they are killed. */
  shutdownDrainMs: number;
  x264Preset: string;
  x264Threads: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Whether an address only this machine reaches: a HOST to listen on (`localhost`, 127.0.0.0/8, `::1`)
 * or a socket's peer (also as IPv4-mapped IPv6: a dual-stack socket's view of 127.0.0.1).
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === 'localhost' || address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address);
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  MEDIA_ROOT: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_TIMEOUT_MS: int(100, 120_000).default(10_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_AUTH_TOKEN: z.string().min(1).optional(),
  REDIS_TIMEOUT_MS: int(50, 60_000).default(1000),
  AVSERVER_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ORIGIN_VERIFY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: int(0, 65535).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  REVISION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  REVISION_TTL_SECONDS: int(60, 10 * 365 * 86400).default(30 * 86400),
  CACHE_MAX_AGE: int(0, 365 * 86400).default(86400),
  NOT_FOUND_MAX_AGE: int(0, 3600).default(10),
  SEGMENT_DURATION: z.coerce.number().min(1).max(10).default(4),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  JOB_CONCURRENCY: int(1, 256).optional(),
  JOB_QUEUE_LIMIT: int(0, 100000).default(64),
  JOB_TIMEOUT_MS: int(1000, 3600_000).default(120_000),
  JOB_MEMORY_MB: int(128, 1024 * 1024).default(1024),
  REQUEST_WAIT_MS: int(1, 3600_000).default(25_000),
  KEEP_ALIVE_TIMEOUT_MS: int(1000, 3600_000).default(65_000),
  ARTIFACT_CACHE_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(256 * 1024 * 1024),
  LOOKAHEAD_SEGMENTS: int(0, 20).default(2),
  PREWARM_ON_MINT: z.enum(['true', 'false']).default('true'),
  PLAYGROUND: z.enum(['true', 'false']).optional(),
  SOURCE_CACHE_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(5 * 1024 * 1024 * 1024),
  WORK_DIR: z.string().min(1).optional(),
  SHUTDOWN_DRAIN_MS: int(0, 600_000).default(5000),
  X264_PRESET: z.enum(X264_PRESETS).default('veryfast'),
  X264_THREADS: int(1, 64).default(1),
});

/**
 * Reads and validates the configuration from an environment map. Throws `ConfigError` naming the
 * variable on the first bad value, so start-up stops with a message an operator can act on.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  defaults: { fixturesDir: string; randomSecret: () => string },
): Config {
  // Empty strings mean "unset" (docker-compose and shells often export empty values).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.REVISION_SECRET) {
    throw new ConfigError('REVISION_SECRET: required when REDIS_URL is set (every node must mint the same ids)');
  }
  if (e.S3_ENDPOINT && !e.S3_BUCKET) {
    throw new ConfigError('S3_BUCKET: required when S3_ENDPOINT is set');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    mediaRoot: e.MEDIA_ROOT ?? defaults.fixturesDir,
    embeddedMedia: !e.MEDIA_ROOT && !e.S3_BUCKET,
    s3: e.S3_BUCKET
      ? { bucket: e.S3_BUCKET, region: e.S3_REGION, endpoint: e.S3_ENDPOINT, timeoutMs: e.S3_TIMEOUT_MS }
      : undefined,
    redisUrl: e.REDIS_URL,
    redisPassword: e.REDIS_AUTH_TOKEN,
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    apiToken: e.AVSERVER_API_TOKEN,
    originVerifySecret: e.ORIGIN_VERIFY_SECRET,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    revisionSecret: e.REVISION_SECRET ?? defaults.randomSecret(),
    revisionSecretGenerated: !e.REVISION_SECRET,
    revisionTtlSeconds: e.REVISION_TTL_SECONDS,
    cacheMaxAge: e.CACHE_MAX_AGE,
    notFoundMaxAge: e.NOT_FOUND_MAX_AGE,
    segmentDuration: e.SEGMENT_DURATION,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    jobConcurrency: e.JOB_CONCURRENCY ?? availableParallelism(),
    jobQueueLimit: e.JOB_QUEUE_LIMIT,
    jobTimeoutMs: e.JOB_TIMEOUT_MS,
    jobMemoryBytes: e.JOB_MEMORY_MB * 1024 * 1024,
    requestWaitMs: e.REQUEST_WAIT_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    artifactCacheBytes: e.ARTIFACT_CACHE_BYTES,
    lookaheadSegments: e.LOOKAHEAD_SEGMENTS,
    prewarmOnMint: e.PREWARM_ON_MINT === 'true',
    sourceCacheBytes: e.SOURCE_CACHE_BYTES,
    workDir: e.WORK_DIR ?? join(tmpdir(), 'avserver'),
    playground: e.PLAYGROUND ? e.PLAYGROUND === 'true' : isLoopback(e.HOST),
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    x264Preset: e.X264_PRESET,
    x264Threads: e.X264_THREADS,
  };
}
