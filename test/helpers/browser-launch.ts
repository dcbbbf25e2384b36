/**
 * Process and server plumbing of the headless-browser playback harness (browser-player.ts):
 * - the shared Chromium (Debian's /usr/bin/chromium via playwright-core), launched lazily, reused,
 *   relaunched after a crash, and shut down without leaving any chromium process behind;
 * - the player-page server: a tiny node:http server on a free 127.0.0.1 port serving the in-page
 *   files of ./player-page/ plus the hls.js and Shaka Player builds from node_modules.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

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

/** Resolves with p's value, or with undefined if p rejects or takes longer than ms. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
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

// ---------------------------------------------------------------------------------------------
// Player-page server
// ---------------------------------------------------------------------------------------------
const require = createRequire(import.meta.url);
const JS = 'text/javascript; charset=utf-8';
const PAGE_DIR = new URL('./player-page/', import.meta.url);

/** URL path -> [file, content type]. The page's own files are read from disk once per server start. */
const PAGE_FILES: Record<string, [file: string | URL, type: string]> = {
  '/': [new URL('index.html', PAGE_DIR), 'text/html; charset=utf-8'],
  '/state.js': [new URL('state.js', PAGE_DIR), JS],
  '/hls-driver.js': [new URL('hls-driver.js', PAGE_DIR), JS],
  '/shaka-driver.js': [new URL('shaka-driver.js', PAGE_DIR), JS],
  '/hls.min.js': [require.resolve('hls.js/dist/hls.min.js'), JS],
  '/shaka-player.compiled.js': [require.resolve('shaka-player/dist/shaka-player.compiled.js'), JS],
};

export interface PageServer {
  server: Server;
  /** e.g. http://127.0.0.1:40123 — never the media server's origin (another port) */
  origin: string;
}

let pageServerPromise: Promise<PageServer> | null = null;

async function startPageServer(): Promise<PageServer> {
  const routes = new Map<string, { type: string; body: Buffer }>();
  await Promise.all(
    Object.entries(PAGE_FILES).map(async ([path, [file, type]]) => {
      routes.set(path, { type, body: await readFile(file) });
    }),
  );
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const r = routes.get(path);
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

/** The player-page server, started on first use. */
export function getPageServer(): Promise<PageServer> {
  if (!pageServerPromise) {
    pageServerPromise = startPageServer().catch((e: unknown) => {
      pageServerPromise = null;
      throw e;
    });
  }
  return pageServerPromise;
}

/** Stops the player-page server if it runs. */
export async function closePageServer(): Promise<void> {
  const sp = pageServerPromise;
  pageServerPromise = null;
  const s = sp && (await sp.catch(() => null));
  if (!s) return;
  s.server.closeAllConnections();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
}

// ---------------------------------------------------------------------------------------------
// Chromium
// ---------------------------------------------------------------------------------------------

/**
 * The browser runs behind playwright's launchServer() so its pid is known: closing it then
 * waits until every process it spawned is really gone. Chromium's zygotes and (Debian build)
 * crashpad handlers outlive the browser by a moment as zombies re-parented to PID 1, which shows
 * up in `pgrep -f chromium` right after a test run unless we wait for the reaper.
 */
interface LaunchedBrowser {
  server: BrowserServer;
  browser: Browser;
  pid: number | undefined;
  /** crashpad handler pids that appeared while this browser started (they are re-parented to 1) */
  crashpad: number[];
}
let launchedPromise: Promise<LaunchedBrowser> | null = null;

interface ProcInfo {
  comm: string;
  ppid: number;
}

function readProc(pid: number | string): ProcInfo | null {
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

function listProcs(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
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

/** Every process below root (children, grandchildren, ...); empty off Linux. */
export function descendants(root: number): number[] {
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

async function launch(): Promise<LaunchedBrowser> {
  const before = crashpadPids();
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const crashpad = [...crashpadPids()].filter((pid) => !before.has(pid));
    const launched: LaunchedBrowser = { server, browser, pid: server.process().pid, crashpad };
    browser.on('disconnected', () => {
      // unexpected disconnect (crash): make sure the process is gone, relaunch on next use
      void server.close().catch(() => undefined);
      if (launchedPromise) {
        void launchedPromise.then((cur) => {
          if (cur === launched) launchedPromise = null;
        });
      }
    });
    return launched;
  } catch (e) {
    await server.close().catch(() => undefined);
    throw e;
  }
}

/** The shared browser, launched on first use (and again after a crash). */
export async function getBrowser(): Promise<Browser> {
  if (!launchedPromise) {
    launchedPromise = launch().catch((e: unknown) => {
      launchedPromise = null;
      throw e;
    });
  }
  return (await launchedPromise).browser;
}

async function shutdown(l: LaunchedBrowser): Promise<void> {
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

/** Shuts the shared browser down (if launched) and waits until its processes are gone. */
export async function closeChromium(): Promise<void> {
  const lp = launchedPromise;
  launchedPromise = null;
  const l = lp && (await lp.catch(() => null));
  if (l) await shutdown(l);
}
