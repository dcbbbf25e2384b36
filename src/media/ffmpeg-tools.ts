import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ProcessError, type ProcessRunner } from './process-runner.js';

/**
 * What the argument builders ask of ffmpeg (video/video-args.ts, video/overlay-raster.ts,
 * audio/audio-args.ts). A build without one of them starts and then fails every segment, so start-up
 * checks them once. Debian's ffmpeg and Homebrew's ffmpeg-full have them all; `zscale` needs ffmpeg built
 * with zimg, which Homebrew's plain ffmpeg is not.
 */
export const FFMPEG_NEEDS = {
  encoders: ['libx264', 'aac', 'pcm_f32le'],
  filters: [
    'fps',
    'trim',
    'setpts',
    'tpad',
    'zscale',
    'scale',
    'pad',
    'setsar',
    'format',
    'concat',
    'overlay',
    'crop',
    'color',
    'colorchannelmixer',
    'premultiply',
    'unpremultiply',
    'atrim',
    'asetpts',
    'aresample',
    'aformat',
    'apad',
    'anullsrc',
  ],
} as const;

/**
 * The names in `ffmpeg -hide_banner -encoders` or `-filters` output: one per line after a column of
 * capability flags (` V....D libx264 …`, ` TSC overlay VV->V …`); the legend's lines are indented
 * further and yield nothing.
 */
export function listedNames(output: string): Set<string> {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /^ [A-Z.|]{3,6} +([A-Za-z0-9_-]+) /.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/**
 * Where `command` runs from: itself when it names a path (relative to `cwd`), else the first
 * executable of that name on `PATH`; undefined when there is none.
 */
export async function resolveExecutable(command: string, path: string, cwd: string): Promise<string | undefined> {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ToolCheckOptions {
  runner: ProcessRunner;
  ffmpegPath: string;
  ffprobePath: string;
  /** PATH to search for commands given by name. */
  path: string;
  cwd: string;
  /** Deadline of each run (a wedged binary must not hang the start). */
  timeoutMs: number;
}

/**
 * Checks that ffmpeg and ffprobe are there and run, and that ffmpeg has every encoder and filter of
 * FFMPEG_NEEDS. Returns one line per problem, naming the tool and the variable that chooses it; none
 * when all is well.
 */
export async function checkFfmpegTools(options: ToolCheckOptions): Promise<string[]> {
  const [ffmpeg, ffprobe] = await Promise.all([
    checkTool('ffmpeg', 'FFMPEG_PATH', options.ffmpegPath, options, ['-hide_banner', '-version']),
    checkTool('ffprobe', 'FFPROBE_PATH', options.ffprobePath, options, ['-hide_banner', '-version']),
  ]);
  const problems = [ffmpeg.problem, ffprobe.problem].filter((p): p is string => p !== undefined);
  if (ffmpeg.file === undefined || ffmpeg.problem) return problems;

  const lacking: string[] = [];
  for (const kind of ['encoders', 'filters'] as const) {
    const listed = await run(options, ffmpeg.file, ['-hide_banner', `-${kind}`]);
    if (typeof listed !== 'string') return [...problems, `ffmpeg (${ffmpeg.file}) ${listed.message}`];
    const names = listedNames(listed);
    const missing = FFMPEG_NEEDS[kind].filter((name) => !names.has(name));
    if (missing.length > 0)
      lacking.push(`the ${kind.slice(0, -1)}${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  if (lacking.length > 0) {
    problems.push(
      `ffmpeg (${ffmpeg.file}) lacks ${lacking.join(' and ')}: install a full build (Debian's ffmpeg, Homebrew's ffmpeg-full) or set FFMPEG_PATH to one`,
    );
  }
  return problems;
}

async function checkTool(
  name: string,
  variable: string,
  command: string,
  options: ToolCheckOptions,
  args: string[],
): Promise<{ file?: string; problem?: string }> {
  const file = await resolveExecutable(command, options.path, options.cwd);
  if (file === undefined) {
    const where = command.includes('/') ? `at ${command}` : 'on PATH';
    return {
      problem: `${name}: not found ${where} (${variable}=${command}): run scripts/setup.sh to install it, or set ${variable}`,
    };
  }
  const ran = await run(options, file, args);
  return typeof ran === 'string' ? { file } : { file, problem: `${name} (${file}) ${ran.message}` };
}

/** stdout of one run, or why it failed, in words that follow the tool's name. */
async function run(options: ToolCheckOptions, file: string, args: string[]): Promise<string | Error> {
  try {
    const { stdout } = await options.runner.run(file, args, { timeoutMs: options.timeoutMs });
    return stdout.toString('utf8');
  } catch (err) {
    if (err instanceof ProcessError && err.reason === 'timeout') {
      return new Error(`did not answer ${args.join(' ')} within ${options.timeoutMs} ms`);
    }
    const detail =
      err instanceof ProcessError
        ? err.stderrTail.trim().split('\n').pop() || err.message.replace(/:\s*$/, '')
        : String(err);
    return new Error(`does not run: ${detail}`);
  }
}

/**
 * Readiness of the tools: whether ffmpeg and ffprobe are still where they were found (a package
 * upgrade or removal under a running origin), looked up at most every `maxAgeMs`. Returns one line per
 * missing tool; none when both are there.
 */
export function toolReadiness(
  options: Pick<ToolCheckOptions, 'ffmpegPath' | 'ffprobePath' | 'path' | 'cwd'> & { maxAgeMs: number },
): () => Promise<string[]> {
  let checked: { at: number; problems: Promise<string[]> } | undefined;
  const look = async () => {
    const tools = [
      ['ffmpeg', 'FFMPEG_PATH', options.ffmpegPath],
      ['ffprobe', 'FFPROBE_PATH', options.ffprobePath],
    ] as const;
    const found = await Promise.all(
      tools.map(([, , command]) => resolveExecutable(command, options.path, options.cwd)),
    );
    return tools.flatMap(([name, variable, command], i) =>
      found[i] === undefined ? [`${name}: not found (${variable}=${command})`] : [],
    );
  };
  return function toolProblems() {
    const now = performance.now();
    if (!checked || now - checked.at > options.maxAgeMs) checked = { at: now, problems: look() };
    return checked.problems;
  };
}
