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
 * The in-page player code is plain JavaScript served as /player.js (not a
 * function handed to page.evaluate) so that no transpiler helper (esbuild's
 * __name etc.) can leak into the page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserServer, type Page } from 'playwright-core';

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

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

const DEFAULT_TIMEOUT_MS = 60_000;

const require = createRequire(import.meta.url);
const HLS_JS_PATH = require.resolve('hls.js/dist/hls.min.js');
const SHAKA_JS_PATH = require.resolve('shaka-player/dist/shaka-player.compiled.js');

// ---------------------------------------------------------------------------------------------
// In-page code (plain ES2020, runs in Chromium).
// window.__pb is the live state; window.runHls / window.runDash return a Promise of it.
// ---------------------------------------------------------------------------------------------
const PLAYER_JS = String.raw`
'use strict';
(function () {
  function newState() {
    return { ended: false, currentTime: 0, duration: 0, errors: [], stalls: 0, levelsPlayed: [], log: [] };
  }
  var t0 = performance.now();
  function stamp() { return ((performance.now() - t0) / 1000).toFixed(2) + 's'; }

  function makeVideo() {
    var old = document.getElementById('v');
    if (old) old.remove();
    var v = document.createElement('video');
    v.id = 'v';
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.width = 320;
    document.body.appendChild(v);
    return v;
  }

  // Common <video> wiring; returns a "finish" function that resolves once.
  function wireVideo(v, st, resolve, timeoutMs, cleanup) {
    var started = false;
    var done = false;
    var timer = null;
    function log(msg) { st.log.push('[' + stamp() + ' t=' + v.currentTime.toFixed(2) + '] ' + msg); }
    function snapshot() {
      st.currentTime = v.currentTime;
      st.duration = isFinite(v.duration) ? v.duration : 0;
    }
    function finish(why) {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      snapshot();
      log('finish: ' + why + ' (buffered=' + bufferedStr() + ', readyState=' + v.readyState + ')');
      try { cleanup(); } catch (e) { log('cleanup threw: ' + e); }
      resolve(st);
    }
    function bufferedStr() {
      var r = [];
      for (var i = 0; i < v.buffered.length; i++) r.push(v.buffered.start(i).toFixed(3) + '-' + v.buffered.end(i).toFixed(3));
      return '[' + r.join(',') + ']';
    }
    ['loadedmetadata', 'canplay', 'play', 'pause', 'seeking', 'seeked', 'ratechange'].forEach(function (ev) {
      v.addEventListener(ev, function () { log('video ' + ev); });
    });
    v.addEventListener('playing', function () {
      if (!started) { started = true; st.startedAt = performance.now(); }
      log('video playing');
    });
    v.addEventListener('waiting', function () {
      log('video waiting (started=' + started + ', seeking=' + v.seeking + ', buffered=' + bufferedStr() + ')');
      // Waiting for a seek to land (a player's start-time adjustment) is not a stall.
      if (started && !v.seeking) st.stalls++;
    });
    v.addEventListener('timeupdate', snapshot);
    v.addEventListener('durationchange', snapshot);
    v.addEventListener('ended', function () { st.ended = true; finish('ended'); });
    v.addEventListener('error', function () {
      var e = v.error;
      st.errors.push('video/' + (e ? e.code : '?') + '/' + (e ? e.message : ''));
      finish('video element error');
    });
    timer = setTimeout(function () { finish('timeout after ' + timeoutMs + 'ms'); }, timeoutMs);
    return { finish: finish, log: log, isStarted: function () { return started; }, isDone: function () { return done; } };
  }

  function startPlayback(v, ctl) {
    var p = v.play();
    if (p && p.catch) p.catch(function (e) { ctl.log('video.play() rejected: ' + e); });
  }

  window.runHls = function (url, opts) {
    var st = newState();
    window.__pb = st;
    var switchEveryMs = opts && opts.switchEveryMs;
    var timeoutMs = (opts && opts.timeoutMs) || ${DEFAULT_TIMEOUT_MS};
    return new Promise(function (resolve) {
      var v = makeVideo();
      var Hls = window.Hls;
      var hls = null;
      var switchTimer = null;
      var ctl = wireVideo(v, st, resolve, timeoutMs, function () {
        if (switchTimer) clearInterval(switchTimer);
        // Keep hls attached (destroying it would detach MSE and reset the video);
        // the page/context is closed by the Node side right after.
        try { hls && hls.stopLoad(); } catch (e) { /* ignore */ }
      });
      if (!Hls || !Hls.isSupported()) {
        st.errors.push('harness/hls.js not supported in this browser');
        ctl.finish('hls.js unsupported');
        return;
      }
      ctl.log('hls.js ' + Hls.version);
      hls = new Hls(Object.assign({ debug: false }, (opts && opts.hlsConfig) || {}));
      window.__hls = hls;
      var E = Hls.Events;
      hls.on(E.ERROR, function (_ev, d) {
        var s = d.type + '/' + d.details + (d.fatal ? '/fatal' : '');
        st.errors.push(s);
        var extra = [];
        if (d.response) extra.push('http ' + d.response.code + ' ' + (d.response.text || ''));
        if (d.url) extra.push(d.url);
        if (d.frag) extra.push('frag sn=' + d.frag.sn + ' level=' + d.frag.level);
        if (d.reason) extra.push(d.reason);
        if (d.error) extra.push(String(d.error));
        if (d.buffer !== undefined) extra.push('buffer=' + d.buffer);
        ctl.log('hls ERROR ' + s + (extra.length ? ' (' + extra.join('; ') + ')' : ''));
        if (d.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) st.stalls++;
        if (d.fatal) ctl.finish('fatal hls.js error ' + s);
      });
      hls.on(E.MANIFEST_PARSED, function (_ev, d) {
        ctl.log('hls MANIFEST_PARSED levels=' + d.levels.map(function (l, i) {
          return i + ':' + l.width + 'x' + l.height + '@' + l.bitrate + ' ' + (l.codecSet || l.attrs && l.attrs.CODECS || '');
        }).join(', '));
        startPlayback(v, ctl);
      });
      hls.on(E.LEVEL_SWITCHING, function (_ev, d) { ctl.log('hls LEVEL_SWITCHING ' + d.level); });
      hls.on(E.LEVEL_SWITCHED, function (_ev, d) {
        ctl.log('hls LEVEL_SWITCHED ' + d.level);
        if (st.levelsPlayed.indexOf(d.level) < 0) st.levelsPlayed.push(d.level);
      });
      hls.on(E.FRAG_LOADED, function (_ev, d) {
        ctl.log('hls FRAG_LOADED level=' + d.frag.level + ' sn=' + d.frag.sn + ' ' + d.frag.start.toFixed(3) + '+' + d.frag.duration.toFixed(3));
      });
      hls.on(E.BUFFER_EOS, function () { ctl.log('hls BUFFER_EOS'); });
      if (switchEveryMs && switchEveryMs > 0) {
        v.addEventListener('playing', function once() {
          v.removeEventListener('playing', once);
          if (switchTimer || ctl.isDone()) return;
          // LEVEL_SWITCHED (currentLevel) lags a nextLevel request until the playhead reaches the
          // first fragment of the new level, which can take longer than switchEveryMs with short
          // intervals / long segments. Requesting another level before that would flush the pending
          // one unplayed, so a tick is skipped while the previous request has not been played yet.
          var target = -1;
          switchTimer = setInterval(function () {
            var n = hls.levels ? hls.levels.length : 0;
            if (n < 2) return;
            if (target >= 0 && hls.currentLevel !== target) {
              ctl.log('switch: level ' + target + ' still pending (currentLevel=' + hls.currentLevel + '), skip tick');
              return;
            }
            target = ((hls.currentLevel >= 0 ? hls.currentLevel : Math.max(0, hls.loadLevel)) + 1) % n;
            ctl.log('switch: nextLevel -> ' + target + ' (currentLevel=' + hls.currentLevel + ')');
            hls.nextLevel = target;
          }, switchEveryMs);
        });
      }
      hls.attachMedia(v);
      hls.loadSource(url);
    });
  };

  window.runDash = function (url, opts) {
    var st = newState();
    window.__pb = st;
    var timeoutMs = (opts && opts.timeoutMs) || ${DEFAULT_TIMEOUT_MS};
    return new Promise(function (resolve) {
      var v = makeVideo();
      var shaka = window.shaka;
      var player = null;
      var ctl = wireVideo(v, st, resolve, timeoutMs, function () {});
      if (!shaka) {
        st.errors.push('harness/shaka not loaded');
        ctl.finish('shaka missing');
        return;
      }
      shaka.polyfill.installAll();
      if (!shaka.Player.isBrowserSupported()) {
        st.errors.push('harness/shaka: browser not supported');
        ctl.finish('shaka unsupported');
        return;
      }
      ctl.log('shaka ' + shaka.Player.version);
      player = new shaka.Player();
      window.__shaka = player;
      function recordError(err) {
        var fatal = err && err.severity === shaka.util.Error.Severity.CRITICAL;
        var s = 'shaka/' + (err ? err.category : '?') + '/' + (err ? err.code : '?') + (fatal ? '/fatal' : '');
        st.errors.push(s);
        var data = '';
        try { data = JSON.stringify(err && err.data).slice(0, 500); } catch (e) { data = String(err && err.data); }
        ctl.log('shaka error ' + s + ' data=' + data + (err && err.message ? ' msg=' + err.message : ''));
        if (fatal) ctl.finish('fatal shaka error ' + s);
      }
      function noteVariant(why) {
        var tracks = player.getVariantTracks();
        for (var i = 0; i < tracks.length; i++) {
          if (tracks[i].active) {
            ctl.log('shaka ' + why + ': variant ' + i + ' ' + tracks[i].width + 'x' + tracks[i].height + ' bw=' + tracks[i].bandwidth);
            if (st.levelsPlayed.indexOf(i) < 0) st.levelsPlayed.push(i);
          }
        }
      }
      player.addEventListener('error', function (ev) { recordError(ev.detail); });
      player.addEventListener('adaptation', function () { noteVariant('adaptation'); });
      player.addEventListener('variantchanged', function () { noteVariant('variantchanged'); });
      player.addEventListener('buffering', function (ev) { ctl.log('shaka buffering=' + ev.buffering); });
      player.attach(v).then(function () {
        return player.load(url);
      }).then(function () {
        ctl.log('shaka loaded');
        noteVariant('loaded');
        startPlayback(v, ctl);
      }).catch(function (err) {
        if (err && err.code === 7000) { ctl.log('shaka load interrupted'); return; } // LOAD_INTERRUPTED
        recordError(err);
        // A rejected load() is fatal for the test whatever its severity.
        ctl.finish('shaka load failed');
      });
    });
  };
})();
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>avserver player harness</title></head>
<body>
<script src="/hls.min.js"></script>
<script src="/shaka-player.compiled.js"></script>
<script src="/player.js"></script>
</body></html>
`;

