import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Config, ConfigError, isLoopback, loadConfig } from './config/index.js';
import { playbackPaths } from './core/manifests/playback-urls.js';
import { metricsApp } from './http/metrics-app.js';
import { type Logger, pinoLogger, prettyDestination } from './logger.js';
import { toolReadiness } from './media/ffmpeg-tools.js';
import { ProcessRunner } from './media/process-runner.js';
import { createOrigin, type Origin } from './origin.js';
import { listenProblem, preflight } from './preflight.js';

/** The fixture a newcomer sees at `npm start`. */
const DEMO_SOURCE = 'landscape.mp4';
/** After the drain, how long answers in flight may take to leave before the process exits. */
const LAST_ANSWERS_MS = 1000;
/** Deadline of each start-up check (an ffmpeg run takes about 0.2 s). */
const PREFLIGHT_TIMEOUT_MS = 10_000;
/** How often `/healthz` looks again for ffmpeg and ffprobe. */
const TOOLS_RECHECK_MS = 5000;

/** Stops the start: one line per problem on stderr, naming what to fix, and a non-zero exit. */
function refuse(problems: string[], code = 1): never {
  for (const problem of problems) console.error(`avserver: ${problem}`);
  process.exit(code);
}

/** The server listening, or why not (the port taken since the preflight). */
function listen(fetch: Origin['app']['fetch'], port: number, hostname: string): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }) as HttpServer;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** How a person on this machine reaches an address the origin listens on. */
function reachableBase(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Composition root: environment → config → preflight → adapters → app → listen. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, {
      fixturesDir: fileURLToPath(new URL('../fixtures/media', import.meta.url)),
      randomSecret: () => randomBytes(32).toString('base64url'),
    });
  } catch (err) {
    if (err instanceof ConfigError) refuse([`configuration error: ${err.message}`], 2);
    throw err;
  }
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true);
  const logger = pinoLogger(config.logLevel, pretty ? prettyDestination(process.stdout) : undefined);

  // Before anything is created (no work folder, no port held): a problem stops the start here.
  const path = process.env.PATH ?? '';
  const problems = await preflight(config, {
    runner: new ProcessRunner(),
    path,
    cwd: process.cwd(),
    timeoutMs: PREFLIGHT_TIMEOUT_MS,
  });
  if (problems.length > 0) refuse(problems);

  if (!config.apiToken && !isLoopback(config.host)) {
    logger.warn('AVSERVER_API_TOKEN is unset: the API (/v1) answers requests from this machine only', {
      host: config.host,
    });
  }
  if (config.revisionSecretGenerated) logger.warn('REVISION_SECRET is unset: revision ids change at every restart');

  const readiness = toolReadiness({ ...config, path, cwd: process.cwd(), maxAgeMs: TOOLS_RECHECK_MS });
  const origin = await createOrigin(config, logger, { readiness });

  let server: HttpServer;
  let metricsServer: HttpServer | undefined;
  let listening = 'PORT';
  try {
    server = await listen(origin.app.fetch, config.port, config.host);
    // Prometheus on its own port: never routed through the CDN or the load balancer's listener.
    listening = 'METRICS_PORT';
    if (config.metricsPort !== undefined) {
      metricsServer = await listen(metricsApp(origin.metrics).fetch, config.metricsPort, config.host).catch((err) => {
        server.close();
        throw err;
      });
    }
  } catch (err) {
    await origin.close();
    const port = listening === 'PORT' ? config.port : config.metricsPort!;
    refuse([listenProblem(listening, port, config.host, err as NodeJS.ErrnoException)]);
  }
  // Idle connections outlive the load balancer's (see Config.keepAliveTimeoutMs); the headers of the
  // next request on a kept connection may take as long (Node's default, 60 s, would cut it first).
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1000;
  stopOnSignals(config, logger, origin, server, metricsServer);

  const port = (server.address() as AddressInfo).port;
  const base = reachableBase(config.host, port);
  // Only URLs that answer: a person opens what the log shows.
  logger.info('avserver listening', {
    address: `${config.host}:${port}`,
    health: `${base}/healthz`,
    media: config.s3 ? `s3://${config.s3.bucket}` : config.mediaRoot,
    api: config.apiToken ? 'bearer token' : 'this machine only (AVSERVER_API_TOKEN unset)',
    ...(metricsServer ? { metrics: `${reachableBase(config.host, config.metricsPort!)}/metrics` } : {}),
  });

  if (config.embeddedMedia) {
    try {
      // Minted like any revision, so its first segments are made before the page asks (prewarm).
      const minted = await origin.revisions.mint({ clips: [{ source: DEMO_SOURCE }] });
      // The playground only where it is served (off unless HOST is loopback or PLAYGROUND=true).
      logger.info('demo revision minted', {
        source: `fixtures/media/${DEMO_SOURCE}`,
        ...(config.playground ? { open: `${base}/?revision=${minted.record.id}` } : {}),
        play: `ffplay ${base}${playbackPaths(minted.record.id).hls}`,
      });
    } catch (err) {
      logger.warn('the demo revision could not be minted; the origin runs without it', { err });
    }
  } else if (config.playground) {
    logger.info('playground', { open: `${base}/` });
  }
}

/** SIGTERM and SIGINT drain the origin, stop it, and say so in the last log line. */
function stopOnSignals(
  config: Config,
  logger: Logger,
  origin: Origin,
  server: HttpServer,
  metricsServer: HttpServer | undefined,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // No new connections; waiting jobs answer a retryable 503 at once; running ones may finish for a
    // few seconds, then whatever ffmpeg is left is killed (its requests answer 503) and temp files go.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await origin.drain(config.shutdownDrainMs);
    await origin.close();
    metricsServer?.close();
    // The last answers leave, then the process does; a connection that lingers does not keep it.
    await Promise.race([closed, new Promise((r) => setTimeout(r, LAST_ANSWERS_MS))]);
    logger.info('avserver stopped', { signal });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`avserver: could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
