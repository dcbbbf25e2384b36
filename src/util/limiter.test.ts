import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('Limiter', () => {
  it('runs at most its concurrency at once, the waiting ones in order, and refuses past its queue', async () => {
    const limiter = new Limiter(2, 2, () => new Error('full'));
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string) =>
      limiter.run(async () => {
        started.push(name);
        const g = gate();
        gates.set(name, g);
        await g.opened;
        return name;
      });
    const runs = ['a', 'b', 'c', 'd'].map(task);
    await expect(task('e')).rejects.toThrow('full');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b']);
    expect(limiter.load).toEqual({ running: 2, waiting: 2 });
    gates.get('b')!.open();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b', 'c']);
    for (const name of ['a', 'c']) gates.get(name)!.open();
    await new Promise((r) => setImmediate(r));
    gates.get('d')!.open();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new Limiter(1, 1, () => new Error('full'));
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});