// ---------------------------------------------------------------------------------------------
// Node side
// ---------------------------------------------------------------------------------------------
let pageServerPromise: Promise<{ server: Server; origin: string }> | null = null;

async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const [hlsJs, shakaJs] = await Promise.all([readFile(HLS_JS_PATH), readFile(SHAKA_JS_PATH)]);
  const routes: Record<string, { type: string; body: string | Buffer }> = {
    '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
    '/player.js': { type: 'text/javascript; charset=utf-8', body: PLAYER_JS },
    '/hls.min.js': { type: 'text/javascript; charset=utf-8', body: hlsJs },
    '/shaka-player.compiled.js': { type: 'text/javascript; charset=utf-8', body: shakaJs },
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const r = routes[path];
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': r.type, 'cache-control': 'no-store' }).end(r.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

function getPageServer(): Promise<{ server: Server; origin: string }> {
  if (!pageServerPromise) {
    pageServerPromise = startPageServer().catch((e: unknown) => {
      pageServerPromise = null;
      throw e;
    });
  }
  return pageServerPromise;
}

/**
 * The browser runs behind playwright's launchServer() so its pid is known: closeBrowser() then
 * waits until every process it spawned is really gone. Chromium's zygotes and (Debian build)
 * crashpad handlers outlive the browser by a moment as zombies re-parented to PID 1, which shows
 * up in `pgrep -f chromium` right after a test run unless we wait for the reaper.
 */
interface Launched {
  server: BrowserServer;
  browser: Browser;
  pid: number | undefined;
  /** crashpad handler pids that appeared while this browser started (they are re-parented to 1) */
  crashpad: number[];
}
let launchedPromise: Promise<Launched> | null = null;

function readProc(pid: number | string): { comm: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces/parens, so split at the last ')'
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { comm, ppid };
  } catch {
    return null;
  }
}

