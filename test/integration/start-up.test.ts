import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { FIXTURES } from '../helpers/origin-server.js';
import { spawnOrigin } from '../helpers/origin-process.js';
import { alive, childProcesses } from '../helpers/processes.js';
import { resolveExecutable } from '../../src/media/ffmpeg-tools.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avserver-start-up-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `command args` in the repository with `env` (PATH from here unless given), run to its exit. */
function runToExit(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The origin as `npm start` runs it (without npm), to its exit. */
const startOrigin = (env: Record<string, string>) =>
  runToExit(process.execPath, ['--import', 'tsx', 'src/main.ts'], { LOG_FORMAT: 'json', ...env });

const lines = (text: string) => text.split('\n').filter(Boolean);

/** The shells and node processes below `pid`, all the way down. */
const processTree = (pid: number): number[] =>
  [...childProcesses(pid, 'sh'), ...childProcesses(pid, 'node')].flatMap((child) => [child, ...processTree(child)]);

describe('a start that cannot work stops at once with one line per problem, and leaves nothing', () => {
  it('names ffmpeg and ffprobe when they are not on PATH', async () => {
    const bin = join(dir, 'node-only');
    const work = join(dir, 'work-tools');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const started = await startOrigin({ PATH: bin, PORT: String(await freePort()), WORK_DIR: work });
    expect(started.code).toBe(1);
    expect(lines(started.stderr)).toEqual([
      'avserver: ffmpeg: not found on PATH (FFMPEG_PATH=ffmpeg): run scripts/setup.sh to install it, or set FFMPEG_PATH',
      'avserver: ffprobe: not found on PATH (FFPROBE_PATH=ffprobe): run scripts/setup.sh to install it, or set FFPROBE_PATH',
    ]);
    expect(started.stdout).not.toContain('listening');
    expect(await readdir(work)).toEqual([]);
  });

  it('names MEDIA_ROOT when it does not exist', async () => {
    const work = join(dir, 'work-media');
    const started = await startOrigin({ MEDIA_ROOT: '/nonexistent', PORT: String(await freePort()), WORK_DIR: work });
    expect(started.code).toBe(1);
    expect(lines(started.stderr)).toEqual([
      'avserver: MEDIA_ROOT: /nonexistent does not exist; set MEDIA_ROOT to the folder of your recordings',
    ]);
    expect(await readdir(work)).toEqual([]);
  });

  it('names PORT when another process holds it', async () => {
    const work = join(dir, 'work-port');
    const held: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      held.listen(0, '127.0.0.1', () => resolve((held.address() as { port: number }).port)),
    );
    try {
      const started = await startOrigin({ MEDIA_ROOT: FIXTURES, PORT: String(port), WORK_DIR: work });
      expect(started.code).toBe(1);
      expect(lines(started.stderr)).toEqual([
        `avserver: PORT ${port} is in use on 127.0.0.1: stop what holds it, or set PORT to a free port`,
      ]);
      expect(await readdir(work)).toEqual([]);
    } finally {
      held.close();
    }
  });
});

describe('npm start', () => {
  it(
    'stops the origin when npm is sent SIGTERM: nothing listens after, the last line says it stopped',
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const work = join(dir, 'work-npm');
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: REPO,
        env: { ...process.env, PORT: String(port), MEDIA_ROOT: FIXTURES, WORK_DIR: work, LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const origins: number[] = [];
      let output = '';
      npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      // All output read: the pipe closes when the last process holding it (the origin) is gone.
      const closed = new Promise<void>((resolve) => npm.once('close', () => resolve()));
      const base = `http://127.0.0.1:${port}`;
      try {
        for (
          let i = 0;
          !(await fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          ));
          i++
        ) {
          if (i > 400 || npm.exitCode !== null) throw new Error(`the origin did not start:\n${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const tree = processTree(npm.pid!);
        expect(tree.length).toBeGreaterThan(0);
        origins.push(...tree);
        npm.kill('SIGTERM');
        await exited;
        // The origin answers nothing any more: it stopped, it was not orphaned.
        for (
          let i = 0;
          await fetch(`${base}/healthz`).then(
            () => true,
            () => false,
          );
          i++
        ) {
          if (i > 100) throw new Error(`the origin still answers after npm stopped:\n${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        for (let i = 0; tree.some(alive); i++) {
          if (i > 100) throw new Error('a process started by npm start outlived it');
          await new Promise((r) => setTimeout(r, 50));
        }
        await closed;
        const last = JSON.parse(lines(output).at(-1)!) as Record<string, unknown>;
        expect(last).toMatchObject({ level: 'info', message: 'avserver stopped', signal: 'SIGTERM' });
        expect(await readdir(work)).toEqual([]);
      } finally {
        for (const pid of [npm.pid!, ...origins].filter(alive)) process.kill(pid, 'SIGKILL');
      }
    },
  );
});

describe('readiness', () => {
  it(
    '/healthz answers 503 naming ffmpeg while it is missing, and ok once it is back',
    { timeout: 60_000 },
    async () => {
      const bin = join(dir, 'tools');
      await mkdir(bin);
      const real = (await resolveExecutable('ffmpeg', process.env.PATH ?? '', REPO))!;
      await symlink(real, join(bin, 'ffmpeg'));
      const origin = await spawnOrigin({ MEDIA_ROOT: FIXTURES, FFMPEG_PATH: join(bin, 'ffmpeg') });
      try {
        expect((await origin.fetch('/healthz')).status).toBe(200);
        await unlink(join(bin, 'ffmpeg'));
        let res = await origin.fetch('/healthz');
        for (let i = 0; res.status === 200 && i < 200; i++) {
          await new Promise((r) => setTimeout(r, 50));
          res = await origin.fetch('/healthz');
        }
        expect(res.status).toBe(503);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(await res.json()).toEqual({
          status: 'unready',
          problems: [`ffmpeg: not found (FFMPEG_PATH=${join(bin, 'ffmpeg')})`],
        });
        await symlink(real, join(bin, 'ffmpeg'));
        for (let i = 0; res.status !== 200 && i < 200; i++) {
          await new Promise((r) => setTimeout(r, 50));
          res = await origin.fetch('/healthz');
        }
        expect(res.status).toBe(200);
      } finally {
        await origin.stop();
      }
    },
  );
});
