import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * A full work disk is no fault of the request's or the source's: a retryable 503 that no CDN keeps,
 * and the same request succeeds once space is freed. WORK_DIR is a 2 MB tmpfs made for the test
 * (mounting needs root, as on CI; elsewhere the test is skipped).
 */
let dir: string;
let mounted = false;
let server: RunningOrigin | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avserver-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    return;
  }
  server = await startOrigin({ WORK_DIR: dir, PREWARM_ON_MINT: 'false' });
});

afterAll(async () => {
  await server?.close();
  if (mounted) execFileSync('umount', [dir]);
  await rm(dir, { recursive: true, force: true });
});

describe('a full work disk', () => {
  it.runIf(process.getuid?.() === 0)('is a retryable 503 until space is freed', { timeout: 30_000 }, async () => {
    expect(mounted).toBe(true);
    // Leave 4 KB: a chunked recording's first chunks (about 25 KB) do not fit.
    const { bavail, bsize } = await statfs(dir);
    const filler = join(dir, 'filler');
    await writeFile(filler, Buffer.alloc(bavail * bsize - 4096));
    const mint = () =>
      server!.fetch('/v1/revisions', {
        method: 'POST',
        api: true,
        body: JSON.stringify({ clips: [{ source: 'dash/recording.mpd' }] }),
        headers: { 'content-type': 'application/json' },
      });
    const full = await mint();
    expect(full.status).toBe(503);
    expect(full.headers.get('cache-control')).toBe('no-store');
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    await rm(filler);
    expect([200, 201]).toContain((await mint()).status);
  });
});
