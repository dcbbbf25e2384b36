import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Config } from './config/index.js';
import type { ImageInfo } from './core/picture/image-header.js';
import { Limiter } from './util/limiter.js';
import { Lru } from './util/lru.js';
import { Lookahead } from './engine/lookahead.js';
import { OverlayPictures } from './engine/overlay-pictures.js';
import { Scheduler } from './engine/scheduler.js';
import { Sources } from './engine/sources.js';
import { ErrorCode, OriginError } from './errors.js';
import { createApp } from './http/app.js';
import type { Edge } from './http/edge.js';
import { loadPlaygroundAssets, playgroundRoutes } from './http/playground/index.js';
import type { Logger } from './logger.js';
import type { EncoderSettings } from './media/video/video-args.js';
import { ProcessRunner } from './media/process-runner.js';
import { RnnoisePool } from './media/audio/denoise/rnnoise-pool.js';
import { checkImage } from './media/sources/image-check.js';
import { probeTarget } from './media/sources/probe.js';
import { Metrics } from './metrics.js';
import { PlaybackService } from './services/playback-service.js';
import { Revisions } from './services/revisions.js';
import { FfmpegSegmentMaker } from './services/segment-maker.js';
import { listSources } from './services/source-listing.js';
import { Downloads } from './services/downloads.js';
import { FsObjectStore } from './stores/fs-object-store.js';
import { MemoryRevisionStore } from './stores/memory-revision-store.js';
import type { ObjectStore } from './stores/object-store.js';
import { RedisRevisionStore } from './stores/redis-revision-store.js';
import type { RevisionStore } from './stores/revision-store.js';
import { S3ObjectStore } from './stores/s3-object-store.js';

