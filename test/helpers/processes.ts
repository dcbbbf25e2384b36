import { execFileSync } from 'node:child_process';

/** The processes named `name` whose parent is `parent` (pgrep). */
export function childProcesses(parent: number, name: string): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-x', name])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
}

/** Polls until `parent` runs a process named `name` (at most 4 s); their pids. */
export async function waitForChildren(parent: number, name: string): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    const pids = childProcesses(parent, name);
    if (pids.length > 0) return pids;
    await new Promise((r) => setTimeout(r, 10));
  }
  return [];
}

/** Whether a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