function listProcs(): Map<number, { comm: string; ppid: number }> {
  const out = new Map<number, { comm: string; ppid: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out; // not Linux: best effort only
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const p = readProc(e);
    if (p) out.set(Number(e), p);
  }
  return out;
}

function crashpadPids(): Set<number> {
  const s = new Set<number>();
  for (const [pid, p] of listProcs()) if (p.comm.startsWith('chrome_crashpad')) s.add(pid);
  return s;
}

function descendants(root: number): number[] {
  const procs = listProcs();
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, p] of procs) {
      if (p.ppid === parent && !out.includes(pid)) {
        out.push(pid);
        queue.push(pid);
      }
    }
  }
  return out;
}

function getLaunched(): Promise<Launched> {
  if (!launchedPromise) {
    launchedPromise = (async () => {
      const before = crashpadPids();
      const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      try {
        const browser = await chromium.connect(server.wsEndpoint());
        const crashpad = [...crashpadPids()].filter((pid) => !before.has(pid));
        const l: Launched = { server, browser, pid: server.process().pid, crashpad };
        browser.on('disconnected', () => {
          // unexpected disconnect (crash): make sure the process is gone, relaunch on next use
          void server.close().catch(() => undefined);
          if (launchedPromise) {
            void launchedPromise.then((cur) => {
              if (cur === l) launchedPromise = null;
            });
          }
        });
        return l;
      } catch (e) {
        await server.close().catch(() => undefined);
        throw e;
      }
    })().catch((e: unknown) => {
      launchedPromise = null;
      throw e;
    });
  }
  return launchedPromise;
}

