import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { parsePlaylist } from '../helpers/hls-download.js';
import { FIXTURES, TEST_TOKEN } from '../helpers/origin-server.js';

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL('../../scripts/production-build.sh', import.meta.url));

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
      const child = spawn(process.execPath, ['dist/main.js'], {
        cwd: out,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          MEDIA_ROOT: FIXTURES,
          AVSERVER_API_TOKEN: TEST_TOKEN,
          REVISION_SECRET: 'smoke-secret-0123456789',
          WORK_DIR: join(out, 'work'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const base = `http://127.0.0.1:${port}`;
        for (let i = 0; ; i++) {
          if (child.exitCode !== null) throw new Error(`the origin exited at start:\n${output}`);
          const up = await fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
          if (up) break;
          if (i > 300) throw new Error(`the origin did not answer /healthz:\n${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const mint = await fetch(`${base}/v1/revisions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            clips: [{ source: 'landscape.mp4' }],
            overlays: [{ kind: 'text', text: 'smoke', x: 0.1, y: 0.1, size: 0.1 }],
          }),
        });
        expect(mint.status, output).toBe(201);
        const { hls } = (await mint.json()) as { hls: string };
        const master = await fetch(base + hls);
        expect(master.status).toBe(200);
        const variant = parsePlaylist(await master.text()).playlists![0]!.uri;
        const segment = await fetch(`${base}${hls.replace('master.m3u8', variant.replace('.m3u8', '/0.m4s'))}`);
        expect(segment.status, output).toBe(200);
        expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
        // On loopback the playground is on by default, players included (PLAYGROUND in the README).
        for (const path of ['/', '/playground/hls.min.js', '/playground/shaka-player.compiled.js'])
          expect((await fetch(base + path)).status, path).toBe(200);
        child.kill('SIGTERM');
        expect(await exited, output).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
