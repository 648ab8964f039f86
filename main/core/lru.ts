/**
 * A least-recently-used cache on a Map (whose iteration order is insertion order): one of its
 * own, or one given, such as a SvelteMap whose reads a page follows.
 */
export class LruCache<K, V> {
  constructor(
    private readonly capacity: number,
    private readonly entries: Map<K, V> = new Map(),
  ) {}

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value kept for `key`, without making it the most recent: the read a reactive page may make, which must not write. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}
