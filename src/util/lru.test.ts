import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('evicts the least recently used entries past its budget', () => {
    const evicted: string[] = [];
    const lru = new Lru<string>(10, (k) => evicted.push(k));
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 4);
    expect(evicted).toEqual(['b']);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.total).toBe(8);
  });

  it('keeps a value larger than the whole budget until the next one, and never disposes of it on arrival', () => {
    const evicted: string[] = [];
    const lru = new Lru<string>(10, (k) => evicted.push(k));
    lru.set('a', 'A', 4);
    lru.set('big', 'x', 11);
    expect(evicted).toEqual(['a']);
    expect(lru.get('big')).toBe('x');
    lru.set('b', 'B', 4);
    expect(evicted).toEqual(['a', 'big']);
    expect(lru.total).toBe(4);
  });

  it('counts entries when no weight is given', () => {
    const lru = new Lru<string>(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    lru.set('c', 'C');
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([undefined, 'B', 'C']);
    expect(lru.total).toBe(2);
  });
});
