import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { parsePlaylist } from '../helpers/hls-download.js';
import { FIXTURES, TEST_TOKEN } from '../helpers/origin-server.js';

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL('../../scripts/production-build.sh', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

/** The environment the image sets (its `ENV` lines, `KEY=value` pairs), read from the Dockerfile so the test cannot drift from it. */
function imageEnv(dockerfile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, pairs] of dockerfile.matchAll(/^ENV\s+(.+)$/gm)) {
    for (const [, key, value] of pairs!.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[key!] = value!.replace(/^"|"$/g, '');
  }
  return env;
}

/** An address of this machine that is not loopback (how another machine, or Docker's port mapping, reaches it). */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
}

/** Polls `url` until it answers 200, the child exits (fails with its output), or 30 s pass. */
async function waitForOk(url: string, child: { exitCode: number | null }, output: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the origin exited at start:\n${output()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (i > 300) throw new Error(`the origin did not answer ${url}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The production build started in `out` with exactly `env` (and PATH), its output collected. */
function startBuilt(out: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: out,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The URLs a log's lines advertise (the banner: where to open, what to play). */
function advertisedUrls(log: string): string[] {
  return [...log.matchAll(/https?:\/\/[^\s"]+/g)].map((m) => m[0]);
}

/**
 * The production path without Docker: the Dockerfile's build script into a clean directory
 * (install, build dist/, prune to runtime dependencies), then `node dist/main.js` on the fixtures —
 * mint, master playlist, a segment, SIGTERM. A runtime import left in devDependencies fails here.
 */
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'avserver-production-'));
  await run('bash', [BUILD, out], { maxBuffer: 64 * 1024 * 1024 });
}, 300_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the production build', () => {
  it('holds dist/ and runtime dependencies only', () => {
    expect(existsSync(join(out, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(out, 'dist', 'media', 'audio', 'denoise', 'rnnoise-worker.mjs'))).toBe(true);
    for (const dev of ['tsx', 'vitest', 'typescript', 'playwright-core'])
      expect(existsSync(join(out, 'node_modules', dev)), dev).toBe(false);
    for (const runtime of ['hono', 'm3u8-parser', 'mpd-parser', '@resvg/resvg-js'])
      expect(existsSync(join(out, 'node_modules', runtime)), runtime).toBe(true);
    // The playground's players are devDependencies: the build keeps a copy of their browser builds.
    for (const dev of ['hls.js', 'shaka-player']) expect(existsSync(join(out, 'node_modules', dev)), dev).toBe(false);
    for (const file of [
      'page/index.html',
      'page/playground.js',
      'players/hls.min.js',
      'players/shaka-player.compiled.js',
    ])
      expect(existsSync(join(out, 'dist', 'http', 'playground', file)), file).toBe(true);
  });

  it(
    'starts with node dist/main.js, mints, serves a playlist and a segment, and stops on SIGTERM',
    {
      timeout: 120_000,
    },
    async () => {
      const port = await freePort();
      const {
        child,
        exited,
        output: log,
      } = startBuilt(out, {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        MEDIA_ROOT: FIXTURES,
        AVSERVER_API_TOKEN: TEST_TOKEN,
        REVISION_SECRET: 'smoke-secret-0123456789',
        WORK_DIR: join(out, 'work'),
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForOk(`${base}/healthz`, child, log);
        const mint = await fetch(`${base}/v1/revisions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            clips: [{ source: 'landscape.mp4' }],
            overlays: [{ kind: 'text', text: 'smoke', x: 0.1, y: 0.1, size: 0.1 }],
          }),
        });
        expect(mint.status, log()).toBe(201);
        const { hls } = (await mint.json()) as { hls: string };
        const master = await fetch(base + hls);
        expect(master.status).toBe(200);
        const variant = parsePlaylist(await master.text()).playlists![0]!.uri;
        const segment = await fetch(`${base}${hls.replace('master.m3u8', variant.replace('.m3u8', '/0.m4s'))}`);
        expect(segment.status, log()).toBe(200);
        expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
        // On loopback the playground is on by default, players included (PLAYGROUND in the README).
        for (const path of ['/', '/playground/hls.min.js', '/playground/shaka-player.compiled.js'])
          expect((await fetch(base + path)).status, path).toBe(200);
        child.kill('SIGTERM');
        expect(await exited, log()).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );

  it(
    "runs with the image's own environment: reachable from another address, minting refused from there without a token, every URL it prints answers",
    { timeout: 120_000 },
    async () => {
      const env = imageEnv(DOCKERFILE);
      expect(env.HOST).toBe('0.0.0.0');
      const external = externalAddress();
      if (!external) return; // a machine with loopback only has no other address to come from
      // The image copies the fixtures beside dist/ (its demo revision); so does this run.
      if (/^COPY fixtures\/media \.\/fixtures\/media$/m.test(DOCKERFILE)) {
        await mkdir(join(out, 'fixtures'), { recursive: true });
        await rm(join(out, 'fixtures', 'media'), { force: true });
        await symlink(FIXTURES, join(out, 'fixtures', 'media'));
      }
      const port = await freePort();
      // The image's variables, but a free port and a private work folder: nothing else is added.
      const {
        child,
        exited,
        output: log,
      } = startBuilt(out, {
        ...env,
        PORT: String(port),
        WORK_DIR: join(out, 'work-image'),
      });
      try {
        const outside = `http://${external}:${port}`;
        await waitForOk(`${outside}/healthz`, child, log);
        for (let i = 0; !log().includes('demo revision minted') && i < 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }

        // The API is this machine's only, without a token: refused from another address, naming the variable.
        const refused = await fetch(`${outside}/v1/revisions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clips: [{ source: 'landscape.mp4' }] }),
        });
        expect(refused.status).toBe(403);
        expect(refused.headers.get('cache-control')).toBe('no-store');
        expect(JSON.stringify(await refused.json())).toContain('AVSERVER_API_TOKEN');

        // Every URL the log advertises answers (no page that is not there), and from the other address too.
        const urls = advertisedUrls(log());
        expect(urls.length, log()).toBeGreaterThan(0);
        for (const url of urls) {
          expect((await fetch(url)).status, `${url}\n${log()}`).toBe(200);
          const path = new URL(url).pathname;
          expect((await fetch(`${outside}${path}`)).status, path).toBe(200);
        }

        // From this machine the API answers without a token: what a person runs beside the origin.
        const minted = await fetch(`http://127.0.0.1:${port}/v1/revisions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clips: [{ source: 'landscape.mp4', end: 1 }] }),
        });
        expect(minted.status, log()).toBe(201);
        const { hls } = (await minted.json()) as { hls: string };
        expect((await fetch(`${outside}${hls}`)).status).toBe(200);

        child.kill('SIGTERM');
        expect(await exited, log()).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});

