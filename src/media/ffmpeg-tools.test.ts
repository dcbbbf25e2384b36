import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFfmpegTools, FFMPEG_NEEDS, listedNames, resolveExecutable } from './ffmpeg-tools.js';
import { ProcessRunner } from './process-runner.js';

const ENCODERS = ` Encoders:
 V..... = Video
 A..... = Audio
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
`;
const FILTERS = `Filters:
  T.. = Timeline support
  | = Source or sink filter
 ... fps               V->V       Force constant framerate.
 TSC overlay           VV->V      Overlay a video source on top of the input.
 ... anullsrc          |->A       Null audio source, return empty audio frames.
`;

describe('listedNames', () => {
  it.each([
    ['encoders', ENCODERS, ['libx264', 'aac']],
    ['filters', FILTERS, ['fps', 'overlay', 'anullsrc']],
  ])('reads the names of ffmpeg -%s and none of its legend', (_, output, names) => {
    expect([...listedNames(output)].filter((n) => n !== '=')).toEqual(names);
  });
});

describe('checkFfmpegTools', () => {
  let dir: string;
  const runner = new ProcessRunner();
  const options = (ffmpegPath: string, timeoutMs = 10_000) => ({
    runner,
    ffmpegPath,
    ffprobePath: 'ffprobe',
    path: process.env.PATH ?? '',
    cwd: dir,
    timeoutMs,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avserver-tools-'));
    // An ffmpeg build without zimg: every encoder, every filter but zscale.
    const filters = FFMPEG_NEEDS.filters.filter((f) => f !== 'zscale').map((f) => ` ... ${f}  V->V  x`);
    const encoders = FFMPEG_NEEDS.encoders.map((e) => ` V....D ${e}  x`);
    await writeFile(
      join(dir, 'ffmpeg-lite'),
      `#!/bin/sh\ncase "$2" in\n-filters) printf '%s\\n' ${filters.map((l) => `'${l}'`).join(' ')};;\n` +
        `-encoders) printf '%s\\n' ${encoders.map((l) => `'${l}'`).join(' ')};;\nesac\n`,
    );
    await writeFile(join(dir, 'ffmpeg-wedged'), '#!/bin/sh\nexec sleep 30\n');
    await writeFile(join(dir, 'ffprobe-quick'), '#!/bin/sh\nexit 0\n');
    await Promise.all(['ffmpeg-lite', 'ffmpeg-wedged', 'ffprobe-quick'].map((f) => chmod(join(dir, f), 0o755)));
  });
  afterAll(async () => {
    await runner.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds nothing missing in this machine's ffmpeg", async () => {
    expect(await checkFfmpegTools(options('ffmpeg'))).toEqual([]);
  });

  it('names a missing filter, the binary and FFMPEG_PATH', async () => {
    expect(await checkFfmpegTools(options('./ffmpeg-lite'))).toEqual([
      `ffmpeg (${join(dir, 'ffmpeg-lite')}) lacks the filter zscale: install a full build (Debian's ffmpeg, Homebrew's ffmpeg-full) or set FFMPEG_PATH to one`,
    ]);
  });

  it('names a tool that is not there, and the variable', async () => {
    expect(await checkFfmpegTools({ ...options('ffmpeg'), path: dir })).toEqual([
      'ffmpeg: not found on PATH (FFMPEG_PATH=ffmpeg): run scripts/setup.sh to install it, or set FFMPEG_PATH',
      'ffprobe: not found on PATH (FFPROBE_PATH=ffprobe): run scripts/setup.sh to install it, or set FFPROBE_PATH',
    ]);
    expect(await resolveExecutable('/nonexistent/ffmpeg', '', dir)).toBeUndefined();
  });

  it('gives up on a binary that does not answer, within its deadline', async () => {
    const wedged = { ...options(join(dir, 'ffmpeg-wedged'), 300), ffprobePath: join(dir, 'ffprobe-quick') };
    const problems = await checkFfmpegTools(wedged);
    expect(problems).toEqual([
      `ffmpeg (${join(dir, 'ffmpeg-wedged')}) did not answer -hide_banner -version within 300 ms`,
    ]);
    expect(runner.running).toBe(0);
  });
});