export interface Origin {
  app: Hono<Edge>;
  revisions: Revisions;
  playback: PlaybackService;
  runner: ProcessRunner;
  scheduler: Scheduler;
  encoder: EncoderSettings;
  workDir: string;
  /** Prometheus metrics (served on METRICS_PORT by main.ts). */
  metrics: Metrics;
  /** Refuses new jobs and fails waiting ones (retryable 503), then waits up to `ms` for running jobs to finish. */
  drain(ms: number): Promise<void>;
  /** Refuses new jobs, kills running ffmpeg, deletes temp files, closes Redis. */
  close(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 30_000;
/**
 * The memory ceiling of one ffprobe run. A probe of a 1080p source runs within 64 MB and of an 8K one
 * within 128 MB (its first frame is decoded); the rest is room for the sample index of a long source.
 */
const PROBE_MEMORY_BYTES = 512 * 1024 * 1024;
/**
 * Mints' probes (ffprobe, the image check) waiting for one of the JOB_CONCURRENCY probe slots; beyond,
 * a retryable 503. Twelve mints at once ran twelve ffprobe processes holding 7.6 GB together, all of
 * them out of time: one at a time per core, each takes a fraction of a second.
 */
const PROBE_QUEUE_LIMIT = 64;
/** Overlay pictures kept in memory (PNG bytes): a caption at 1080p is tens of KB. */
const PICTURE_CACHE_BYTES = 64 * 1024 * 1024;
/** Image overlays remembered as checked (by key and ETag), so a re-mint with the same logo skips the decode. */
const CHECKED_IMAGES = 10_000;
/** x264 quality target under the bitrate cap (docs/media-rules.md, "Determinism": capped CRF). */
const CRF = 21;

/**
 * Deletes the work folders of origins that died without cleaning up (killed, crashed): each is named
 * after its process (`run-<pid>-…`), and one whose process is gone — or is this one, from a life before a
 * container restart — is abandoned. Folders of origins alive beside this one (sharing WORK_DIR) stay.
 */
async function removeAbandonedRuns(dir: string, logger: Logger): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = Number(/^run-(\d+)-/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || (pid !== process.pid && alive(pid))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    logger.info('removed the work folder of an origin that did not stop cleanly', { folder: name });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The playground's source list: objects looked at (a folder or a listing page each) and sources
 * listed. A page of recordings to pick from, not a file browser; a larger bucket lists its first keys.
 */
const PLAYGROUND_SCAN_KEYS = 1000;
const PLAYGROUND_SOURCES = 200;

/** Builds every adapter from the configuration and wires them into the app. */
export async function createOrigin(
  config: Config,
  logger: Logger,
  options: {
    /** What the origin lacks to work (`/healthz` answers 503 while any). */
    readiness?: () => Promise<string[]>;
  } = {},
): Promise<Origin> {
  const store: RevisionStore = config.redisUrl
    ? await RedisRevisionStore.connect(config.redisUrl, {
        commandTimeoutMs: config.redisTimeoutMs,
        password: config.redisPassword,
      })
    : new MemoryRevisionStore();
  const objects: ObjectStore = config.s3
    ? new S3ObjectStore(S3ObjectStore.client(config.s3), config.s3.bucket, config.s3.timeoutMs)
    : new FsObjectStore(config.mediaRoot);
  await mkdir(config.workDir, { recursive: true });
  await removeAbandonedRuns(config.workDir, logger);
  const workDir = await mkdtemp(join(config.workDir, `run-${process.pid}-`));
  const runner = new ProcessRunner({ memoryBytes: config.jobMemoryBytes });
  const scheduler = new Scheduler({ concurrency: config.jobConcurrency, queueLimit: config.jobQueueLimit });
  const planOptions = { segmentDuration: config.segmentDuration };
  const encoder: EncoderSettings = { preset: config.x264Preset, threads: config.x264Threads, crf: CRF };

  // One RNNoise worker per job slot: an audio job denoises its channels in parallel.
  const denoiser = new RnnoisePool(config.jobConcurrency);
  const metrics: Metrics = new Metrics({ jobs: scheduler, sourceCacheBytes: () => sources.bytes });
  const sources = new Sources({
    objects,
    runner,
    ffmpegPath: config.ffmpegPath,
    dir: join(workDir, 'sources'),
    maxBytes: config.sourceCacheBytes,
    timeoutMs: config.jobTimeoutMs,
    observe: (kind, seconds) => metrics.job(kind, '', seconds),
  });
  const probeTools = {
    runner,
    ffprobePath: config.ffprobePath,
    ffmpegPath: config.ffmpegPath,
    timeoutMs: PROBE_TIMEOUT_MS,
    memoryBytes: PROBE_MEMORY_BYTES,
  };
  const probes = new Limiter(
    config.jobConcurrency,
    PROBE_QUEUE_LIMIT,
    () => new OriginError(ErrorCode.Overloaded, 'too many sources are being checked; retry shortly'),
  );
  const checkedImages = new Lru<ImageInfo>(CHECKED_IMAGES);
  // Every mint — the API's and the demo revision's at start-up — starts its first segments at once.
  // `playback` is built below, from `revisions`; the hook only runs after a mint, when it exists.
  const onMinted = config.prewarmOnMint ? (id: string) => void playback.prewarm(id).catch(() => {}) : undefined;
  const revisions = new Revisions(
    {
      store,
      objects,
      sources,
      probe: (target, identity) =>
        probes.run(() => metrics.timed('probe', () => probeTarget(target, identity, probeTools))),
      image: (key) =>
        probes.run(() => metrics.timed('image', () => checkImage(objects, probeTools, key, checkedImages))),
      secret: config.revisionSecret,
      ttlSeconds: config.revisionTtlSeconds,
      planOptions,
      now: () => new Date(),
    },
    { onMinted },
  );
  const pictures = new OverlayPictures({
    objects,
    verify: (image) => sources.verify(image),
    maxBytes: PICTURE_CACHE_BYTES,
  });
  const maker = new FfmpegSegmentMaker({
    runner,
    ffmpegPath: config.ffmpegPath,
    jobTimeoutMs: config.jobTimeoutMs,
    sources,
    denoiser,
    encoder,
    pictures,
    dir: join(workDir, 'overlays'),
  });
  // A stream (a rendition of a revision) is watched while players ask for it at least every few
  // segments; a player with a full buffer asks once per segment.
  const lookahead = new Lookahead({
    segments: config.lookaheadSegments,
    idleMs: 3 * config.segmentDuration * 1000,
    now: () => performance.now(),
  });
  const playback = new PlaybackService({
    revisions,
    scheduler,
    maker,
    lookahead,
    logger,
    requestWaitMs: config.requestWaitMs,
    artifactCacheBytes: config.artifactCacheBytes,
    observeJob: (kind, rendition, seconds) => metrics.job(kind, rendition, seconds),
  });
  const downloads = new Downloads({ revisions, playback, logger });
  const parts = { revisions, playback, runner, scheduler, encoder, workDir, metrics };
  const app = createApp({
    revisions,
    playback,
    downloads,
    logger,
    metrics,
    apiToken: config.apiToken,
    originVerifySecret: config.originVerifySecret,
    cacheMaxAge: config.cacheMaxAge,
    notFoundMaxAge: config.notFoundMaxAge,
    extra: config.playground
      ? playgroundRoutes({
          assets: await loadPlaygroundAssets(),
          listSources: () => listSources(objects, { scanKeys: PLAYGROUND_SCAN_KEYS, limit: PLAYGROUND_SOURCES }),
          apiToken: config.apiToken,
        })
      : undefined,
    readiness: options.readiness,
  });
  let closing: Promise<void> | undefined;
  return {
    app,
    ...parts,
    async drain(ms) {
      playback.beginClose();
      scheduler.close();
      const until = performance.now() + ms;
      while (scheduler.active > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    },
    close() {
      closing ??= (async () => {
        playback.beginClose();
        scheduler.close();
        await runner.shutdown();
        sources.clear();
        await denoiser.close();
        await rm(workDir, { recursive: true, force: true });
        await store.close();
      })();
      return closing;
    },
  };
}
