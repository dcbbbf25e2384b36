import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { originClient, TEST_TOKEN, type OriginClient } from './origin-client.js';

const CLOCK_TICKS = 100;

/** A process's command name, or '' once it is gone. */
function comm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface OriginProcess extends OriginClient {
  baseUrl: string;
  pid: number;
  /** Peak resident memory of the process so far, in MB. */
  peakRssMb(): number;
  /** CPU seconds the process has used so far: its own threads (workers included) and its exited children (ffmpeg). */
  cpuSeconds(): number;
  /** What the process wrote to stdout so far (its log lines), when spawned with `captureOutput`. */
  output(): string;
  /** How many child processes (ffmpeg, ffprobe) the origin has running now. */
  runningChildren(): number;
  stop(): Promise<void>;
}

/**
 * The origin as its own process, the way `npm start` runs it (`node --import tsx src/main.ts`), on a free port with
 * the test token: for what only separate processes show (identical bytes from two nodes, memory).
 */
export async function spawnOrigin(
  env: Record<string, string>,
  options: { captureOutput?: boolean } = {},
): Promise<OriginProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, AVSERVER_API_TOKEN: TEST_TOKEN, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', options.captureOutput ? 'pipe' : 'ignore', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      if (i > 400 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error('origin did not start');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    baseUrl,
    pid: child.pid!,
    ...originClient(baseUrl),
    peakRssMb() {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return hwm ? Number(hwm[1]) / 1024 : NaN;
    },
    cpuSeconds() {
      // proc(5): fields 14–17 are utime, stime, cutime, cstime in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / CLOCK_TICKS;
    },
    output: () => output,
    runningChildren() {
      // Only media tools: tsx keeps an esbuild service as a child for as long as it likes.
      try {
        return readdirSync(`/proc/${child.pid}/task`)
          .flatMap((task) => readFileSync(`/proc/${child.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
          .filter((pid) => pid && /^ff(mpeg|probe)$/.test(comm(pid))).length;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