/** `docker` that can build and run images here (a daemon answers). */
function dockerUsable(): boolean {
  try {
    return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

describe.skipIf(!dockerUsable())('the image', () => {
  const tag = `avserver-test:${process.pid}`;
  afterAll(async () => {
    await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
  });

  it(
    'docker run -p PORT:8080 serves playback to the host and refuses minting without a token',
    { timeout: 900_000 },
    async () => {
      await run('docker', ['build', '-t', tag, REPO], { maxBuffer: 64 * 1024 * 1024 });
      const port = await freePort();
      const { stdout } = await run('docker', ['run', '-d', '--rm', '-p', `${port}:8080`, tag]);
      const id = stdout.trim();
      try {
        const base = `http://127.0.0.1:${port}`;
        let ok = false;
        for (let i = 0; i < 300 && !ok; i++) {
          ok = await fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
          if (!ok) await new Promise((r) => setTimeout(r, 100));
        }
        expect(ok).toBe(true);
        // Requests through the port mapping come from Docker's bridge, not the container's loopback.
        const refused = await fetch(`${base}/v1/revisions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clips: [{ source: 'landscape.mp4' }] }),
        });
        expect(refused.status).toBe(403);
      } finally {
        await run('docker', ['rm', '-f', id]).catch(() => undefined);
      }
    },
  );
});
