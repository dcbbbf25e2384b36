import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';
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

  it('keeps a value larger than the whole budget until the next one, and never disposes of it on arrival', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<string>(10, (k) => evicted.push(k));
    lru.set('a', 'A', 4);
    lru.set('big', 'x', 11);
    expect(evicted).toEqual(['a']);
    expect(lru.get('big')).toBe('x');
    lru.set('b', 'B', 4);
    expect(evicted).toEqual(['a', 'big']);
    expect(lru.bytes).toBe(4);
  });
});