async function getBrowser(): Promise<Browser> {
  return (await getLaunched()).browser;
}

async function shutdown(l: Launched): Promise<void> {
  // Everything the browser spawned (zygotes, renderers, gpu, utilities), collected before it dies.
  const tree = l.pid ? [l.pid, ...descendants(l.pid)] : [];
  await withTimeout(l.browser.close(), 10_000);
  await withTimeout(l.server.close(), 10_000); // kills the browser process if still there, waits for exit
  const watch = [...tree, ...l.crashpad];
  const deadline = Date.now() + 5_000;
  let alive = watch.filter((pid) => existsSync(`/proc/${pid}`));
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter((pid) => existsSync(`/proc/${pid}`));
  }
  // Still running (not merely an unreaped zombie) after 5 s: ours, so kill them by pid.
  for (const pid of alive) {
    if (!tree.includes(pid)) continue;
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z') process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

function emptyResult(): PlayResult {
  return { ended: false, currentTime: 0, duration: 0, errors: [], stalls: 0, levelsPlayed: [], log: [] };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

async function runInPage(
  fn: 'runHls' | 'runDash',
  url: string,
  opts: PlayHlsOptions,
): Promise<PlayResult> {
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
    nodeLog.push(`[node ${stamp()}] page ${srv.origin}/ loaded, playing ${url}`);

    // The page resolves by itself at timeoutMs; the Node-side guard (+10 s) only covers a wedged page.
    const expr = `window.${fn}(${JSON.stringify(url)}, ${JSON.stringify({ ...opts, timeoutMs })})`;
    let res = (await withTimeout(page.evaluate(expr) as Promise<PlayResult>, timeoutMs + 10_000)) ?? undefined;
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

/** Play an HLS master (or media) playlist with hls.js in headless Chromium. Never rejects. */
export async function playHls(masterUrl: string, opts: PlayHlsOptions = {}): Promise<PlayResult> {
  return runInPage('runHls', masterUrl, opts);
}

/** Play a DASH MPD with Shaka Player in headless Chromium. Never rejects. */
export async function playDash(mpdUrl: string, opts: PlayDashOptions = {}): Promise<PlayResult> {
  return runInPage('runDash', mpdUrl, opts);
}

/** Close the shared browser and the player-page server. Safe to call repeatedly. */
export async function closeBrowser(): Promise<void> {
  const lp = launchedPromise;
  launchedPromise = null;
  if (lp) {
    const l = await lp.catch(() => null);
    if (l) await shutdown(l);
  }
  const sp = pageServerPromise;
  pageServerPromise = null;
  if (sp) {
    const s = await sp.catch(() => null);
    if (s) {
      s.server.closeAllConnections();
      await new Promise<void>((resolve) => s.server.close(() => resolve()));
    }
  }
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
