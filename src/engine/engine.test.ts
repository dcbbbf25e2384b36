import { describe, expect, it } from 'vitest';
import { ErrorCode, OriginError } from '../errors.js';
import { ByteLru } from './byte-lru.js';
import { JobPool } from './job-pool.js';
import { SingleFlight } from './single-flight.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs the work once for fifty concurrent callers, who all get the same result', async () => {
    const flights = new SingleFlight<object>();
    const gate = deferred();
    let runs = 0;
    const work = async () => {
      runs += 1;
      await gate.promise;
      return { bytes: 1 };
    };
    const calls = Array.from({ length: 50 }, () => flights.run('k', work));
    expect(flights.has('k')).toBe(true);
    gate.resolve();
    const results = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(flights.has('k')).toBe(false);
  });

  it('forgets a failure, so the next call runs again', async () => {
    const flights = new SingleFlight<number>();
    await expect(flights.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(flights.run('k', async () => 7)).resolves.toBe(7);
  });
});

describe('JobPool', () => {
  it('runs at most `concurrency` jobs at once', async () => {
    const pool = new JobPool({ concurrency: 2, queueLimit: 10 });
    const gates = Array.from({ length: 5 }, () => deferred());
    let running = 0;
    let peak = 0;
    const jobs = gates.map((g) =>
      pool.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await g.promise;
        running -= 1;
      }),
    );
    expect(pool.active).toBe(2);
    expect(pool.queued).toBe(3);
    gates.forEach((g) => g.resolve());
    await Promise.all(jobs);
    expect(peak).toBe(2);
  });

  it('refuses work beyond the queue with `overloaded`', async () => {
    const pool = new JobPool({ concurrency: 1, queueLimit: 1 });
    const gate = deferred();
    const first = pool.run(() => gate.promise);
    const second = pool.run(async () => 2);
    const third = pool.run(async () => 3);
    await expect(third).rejects.toMatchObject({ code: ErrorCode.Overloaded });
    gate.resolve();
    await first;
    await expect(second).resolves.toBe(2);
  });

  it('starts waiting player jobs before lookahead, and drops lookahead first when full', async () => {
    const pool = new JobPool({ concurrency: 1, queueLimit: 2 });
    const gate = deferred();
    const order: string[] = [];
    const blocker = pool.run(() => gate.promise);
    const low1 = pool.run(async () => void order.push('low1'), 'low');
    const high1 = pool.run(async () => void order.push('high1'), 'high');
    // Queue is full (low1, high1): another high job evicts the newest low one.
    const high2 = pool.run(async () => void order.push('high2'), 'high');
    await expect(low1).rejects.toBeInstanceOf(OriginError);
    gate.resolve();
    await Promise.all([blocker, high1, high2]);
    expect(order).toEqual(['high1', 'high2']);
  });

  it('keeps the last free slot for players: lookahead holds at most concurrency − 1', async () => {
    const pool = new JobPool({ concurrency: 3, queueLimit: 10 });
    const gates = Array.from({ length: 4 }, () => deferred());
    const lows = gates.slice(0, 3).map((g) => pool.run(() => g.promise, 'low'));
    expect(pool.active).toBe(2);
    expect(pool.queued).toBe(1);
    let playerStarted = false;
    const player = pool.run(async () => {
      playerStarted = true;
      await gates[3]!.promise;
    });
    expect(playerStarted).toBe(true);
    gates.forEach((g) => g.resolve());
    await Promise.all([...lows, player]);
  });

  it('promotes a waiting lookahead job when a player asks for it', async () => {
    const pool = new JobPool({ concurrency: 1, queueLimit: 10 });
    const gate = deferred();
    const order: string[] = [];
    const blocker = pool.run(() => gate.promise);
    const ahead = pool.run(async () => void order.push('lookahead'), 'low', 'seg/5');
    const player = pool.run(async () => void order.push('player'), 'high');
    pool.promote('seg/5');
    // Promoted behind the player already waiting, and no longer first to be dropped.
    gate.resolve();
    await Promise.all([blocker, ahead, player]);
    expect(order).toEqual(['player', 'lookahead']);
  });

  it('reports how long a job queued and ran', async () => {
    const pool = new JobPool({ concurrency: 1, queueLimit: 10 });
    const { value, timing } = await pool.runTimed(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return 7;
    });
    expect(value).toBe(7);
    expect(timing.runMs).toBeGreaterThanOrEqual(15);
    expect(timing.queueMs).toBeGreaterThanOrEqual(0);
  });

  it('fails waiting jobs and refuses new ones after close', async () => {
    const pool = new JobPool({ concurrency: 1, queueLimit: 5 });
    const gate = deferred();
    const running = pool.run(() => gate.promise);
    const waiting = pool.run(async () => 1);
    pool.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    await expect(pool.run(async () => 1)).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    gate.resolve();
    await running;
  });
});

describe('ByteLru', () => {
  it('evicts the least recently used entries past its byte budget', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<string>(10, (k) => evicted.push(k));
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 4);
    expect(evicted).toEqual(['b']);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.bytes).toBe(8);
  });

  it('does not keep a value larger than the whole budget', () => {
    const lru = new ByteLru<string>(10);
    lru.set('big', 'x', 11);
    expect(lru.get('big')).toBeUndefined();
    expect(lru.bytes).toBe(0);
  });
});
