import { describe, expect, it } from 'vitest';
import { keptPromise } from '../../main/core/kept-promise.js';

describe('keptPromise', () => {
  it('makes the promise once for every caller of a key', async () => {
    const store = new Map<string, Promise<number>>();
    let made = 0;
    const make = () => Promise.resolve(++made);
    const [first, second] = [keptPromise(store, 'a', make), keptPromise(store, 'a', make)];
    expect(first).toBe(second);
    expect(await second).toBe(1);
    expect(await keptPromise(store, 'b', make)).toBe(2);
  });

  it('forgets one that failed, for the next caller to make again', async () => {
    const store = new WeakMap<object, Promise<string>>();
    const key = {};
    await expect(keptPromise(store, key, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await keptPromise(store, key, () => Promise.resolve('yes'))).toBe('yes');
  });

  it('leaves a promise made after it in place when an older one fails', async () => {
    const store = new Map<string, Promise<string>>();
    let fail: (error: Error) => void = () => {};
    const older = keptPromise(store, 'a', () => new Promise<string>((_, reject) => (fail = reject)));
    // What kept it let it go (a model forgotten), and another caller made a newer one.
    store.delete('a');
    const newer = keptPromise(store, 'a', () => Promise.resolve('newer'));
    fail(new Error('older failed'));
    await expect(older).rejects.toThrow('older failed');
    expect(store.get('a')).toBe(newer);
  });
});
