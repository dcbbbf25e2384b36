import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ArtifactKind } from './core/manifests/playback-urls.js';
import type { CacheStatus } from './engine/cached-jobs.js';
import type { JobClass } from './engine/job.js';

/** What the metrics read when scraped. */
export interface MetricsSources {
  jobs: { runningOf(cls: JobClass): number; queuedOf(cls: JobClass): number };
  sourceCacheBytes: () => number;
}

/** What a job was: a segment's encode, a mint's probe, a source indexed or assembled. */
export type JobKind = 'video' | 'audio' | 'probe' | 'image' | 'index' | 'assemble';

const CLASSES: readonly JobClass[] = ['player', 'lookahead'];

/**
 * The origin's Prometheus metrics (prom-client), served on their own port (METRICS_PORT), never
 * through the CDN. Names are `avserver_*`, plus Node's default process metrics.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #http: Histogram<'route' | 'method' | 'status'>;
  readonly #jobs: Histogram<'kind' | 'rendition'>;
  readonly #cache: Counter<'artifact' | 'status'>;
  readonly #bytes: Counter<'artifact'>;
  readonly #unavailable: Counter<'reason'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.#http = new Histogram({
      name: 'avserver_http_request_duration_seconds',
      help: 'HTTP requests by route pattern and status: time to the response head',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 30],
      registers,
    });
    this.#jobs = new Histogram({
      name: 'avserver_job_run_seconds',
      help: 'Run time of jobs (paused time excluded) by kind (video, audio, probe, image, index, assemble) and rendition',
      labelNames: ['kind', 'rendition'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    this.#cache = new Counter({
      name: 'avserver_cache_requests_total',
      help: 'Playback artifacts by kind and cache status: hit, miss (made for this request) or coalesced (joined a job running for another)',
      labelNames: ['artifact', 'status'],
      registers,
    });
    this.#bytes = new Counter({
      name: 'avserver_served_bytes_total',
      help: 'Body bytes of playback answers by artifact kind',
      labelNames: ['artifact'],
      registers,
    });
    this.#unavailable = new Counter({
      name: 'avserver_http_503_total',
      help: '503 answers by reason (overloaded, timeout, unavailable)',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'avserver_jobs_running',
      help: 'Jobs holding a slot (or paused for a more urgent one), by priority class',
      labelNames: ['priority'],
      registers,
      collect() {
        for (const cls of CLASSES) this.set({ priority: cls }, sources.jobs.runningOf(cls));
      },
    });
    new Gauge({
      name: 'avserver_jobs_queued',
      help: 'Jobs waiting for a slot, by priority class',
      labelNames: ['priority'],
      registers,
      collect() {
        for (const cls of CLASSES) this.set({ priority: cls }, sources.jobs.queuedOf(cls));
      },
    });
    new Gauge({
      name: 'avserver_source_cache_bytes',
      help: 'Bytes of local source copies (assembled chunked recordings, indexed WebM) on disk',
      registers,
      collect() {
        this.set(sources.sourceCacheBytes());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#http.observe({ route, method, status: String(status) }, seconds);
  }

  job(kind: JobKind, rendition: string, seconds: number): void {
    this.#jobs.observe({ kind, rendition }, seconds);
  }

  /** Times an async step as a job of `kind`, whether it succeeds or not. */
  async timed<T>(kind: JobKind, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.job(kind, '', (performance.now() - started) / 1000);
    }
  }

  served(artifact: ArtifactKind, cacheStatus: CacheStatus, bytes: number): void {
    this.#cache.inc({ artifact, status: cacheStatus });
    this.#bytes.inc({ artifact }, bytes);
  }

  unavailable(reason: string): void {
    this.#unavailable.inc({ reason });
  }
}
