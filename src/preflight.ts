import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Config } from './config/index.js';
import { checkFfmpegTools } from './media/ffmpeg-tools.js';
import type { ProcessRunner } from './media/process-runner.js';

export interface PreflightOptions {
  runner: ProcessRunner;
  /** PATH, where ffmpeg and ffprobe are looked for when named without a folder. */
  path: string;
  cwd: string;
  /** Deadline of each check (a tool run, a file system call). */
  timeoutMs: number;
}

/**
 * What the origin cannot start without, checked before it creates anything: ffmpeg and ffprobe with
 * the encoders and filters it uses, the media folder, the work folder, and the ports. Returns one line
 * per problem, each naming the variable or the tool to fix; none when the origin can start.
 */
export async function preflight(config: Config, options: PreflightOptions): Promise<string[]> {
  const checks = await Promise.all([
    checkFfmpegTools({ ...options, ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }),
    config.s3 ? [] : checkMediaRoot(config, options.timeoutMs),
    checkWorkDir(config.workDir, options.timeoutMs),
    checkPort('PORT', config.port, config.host),
    config.metricsPort === undefined ? [] : checkPort('METRICS_PORT', config.metricsPort, config.host),
  ]);
  return checks.flat();
}

async function checkMediaRoot(config: Config, timeoutMs: number): Promise<string[]> {
  const root = config.mediaRoot;
  const unset = config.embeddedMedia ? `unset, and the fixtures folder ${root}` : root;
  try {
    const found = await within(stat(root), timeoutMs, `MEDIA_ROOT: ${root} did not answer within ${timeoutMs} ms`);
    return found.isDirectory() ? [] : [`MEDIA_ROOT: ${unset} is not a directory`];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return [`MEDIA_ROOT: ${unset} does not exist; set MEDIA_ROOT to the folder of your recordings`];
    return [code ? `MEDIA_ROOT: ${root} cannot be read (${code})` : (err as Error).message];
  }
}

async function checkWorkDir(dir: string, timeoutMs: number): Promise<string[]> {
  try {
    await within(mkdir(dir, { recursive: true }), timeoutMs, `WORK_DIR: ${dir} did not answer within ${timeoutMs} ms`);
    return [];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return [code ? `WORK_DIR: ${dir} cannot be created (${code})` : (err as Error).message];
  }
}

/** `work`, or a failure saying `message` once `ms` have passed (a hung network file system). */
function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Listens on the port for a moment: the one way to know it is free on that address. */
function checkPort(variable: string, port: number, host: string): Promise<string[]> {
  if (port === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve([listenProblem(variable, port, host, err)]));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve([])));
  });
}

/** Why listening on `host`:`port` failed, in one line naming the variable to change. */
export function listenProblem(variable: string, port: number, host: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `${variable} ${port} is in use on ${host}: stop what holds it, or set ${variable} to a free port`;
    case 'EACCES':
      return `${variable} ${port} needs privileges this process does not have: use a port above 1023`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses`;
    default:
      return `${variable} ${port} on ${host} cannot be listened on (${err.code ?? err.message})`;
  }
}
