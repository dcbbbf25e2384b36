import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnOrigin } from '../helpers/origin-process.js';
import { FIXTURES } from '../helpers/origin-server.js';
import { alive, waitForChildren } from '../helpers/processes.js';

describe('an origin killed outright (SIGKILL, a crash)', () => {
  it('takes its ffmpeg with it, and the next start removes the work folder it left', { timeout: 60_000 }, async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'avserver-crash-'));
    const env = { MEDIA_ROOT: FIXTURES, WORK_DIR: workDir, LOOKAHEAD_SEGMENTS: '0' };
    try {
      const crashed = await spawnOrigin(env);
      const minted = await crashed.mint({ clips: [{ source: 'landscape.mp4' }] });
      const answer = crashed.fetch(minted.hls.replace('master.m3u8', '720p/1.m4s')).catch(() => undefined);
      const ffmpeg = await waitForChildren(crashed.pid, 'ffmpeg');
      expect(ffmpeg.length).toBeGreaterThan(0);
      // Stopped, as the scheduler stops a job it pauses: a running ffmpeg dies of its closed pipe
      // anyway, a stopped one never notices and holds its memory until something kills it.
      for (const pid of ffmpeg) process.kill(pid, 'SIGSTOP');
      process.kill(crashed.pid, 'SIGKILL');
      await answer;
      for (let i = 0; i < 100 && ffmpeg.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
      expect(ffmpeg.filter(alive)).toEqual([]);
      expect(await readdir(workDir)).toEqual([expect.stringMatching(new RegExp(`^run-${crashed.pid}-`))]);

      const next = await spawnOrigin(env);
      try {
        expect(await readdir(workDir)).toEqual([expect.stringMatching(new RegExp(`^run-${next.pid}-`))]);
      } finally {
        await next.stop();
      }
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
