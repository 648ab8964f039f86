import { describe, expect, it } from 'vitest';
import { LruCache } from '../../main/core/lru.js';

describe('LruCache', () => {
  it('lets the least recently used go once past its capacity; get makes an entry the newest, peek does not', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.peek('a')).toBe(1);
    cache.set('d', 4);
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, true, true]);
  });

  it('keeps its entries in the map it is given, which a reader may follow', () => {
    const entries = new Map<number, string>();
    const cache = new LruCache(2, entries);
    cache.set(1, 'one');
    cache.set(2, 'two');
    cache.set(1, 'one again');
    cache.set(3, 'three');
    expect([...entries]).toEqual([
      [1, 'one again'],
      [3, 'three'],
    ]);
  });
});
