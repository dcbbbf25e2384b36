import { readFile } from 'node:fs/promises';

/** Busy and total CPU time of the whole machine so far, in ticks (/proc/stat). */
async function cpuTicks(): Promise<{ busy: number; total: number }> {
  const [cpu] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const ticks = cpu!.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3]! + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Waits until the whole machine has been mostly idle for `windowMs` (busy at most `busyShare` of its cores), at
 * most `timeoutMs`: a test that measures the origin against real time starts when what ran before it (another
 * file's processes exiting, a browser closing its pages) is done, as the benchmark starts on an idle origin.
 * Returns the busy share it last saw.
 */
export async function quietMachine({ busyShare = 0.15, windowMs = 500, timeoutMs = 30_000 } = {}): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let share = 1;
  while (performance.now() < deadline) {
    const before = await cpuTicks();
    await new Promise((r) => setTimeout(r, windowMs));
    const after = await cpuTicks();
    share = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (share <= busyShare) return share;
  }
  return share;
}
