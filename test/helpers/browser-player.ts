/**
 * Headless-browser playback harness for end-to-end tests.
 *
 * Plays an HLS stream with hls.js, or a DASH stream with Shaka Player, in
 * Debian's Chromium driven by playwright-core, and reports what happened.
 *
 * The player page is served from its own tiny node:http server on a free
 * 127.0.0.1 port, so it is always a different origin from the media server
 * (different port => different origin) and CORS is really exercised.
 *
 * The browser is launched lazily on first use and reused; call closeBrowser()
 * (e.g. in afterAll) to shut it and the page server down.
 *
 * Files:
 * - this one: the API used by the tests (playHls, playDash, closeBrowser, ...);
 * - browser-launch.ts: the Chromium lifecycle and the player-page server;
 * - player-page/: the page itself, plain JavaScript files (not a function handed to
 *   page.evaluate, not TypeScript) so that no transpiler helper (esbuild's __name etc.) can leak
 *   into the page. window.runHls / window.runDash resolve with the run's state, which has the
 *   fields of PlayResult; window.__pb is the live state of the current run.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { closeChromium, closePageServer, getBrowser, getPageServer, withTimeout } from './browser-launch.js';

export { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser-launch.js';

export interface PlayResult {
  /** the <video> reached 'ended' */
  ended: boolean;
  currentTime: number;
  duration: number;
  /** every hls.js ERROR event (fatal or not) as "type/details[/fatal]", plus video element errors
   *  ("video/<code>/<message>"), Shaka errors ("shaka/<category>/<code>[/fatal]"), page errors
   *  ("page/<message>") */
  errors: string[];
  /** hls.js BUFFER_STALLED_ERROR count + 'waiting' events after playback first started, except while seeking */
  stalls: number;
  /** distinct level indices actually switched to (hls.js LEVEL_SWITCHED; Shaka: index of the active
   *  variant track in getVariantTracks() whenever it changes) */
  levelsPlayed: number[];
  /** anything useful for debugging a failure */
  log: string[];
}

export interface PlayHlsOptions {
  /** cycle hls.nextLevel through all levels every switchEveryMs (after playback started) */
  switchEveryMs?: number;
  /** give up after this long (default 60 s); resolves with ended=false, never rejects on timeout */
  timeoutMs?: number;
  /** extra hls.js config (JSON-serialisable), e.g. a short maxBufferLength so switches land on unbuffered segments */
  hlsConfig?: Record<string, unknown>;
}

export interface PlayDashOptions {
  timeoutMs?: number;
}

/** Same as the page-side fallback in player-page/state.js; the page is always given timeoutMs. */
const DEFAULT_TIMEOUT_MS = 60_000;

function emptyResult(): PlayResult {
  return { ended: false, currentTime: 0, duration: 0, errors: [], stalls: 0, levelsPlayed: [], log: [] };
}

/**
 * What to play: a URL, or a function that makes one once the page is ready (a revision minted after the
 * browser has opened its page and parsed the players, as on a viewer's own machine: this 2-core machine
 * then spends its CPU on the origin's first segments, not on the browser's start-up).
 */
export type PlayTarget = string | (() => Promise<string>);

/** Opens the player page in a fresh browser context, runs window[driver](url, opts) there and collects the result. */
async function runInPage(driver: 'runHls' | 'runDash', target: PlayTarget, opts: PlayHlsOptions): Promise<PlayResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const nodeLog: string[] = [];
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(2)}s`;
  const pageErrors: string[] = [];
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  try {
    const [browser, srv] = await Promise.all([getBrowser(), getPageServer()]);
    context = await browser.newContext();
    page = await context.newPage();
    page.on('console', (m) => nodeLog.push(`[node ${stamp()}] console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => {
      pageErrors.push(`page/${e.message}`);
      nodeLog.push(`[node ${stamp()}] pageerror: ${e.stack ?? e.message}`);
    });
    page.on('requestfailed', (r) =>
      nodeLog.push(`[node ${stamp()}] requestfailed ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`),
    );
    page.on('response', (r) => {
      if (r.status() >= 400) nodeLog.push(`[node ${stamp()}] HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('crash', () => nodeLog.push(`[node ${stamp()}] page crashed`));
    await page.goto(`${srv.origin}/`, { waitUntil: 'load', timeout: 15_000 });
    const url = typeof target === 'string' ? target : await target();
    nodeLog.push(`[node ${stamp()}] page ${srv.origin}/ loaded, playing ${url}`);

    // The page resolves by itself at timeoutMs; the Node-side guard (+10 s) only covers a wedged page.
    const expr = `window.${driver}(${JSON.stringify(url)}, ${JSON.stringify({ ...opts, timeoutMs })})`;
    let res = await withTimeout(page.evaluate(expr) as Promise<PlayResult>, timeoutMs + 10_000);
    if (!res) {
      nodeLog.push(`[node ${stamp()}] page did not answer within ${timeoutMs + 10_000}ms; reading live state`);
      res = (await withTimeout(page.evaluate('window.__pb') as Promise<PlayResult>, 3_000)) ?? emptyResult();
      res.ended = false;
    }
    return {
      ended: !!res.ended,
      currentTime: res.currentTime,
      duration: res.duration,
      errors: [...res.errors, ...pageErrors],
      stalls: res.stalls,
      levelsPlayed: res.levelsPlayed,
      log: [...res.log, ...nodeLog],
    };
  } catch (e) {
    const r = emptyResult();
    const msg = e instanceof Error ? e.message : String(e);
    r.errors.push(`harness/${msg}`, ...pageErrors);
    r.log.push(...nodeLog, `[node ${stamp()}] harness exception: ${e instanceof Error ? (e.stack ?? msg) : msg}`);
    return r;
  } finally {
    if (context) await withTimeout(context.close(), 5_000);
  }
}

/**
 * A run's errors the origin could have caused: without `networkError/aborted`, which hls.js reports (non-fatal)
 * when a forced switch makes it cancel its own in-flight load.
 */
export const originErrors = (errors: string[]) => errors.filter((e) => e !== 'networkError/aborted');

/** Play an HLS master (or media) playlist with hls.js in headless Chromium. Never rejects. */
export async function playHls(masterUrl: PlayTarget, opts: PlayHlsOptions = {}): Promise<PlayResult> {
  return runInPage('runHls', masterUrl, opts);
}

/** Play a DASH MPD with Shaka Player in headless Chromium. Never rejects. */
export async function playDash(mpdUrl: PlayTarget, opts: PlayDashOptions = {}): Promise<PlayResult> {
  return runInPage('runDash', mpdUrl, opts);
}

/**
 * Close the shared browser (leaving no chromium process behind) and the player-page server. Safe to call repeatedly.
 */
export async function closeBrowser(): Promise<void> {
  await closeChromium();
  await closePageServer();
}

/** For tests/debugging: the origin of the player page (starts the page server if needed). */
export async function playerPageOrigin(): Promise<string> {
  return (await getPageServer()).origin;
}

/** Query MSE support for the given MIME types in the harness browser. */
export async function mseSupport(types: string[]): Promise<Record<string, boolean>> {
  const browser = await getBrowser();
  const srv = await getPageServer();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${srv.origin}/`, { waitUntil: 'load' });
    return (await page.evaluate(
      `(${JSON.stringify(types)}).reduce((o, t) => (o[t] = MediaSource.isTypeSupported(t), o), {})`,
    )) as Record<string, boolean>;
  } finally {
    await withTimeout(context.close(), 5_000);
  }
}
