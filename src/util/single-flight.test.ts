import { describe, expect, it } from 'vitest';
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
