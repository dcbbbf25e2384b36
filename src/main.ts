import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import { type Config, ConfigError, LOOPBACK_HOSTS, loadConfig } from './config/index.js';
import { playbackPaths } from './core/manifests/playback-urls.js';
import { metricsApp } from './http/metrics-app.js';
import { pinoLogger } from './logger.js';
import { createOrigin } from './origin.js';

/** The fixture a newcomer sees at `npm start`. */
const DEMO_SOURCE = 'landscape.mp4';
/** After the drain, how long answers in flight may take to leave before the process exits. */
const LAST_ANSWERS_MS = 1000;

/** Composition root: environment → config → adapters → app → listen. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, {
      fixturesDir: fileURLToPath(new URL('../fixtures/media', import.meta.url)),
      randomSecret: () => randomBytes(32).toString('base64url'),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`avserver: configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pinoLogger(config.logLevel);
  let host = config.host;
  if (!config.apiToken && !LOOPBACK_HOSTS.has(host)) {
    logger.warn('AVSERVER_API_TOKEN is unset: binding to loopback only', { requestedHost: host });
    host = '127.0.0.1';
  }
  if (config.revisionSecretGenerated) logger.warn('REVISION_SECRET is unset: revision ids change at every restart');

  const origin = await createOrigin(config, logger);
  // Prometheus on its own port: never routed through the CDN or the load balancer's listener.
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : serve({ fetch: metricsApp(origin.metrics).fetch, port: config.metricsPort, hostname: config.host }, (info) =>
          logger.info('metrics listening', { port: info.port }),
        );

  const server = serve({ fetch: origin.app.fetch, port: config.port, hostname: host }, (info) => {
    logger.info('avserver listening', {
      url: `http://${host}:${info.port}`,
      media: config.s3 ? `s3://${config.s3.bucket}` : config.mediaRoot,
    });
  }) as HttpServer;
  // Idle connections outlive the load balancer's (see Config.keepAliveTimeoutMs); the headers of the
  // next request on a kept connection may take as long (Node's default, 60 s, would cut it first).
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1000;

  const base = `http://${host === '::1' ? '[::1]' : host}:${config.port}`;
  if (config.embeddedMedia) {
    // Minted like any revision, so its first segments are made before the page asks (prewarm).
    const minted = await origin.revisions.mint({ clips: [{ source: DEMO_SOURCE }] });
    const page = config.playground ? `    open   ${base}/?revision=${minted.record.id}\n    or     ` : '    play   ';
    console.log(
      `\n  Demo revision minted from fixtures/media/${DEMO_SOURCE}:\n${page}ffplay ${base}${playbackPaths(minted.record.id).hls}\n`,
    );
  } else if (config.playground) {
    console.log(`\n  Playground: ${base}/\n`);
  }

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
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
