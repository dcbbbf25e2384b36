import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnOrigin, type OriginProcess } from '../test/helpers/origin-process.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const cacheDir = join(here, '.cache');

/** ffmpeg arguments for `seconds` of a moving test picture of `size` at 30 fps and a 440 Hz tone at 48 kHz. */
export function testSignal(size: string, seconds: number): string[] {
  const lavfi = (graph: string) => ['-f', 'lavfi', '-i', graph];
  return [
    '-v',
    'error',
    '-y',
    ...lavfi(`testsrc2=size=${size}:rate=30:duration=${seconds}`),
    ...lavfi(`sine=frequency=440:sample_rate=48000:duration=${seconds}`),
  ];
}

/** A 1080p30 H.264/AAC test recording of `seconds`, generated once and reused. */
export function benchSource(seconds: number): string {
  mkdirSync(cacheDir, { recursive: true });
  const name = `1080p30-${seconds}s.mp4`;
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    console.error(`generating ${name} (${seconds} s of 1080p30 with audio; once)…`);
    execFileSync('ffmpeg', [
      ...testSignal('1920x1080', seconds),
      '-c:v',
      'libx264',
      '-preset',
      seconds > 120 ? 'ultrafast' : 'veryfast',
      '-crf',
      seconds > 120 ? '28' : '23',
      '-g',
      '60',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-movflags',
      '+faststart',
      file,
    ]);
  }
  return name;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await work();
  return [result, performance.now() - t0];
}

/** Wall time of a command, in milliseconds (spawned, so the event loop keeps serving). */
export function timeCommand(command: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

/** Runs `work` against the origin as its own process (`spawnOrigin`), stopped afterwards whatever happens. */
export async function withOrigin<T>(
  env: Record<string, string>,
  work: (node: OriginProcess) => Promise<T>,
): Promise<T> {
  const node = await spawnOrigin(env);
  try {
    return await work(node);
  } finally {
    await node.stop();
  }
}

/** Wall time of a GET that must answer 200, body read, in milliseconds. */
export async function fetchOk(node: OriginProcess, path: string): Promise<number> {
  const t0 = performance.now();
  const res = await node.fetch(path);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return performance.now() - t0;
}

/**
 * Waits until the origin has no ffmpeg running and has used no CPU for a while: its lookahead is
 * done. (A running child's CPU only shows in the parent's figures once it exits.)
 */
export async function idle(node: OriginProcess): Promise<void> {
  for (let last = node.cpuSeconds(); ;) {
    await new Promise((r) => setTimeout(r, 700));
    const now = node.cpuSeconds();
    if (now - last < 0.02 && node.runningChildren() === 0) return;
    last = now;
  }
}

/** The video variants of a master playlist, start rendition first (`480p`, `720p`, …). */
export const variantIds = (master: string): string[] =>
  master
    .split('\n')
    .filter((l) => l.endsWith('.m3u8') && !l.startsWith('#') && l !== 'audio.m3u8')
    .map((l) => l.replace('.m3u8', ''));

let nonce = 0;
/** A revision nothing has touched: `source` trimmed by a different micro-amount each time, with `edits`. */
export const freshRevision = (node: OriginProcess, source: string, edits: Record<string, unknown> = {}) =>
  node.mint({ clips: [{ source, start: ++nonce / 1000 }], ...edits });
